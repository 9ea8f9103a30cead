--TEST--
Coroutine::sleep() and Swoole\Timer: wake-ups in deadline order, tick arguments, clear, info, list, stats
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Timer;

$log = [];
Coroutine\run(function () use (&$log) {
    foreach ([0.05, 0.01, 0.03, 0.02] as $s) {
        go(function () use ($s, &$log) {
            Coroutine::sleep($s);
            $log[] = "sleep $s";
        });
    }
    Coroutine\System::sleep(0.06);
    echo implode(', ', $log), "\n";

    $log = [];
    foreach ([40, 10, 30, 20] as $ms) {
        Timer::after($ms, function ($a, $b) use (&$log, $ms) {
            $log[] = "after $ms $a$b in " . (Coroutine::getCid() > 0 ? 'a coroutine' : 'main');
        }, 'p', 'q');
    }
    $ticks = 0;
    $tick = Timer::tick(15, function ($id, $arg) use (&$ticks, &$tick) {
        $ticks++;
        if ($id !== $tick || $arg !== 'T') echo "bad tick arguments\n";
        if ($ticks === 3) var_dump(Timer::clear($id), Timer::exists($id));
    }, 'T');
    var_dump(Timer::exists($tick));
    $info = Timer::info($tick);
    echo "info: interval {$info['interval']} exec_count {$info['exec_count']} removed ", var_export($info['removed'], true), "\n";
    var_dump(Timer::info(123456));
    echo 'list: ', count(Timer::list()), ' ', get_class(Timer::list()), "\n";
    var_dump(Timer::stats()['initialized']);
    Coroutine::sleep(0.1);
    echo implode("\n", $log), "\n";
    echo "ticks: $ticks\n";

    $x = swoole_timer_tick(1000, fn () => null);
    $y = swoole_timer_after(1000, fn () => null);
    var_dump(swoole_timer_exists($x), count(swoole_timer_list()), swoole_timer_info($y)['interval']);
    var_dump(swoole_timer_clear($y), swoole_timer_clear($y), swoole_timer_clear_all(), swoole_timer_exists($x));
    var_dump(Timer::clearAll(), count(Timer::list()), swoole_timer_stats()['num']);
});
echo "done\n";
?>
--EXPECT--
sleep 0.01, sleep 0.02, sleep 0.03, sleep 0.05
bool(true)
info: interval 15 exec_count 0 removed false
NULL
list: 5 Swoole\Timer\Iterator
bool(true)
bool(true)
bool(false)
after 10 pq in a coroutine
after 20 pq in a coroutine
after 30 pq in a coroutine
after 40 pq in a coroutine
ticks: 3
bool(true)
int(2)
int(0)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
int(0)
int(0)
done
