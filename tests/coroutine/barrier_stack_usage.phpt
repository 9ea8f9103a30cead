--TEST--
Coroutine\Barrier: wait() returns once every other holder dropped the barrier, at once with no holder, on timeout; misuse; Coroutine::getStackUsage()
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Barrier;
use Swoole\Coroutine\System;

Coroutine\run(function () {
    $barrier = Barrier::make();
    var_dump(get_class($barrier));
    $done = [];
    foreach ([3, 1, 2] as $i) {
        go(function () use ($barrier, $i, &$done) {
            System::sleep($i * 0.01);
            $done[] = $i;
        });
    }
    Barrier::wait($barrier);
    var_dump($barrier, $done);

    // nobody else holds it: returns at once
    $barrier = Barrier::make();
    Barrier::wait($barrier);
    echo "no holder\n";

    // a holder that outlives the timeout
    $barrier = Barrier::make();
    $holder = go(function () use ($barrier) {
        Coroutine::yield();
        echo "holder resumed\n";
    });
    Barrier::wait($barrier, 0.01);
    echo "timed out\n";
    Coroutine::resume($holder);
    echo "holder gone\n";

    // a barrier already waited on
    $barrier = Barrier::make();
    $other = $barrier;
    go(function () use (&$other) {
        System::sleep(0.001);  // the main coroutine waits by now (it does not suspend before)
        try {
            Barrier::wait($other);
        } catch (Swoole\Exception $e) {
            echo get_class($e), ': ', $e->getMessage(), "\n";
        }
        $other = null;  // the last holder
    });
    Barrier::wait($barrier);
    echo "first waiter done\n";

    // getStackUsage(): the running coroutine's; false for none
    $u = Coroutine::getStackUsage();
    var_dump(is_int($u) && $u > 0, Coroutine::getStackUsage(Coroutine::getCid()) > 0, Coroutine::getStackUsage(99999));
});
try {
    $b = Barrier::make();
    Barrier::wait($b);
} catch (Swoole\Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(Coroutine::getStackUsage());
?>
--EXPECT--
string(24) "Swoole\Coroutine\Barrier"
NULL
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
no holder
timed out
holder resumed
holder gone
Swoole\Exception: The barrier is waiting, cannot wait again.
first waiter done
bool(true)
bool(true)
bool(false)
Swoole\Error: API must be called in the coroutine
bool(false)
