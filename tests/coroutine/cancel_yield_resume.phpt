--TEST--
Coroutine: cancel() wakes a sleeping, popping or yielded coroutine; yield()/suspend() and resume()
--FILE--
<?php
use Swoole\Coroutine;

Coroutine\run(function () {
    $sleeper = go(function () {
        $t = microtime(true);
        $r = Coroutine::sleep(10);
        echo 'sleep returned ', var_export($r, true), ' canceled ', var_export(Coroutine::isCanceled(), true),
            ' quickly ', var_export(microtime(true) - $t < 5, true), "\n";
    });
    $ch = new Coroutine\Channel(1);
    $popper = go(function () use ($ch) {
        var_dump($ch->pop(), $ch->errCode === SWOOLE_CHANNEL_CANCELED);
    });
    var_dump($ch->stats()['consumer_num']);
    var_dump(Coroutine::cancel($sleeper), Coroutine::cancel($popper), $ch->stats()['consumer_num']);
    var_dump(Coroutine::cancel($sleeper), Coroutine::cancel(Coroutine::getCid()), Coroutine::isCanceled());

    $log = [];
    $y = go(function () use (&$log) {
        $log[] = 'yielding';
        $log[] = 'yield returned ' . var_export(Coroutine::yield(), true);
        $log[] = 'suspend returned ' . var_export(Coroutine::suspend(), true);
    });
    $log[] = 'back in main';
    var_dump(Coroutine::resume($y));
    $log[] = 'resumed once';
    var_dump(Coroutine::cancel($y));
    echo implode("\n", $log), "\n";
    var_dump(Coroutine::exists($y));

    // resume() only wakes a coroutine that yielded
    $s = go(fn () => Coroutine::sleep(0.01));
    var_dump(@Coroutine::resume($s), @Coroutine::resume(9999));
});
?>
--EXPECT--
int(1)
sleep returned false canceled true quickly true
bool(false)
bool(true)
bool(true)
bool(true)
int(0)
bool(false)
bool(false)
bool(false)
bool(true)
bool(true)
yielding
back in main
yield returned true
resumed once
suspend returned false
bool(false)
bool(false)
bool(false)
