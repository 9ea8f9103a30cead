--TEST--
Swoole\Lock: constants, lock/unlock results and errCode, LOCK_NB, timed lock, LOCK_SH on a RWLOCK, across processes, and a holder SIGKILLed does not block the others
--SKIPIF--
<?php if (!function_exists('pcntl_fork') || !function_exists('posix_kill')) die('skip pcntl and posix needed'); ?>
--FILE--
<?php
use Swoole\Lock;
use Swoole\Atomic;

var_dump(Lock::MUTEX, Lock::RWLOCK, Lock::SPINLOCK, SWOOLE_MUTEX, SWOOLE_RWLOCK, SWOOLE_SPINLOCK);
try {
    new Lock(42);
} catch (Swoole\Exception $e) {
    echo $e->getMessage(), "\n";
}

$l = new Lock();
var_dump($l->errCode, $l->unlock(), $l->errCode);  // EPERM: not held
var_dump($l->lock(), $l->lock(LOCK_EX | LOCK_NB), $l->errCode);  // EBUSY
var_dump($l->unlock(), $l->lock(LOCK_EX | LOCK_NB), $l->unlock());

// Held by a child: try-lock fails, a timed lock times out, then the child is killed
// while holding it and the lock is ours within the timeout.
function hold_in_child(Lock $lock, int $operation): int
{
    $ready = new Atomic(0);
    $pid = pcntl_fork();
    if ($pid === 0) {
        $lock->lock($operation);
        $ready->set(1);
        for ($i = 0; $i < 3000; $i++) {
            usleep(10000);  // at most 30 s: the parent kills it long before
        }
        exit(0);
    }
    for ($i = 0; $i < 1000 && $ready->get() === 0; $i++) {
        usleep(10000);
    }
    return $pid;
}

foreach ([Lock::MUTEX => 'MUTEX', Lock::SPINLOCK => 'SPINLOCK', Lock::RWLOCK => 'RWLOCK'] as $type => $name) {
    echo "-- $name\n";
    $lock = new Lock($type);
    $pid = hold_in_child($lock, LOCK_EX);
    var_dump($lock->lock(LOCK_EX | LOCK_NB), $lock->errCode);
    $t0 = microtime(true);
    var_dump($lock->lock(LOCK_EX, 0.2), $lock->errCode);  // ETIMEDOUT
    var_dump(microtime(true) - $t0 >= 0.15);
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
    var_dump($lock->lock(LOCK_EX, 5), $lock->unlock());
}

echo "-- RWLOCK readers share\n";
$rw = new Lock(Lock::RWLOCK);
$pid = hold_in_child($rw, LOCK_SH);
var_dump($rw->lock(LOCK_SH | LOCK_NB), $rw->unlock());
var_dump($rw->lock(LOCK_EX | LOCK_NB), $rw->errCode);
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $status);
var_dump($rw->lock(LOCK_EX, 5), $rw->unlock());

echo "-- mutual exclusion across 3 processes\n";
$m = new Lock();
$shared = new Swoole\Table(64);
$shared->column('v', Swoole\Table::TYPE_INT);
$shared->create();
$shared->set('n', ['v' => 0]);
$pids = [];
for ($c = 0; $c < 3; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        for ($i = 0; $i < 500; $i++) {
            $m->lock();
            $v = $shared->get('n', 'v');  // read, then write: only safe under the lock
            $shared->set('n', ['v' => $v + 1]);
            $m->unlock();
        }
        exit(0);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
}
var_dump($shared->get('n', 'v'));
?>
--EXPECT--
int(3)
int(1)
int(5)
int(3)
int(1)
int(5)
lock type[42] is not support
int(0)
bool(false)
int(1)
bool(true)
bool(false)
int(16)
bool(true)
bool(true)
bool(true)
-- MUTEX
bool(false)
int(16)
bool(false)
int(110)
bool(true)
bool(true)
bool(true)
-- SPINLOCK
bool(false)
int(16)
bool(false)
int(110)
bool(true)
bool(true)
bool(true)
-- RWLOCK
bool(false)
int(16)
bool(false)
int(110)
bool(true)
bool(true)
bool(true)
-- RWLOCK readers share
bool(true)
bool(true)
bool(false)
int(16)
bool(true)
bool(true)
-- mutual exclusion across 3 processes
int(1500)
