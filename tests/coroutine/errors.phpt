--TEST--
Coroutine: Swoole's errors for coroutine-only API outside a coroutine, nested run(), bad timer values, set() options
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Timer;

foreach ([
    'sleep' => fn () => Coroutine::sleep(1),
    'System::sleep' => fn () => Coroutine\System::sleep(1),
    'yield' => fn () => Coroutine::yield(),
    'defer' => fn () => defer(fn () => null),
    'isCanceled' => fn () => Coroutine::isCanceled(),
    'join' => fn () => Coroutine::join([1]),
    'Channel::push' => fn () => (new Coroutine\Channel())->push(1),
    'Channel::pop' => fn () => (new Coroutine\Channel())->pop(),
] as $name => $fn) {
    try {
        $fn();
        echo "$name: no error\n";
    } catch (Swoole\Error $e) {
        echo "$name: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(is_subclass_of('Swoole\Error', 'Error'));
var_dump(Coroutine::sleep(0.0001));
var_dump(Timer::after(0, fn () => null), Timer::tick(-1, fn () => null), swoole_timer_after(0, fn () => null));
var_dump(Coroutine::resume(42));
var_dump(Coroutine::getOptions());
Coroutine::set(['max_coroutine' => 2, 'no_such_option' => 1, 'hook_flags' => 0]);
var_dump(Coroutine::getOptions());
Coroutine\run(function () {
    var_dump(Coroutine\run(fn () => null));
    var_dump(Co\run(fn () => null));
    var_dump(go(fn () => Coroutine::sleep(0.01)));
    var_dump(go(fn () => null));
    var_dump(Coroutine::join([Coroutine::getCid()]));
});
Coroutine::set(['max_coroutine' => 100000]);
var_dump(Coroutine::cancel(1, true)); // no such coroutine any more
?>
--EXPECTF--
sleep: Swoole\Error: API must be called in the coroutine
System::sleep: Swoole\Error: API must be called in the coroutine
yield: Swoole\Error: API must be called in the coroutine
defer: Swoole\Error: API must be called in the coroutine
isCanceled: Swoole\Error: API must be called in the coroutine
join: Swoole\Error: API must be called in the coroutine
Channel::push: Swoole\Error: API must be called in the coroutine
Channel::pop: Swoole\Error: API must be called in the coroutine
bool(true)

Warning: Swoole\Coroutine::sleep(): Timer must be greater than or equal to 0.001 in %s on line %d
bool(false)

Warning: Swoole\Timer::after(): Timer must be greater than or equal to 1 in %s on line %d

Warning: Swoole\Timer::tick(): Timer must be greater than or equal to 1 in %s on line %d

Warning: swoole_timer_after(): Timer must be greater than or equal to 1 in %s on line %d
bool(false)
bool(false)
bool(false)

Warning: Swoole\Coroutine::resume(): can not resume the coroutine which is in IO operation or non-existent in %s on line %d
bool(false)
NULL

Warning: Swoole\Coroutine::set(): unsupported option "no_such_option" in %s on line %d
array(2) {
  ["max_coroutine"]=>
  int(2)
  ["hook_flags"]=>
  int(0)
}

Warning: Swoole\Coroutine\run(): eventLoop has already been created. unable to start Swoole\Coroutine\Scheduler in %s on line %d
bool(false)

Warning: Co\run(): eventLoop has already been created. unable to start Swoole\Coroutine\Scheduler in %s on line %d
bool(false)
int(2)

Warning: go(): exceed max number of coroutine 2 in %s on line %d
bool(false)

Warning: Swoole\Coroutine::join(): can not join self in %s on line %d
bool(false)
bool(false)
