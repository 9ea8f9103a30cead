--TEST--
Coroutine: PHP's own Fiber works inside a coroutine, and a coroutine may sleep inside a Fiber
--FILE--
<?php
use Swoole\Coroutine;

Coroutine\run(function () {
    $fiber = new Fiber(function (string $x): string {
        echo "fiber got $x in cid ", Coroutine::getCid(), "\n";
        $y = Fiber::suspend('suspended');
        echo "fiber resumed with $y\n";
        Coroutine::sleep(0.01);  // the coroutine sleeps with the fiber on top
        echo "fiber slept\n";
        try {
            Fiber::suspend('again');
        } catch (RuntimeException $e) {
            echo 'fiber caught ', $e->getMessage(), "\n";
        }
        return 'fiber result';
    });
    go(function () {
        echo "other coroutine runs while the fiber's coroutine sleeps\n";
    });
    $v = $fiber->start('hello');
    echo "start: $v\n";
    go(function () {
        Coroutine::sleep(0.005);
        echo "sleeper in between\n";
    });
    $v = $fiber->resume('world');
    echo "resume: $v\n";
    $fiber->throw(new RuntimeException('thrown into the fiber'));
    echo 'return: ', $fiber->getReturn(), "\n";
    try {
        Fiber::suspend();
    } catch (FiberError $e) {
        echo 'FiberError: ', $e->getMessage(), "\n";
    }
});
?>
--EXPECT--
other coroutine runs while the fiber's coroutine sleeps
fiber got hello in cid 1
start: suspended
fiber resumed with world
sleeper in between
fiber slept
resume: again
fiber caught thrown into the fiber
return: fiber result
FiberError: Cannot suspend outside of a fiber
