--TEST--
Coroutine::cancel($cid, true): a CanceledException is thrown where the coroutine waits (sleep, Channel pop/push, yield, join, WaitGroup); errors
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Channel;
use Swoole\Coroutine\System;

$rc = new ReflectionClass(Coroutine\CanceledException::class);
var_dump($rc->isFinal(), $rc->getParentClass()->getName());

Coroutine\run(function () {
    $cid = go(function () {
        try {
            while (true) {
                System::sleep(0.01);
                echo "co 2 running\n";
                Coroutine::yield();
            }
        } catch (Coroutine\CanceledException $e) {
            echo 'sleep: ', get_class($e), ' line ', $e->getLine(), ' in ', $e->getTrace()[0]['function'], "\n";
            var_dump(Coroutine::isCanceled());
        }
    });
    // wait for the coroutine to reach its yield (no timing assumption)
    for ($i = 0; $i < 1000 && Coroutine::getBackTrace($cid)[0]['function'] !== 'yield'; $i++) System::sleep(0.001);
    Coroutine::resume($cid);
    var_dump(Coroutine::cancel($cid, true), Coroutine::exists($cid));

    $ch = new Channel(1);
    $popper = go(function () use ($ch) {
        try {
            $ch->pop();
        } catch (Coroutine\CanceledException $e) {
            echo "pop: canceled, errCode ", $ch->errCode, "\n";
        }
    });
    var_dump(Coroutine::cancel($popper, true), Coroutine::exists($popper));
    $ch->push(1);
    $pusher = go(function () use ($ch) {
        try {
            $ch->push(2);
        } catch (Coroutine\CanceledException $e) {
            echo "push: canceled, errCode ", $ch->errCode, "\n";
        } finally {
            echo "push: finally\n";
        }
    });
    var_dump(Coroutine::cancel($pusher, true), $ch->length(), $ch->pop());

    // a yielded coroutine, one in join(), one in WaitGroup::wait()
    $y = go(function () {
        try {
            Coroutine::yield();
        } catch (Coroutine\CanceledException $e) {
            echo "yield: canceled\n";
        }
    });
    var_dump(Coroutine::cancel($y, true), Coroutine::exists($y));

    $joiner = go(function () {
        $sleeper = go(fn () => System::sleep(5));
        try {
            Coroutine::join([$sleeper]);
        } catch (Coroutine\CanceledException $e) {
            echo "join: canceled\n";
        }
        Coroutine::cancel($sleeper);
    });
    Coroutine::cancel($joiner, true);

    $wg = new Coroutine\WaitGroup(1);
    $waiter = go(function () use ($wg) {
        try {
            $wg->wait();
        } catch (Coroutine\CanceledException $e) {
            echo "WaitGroup: canceled\n";
        }
    });
    Coroutine::cancel($waiter, true);

    // errors: no such coroutine, the running one
    var_dump(Coroutine::cancel(99999, true), Coroutine::cancel(Coroutine::getCid(), true));
});
// uncaught in the coroutine: Swoole's fatal error (canceled from the main context, so the
// error unwinds no coroutine stack of the canceller)
$cid = go(fn () => System::sleep(5));
Coroutine::cancel($cid, true);
echo "not reached\n";
?>
--EXPECTF--
bool(true)
string(9) "Exception"
co 2 running
sleep: Swoole\Coroutine\CanceledException line 13 in sleep
bool(true)
bool(true)
bool(false)
pop: canceled, errCode -3
bool(true)
bool(false)
push: canceled, errCode -3
push: finally
bool(true)
int(1)
int(1)
yield: canceled
bool(true)
bool(false)
join: canceled
WaitGroup: canceled
bool(false)
bool(false)

Fatal error: Uncaught Swoole\Coroutine\CanceledException in %s:%d
Stack trace:
#0 %s(%d): Swoole\Coroutine\System::sleep(5)
#1 [internal function]: {closure}()
#2 {main}
  thrown in %s on line %d
