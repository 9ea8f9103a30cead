--TEST--
Swoole\Event::defer()/wait()/exit(), and coroutines and timers started outside run() finishing at the end of the script
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Event;

Event::defer(fn () => print('deferred in cid ' . Coroutine::getCid() . "\n"));
swoole_event_defer(fn () => print("second deferred\n"));
go(function () {
    echo "top-level coroutine starts\n";
    Coroutine::sleep(0.01);
    echo "top-level coroutine ends\n";
});
Swoole\Timer::after(20, fn () => print("timer outside run()\n"));
echo "before wait\n";
Event::wait();
echo "after wait\n";

// exit() stops the loop although a tick is still armed
$n = 0;
Swoole\Timer::tick(5, function () use (&$n) {
    if (++$n === 2) {
        Event::exit();
    }
});
swoole_event_wait();
echo "loop left after $n ticks, timers left: ", count(Swoole\Timer::list()), "\n";
Swoole\Timer::clearAll();

go(function () {
    Coroutine::sleep(0.01);
    echo "finished at the end of the script\n";
});
echo "script ends\n";
?>
--EXPECT--
top-level coroutine starts
before wait
deferred in cid 2
second deferred
top-level coroutine ends
timer outside run()
after wait
loop left after 2 ticks, timers left: 1
script ends
finished at the end of the script
