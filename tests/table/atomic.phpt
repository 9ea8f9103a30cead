--TEST--
Swoole\Atomic and Swoole\Atomic\Long: Swoole's arithmetic (32-bit unsigned, 64-bit signed), cmpset, wait/wakeup with timeouts, shared by forked processes
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl needed'); ?>
--FILE--
<?php
use Swoole\Atomic;

$a = new Atomic();
var_dump($a->get(), $a->add(), $a->add(10), $a->sub(12), $a->get());  // wraps at 2^32
$a->set(-1);
var_dump($a->get(), $a->cmpset(1, 2), $a->cmpset(4294967295, 7), $a->get());
$b = new Atomic(4294967297);
var_dump($b->get());

echo "-- wait/wakeup\n";
$w = new Atomic(0);
$t0 = microtime(true);
var_dump($w->wait(0.2));
$elapsed = microtime(true) - $t0;
var_dump($elapsed >= 0.15 && $elapsed < 5);
var_dump($w->wakeup(), $w->get(), $w->wait(0.2), $w->get());
$w->set(5);
var_dump($w->wait(0.2));  // neither 0 nor 1: false at once

echo "-- Long\n";
$l = new Atomic\Long(-5);
var_dump($l->add(3), $l->sub(PHP_INT_MAX), $l->get());
$l->set(1 << 40);
var_dump($l->get(), $l->cmpset(1 << 40, -7), $l->get(), method_exists($l, 'wait'));

echo "-- across processes\n";
$counter = new Atomic();
$long = new Atomic\Long();
$gate = new Atomic(0);
$pids = [];
for ($i = 0; $i < 4; $i++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        for ($j = 0; $j < 25000; $j++) {
            $counter->add();
            $long->sub(2);
        }
        exit(0);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
}
var_dump($counter->get(), $long->get());

// A child sleeps in wait(); the parent's wakeup() reaches it.
$ready = new Atomic(0);
$pid = pcntl_fork();
if ($pid === 0) {
    $ready->set(1);
    exit($gate->wait(10) ? 0 : 1);
}
for ($i = 0; $i < 1000 && $ready->get() === 0; $i++) {
    usleep(10000);
}
usleep(50000);
var_dump($gate->wakeup());
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));

try {
    clone $counter;
} catch (Error $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
int(0)
int(1)
int(11)
int(4294967295)
int(4294967295)
int(4294967295)
bool(false)
bool(true)
int(7)
int(1)
-- wait/wakeup
bool(false)
bool(true)
bool(true)
int(1)
bool(true)
int(0)
bool(false)
-- Long
int(-2)
int(9223372036854775807)
int(9223372036854775807)
int(1099511627776)
bool(true)
int(-7)
bool(false)
-- across processes
int(100000)
int(-200000)
bool(true)
int(0)
Trying to clone an uncloneable object of class Swoole\Atomic
