<?php
// Coroutine runtime costs, on wsserver or Swoole (the same script runs on both):
//   php -d memory_limit=-1 -d extension=modules/wsserver.so bench/coroutine.php [N_SLEEPING]
//   php -d memory_limit=-1 -d extension=/path/to/swoole.so bench/coroutine.php [N_SLEEPING]
// Prints, per line: create+run+finish of an empty coroutine (ns each), one Channel
// push/pop round trip between two coroutines (ns each), and the RSS per coroutine of
// N_SLEEPING coroutines suspended in Coroutine::sleep() (default 30,000; see README:
// PHP's fiber stacks take two memory mappings each, and vm.max_map_count is 65,530 by default).

use Swoole\Coroutine;
use Swoole\Coroutine\Channel;

if (!class_exists(Coroutine::class)) {
    fwrite(STDERR, "bench/coroutine.php: load wsserver.so or swoole.so\n");
    exit(2);
}
$sleeping = (int) ($argv[1] ?? 30000);

function rss_bytes(): int
{
    preg_match('~^VmRSS:\s+(\d+) kB~m', (string) file_get_contents('/proc/self/status'), $m);
    return (int) ($m[1] ?? 0) * 1024;
}

/** Best of three timings of $fn($n), in ns per iteration. */
function best_ns(callable $fn, int $n): float
{
    $best = INF;
    for ($round = 0; $round < 3; $round++) {
        $t = hrtime(true);
        $fn($n);
        $best = min($best, (hrtime(true) - $t) / $n);
    }
    return $best;
}

Coroutine\run(function () use ($sleeping) {
    $create = best_ns(function (int $n) {
        for ($i = 0; $i < $n; $i++) {
            Coroutine::create(static function () {});
        }
    }, 200000);
    printf("create+run+finish an empty coroutine: %.0f ns\n", $create);

    $roundTrip = best_ns(function (int $n) {
        $ping = new Channel(1);
        $pong = new Channel(1);
        Coroutine::create(static function () use ($ping, $pong, $n) {
            for ($i = 0; $i < $n; $i++) {
                $pong->push($ping->pop());
            }
        });
        for ($i = 0; $i < $n; $i++) {
            $ping->push($i);
            $pong->pop();
        }
    }, 200000);
    printf("channel push/pop round trip between two coroutines: %.0f ns\n", $roundTrip);

    gc_collect_cycles();
    $before = rss_bytes();
    $started = 0;
    for ($i = 0; $i < $sleeping; $i++) {
        if (Coroutine::create(static function () { Coroutine::sleep(2); }) === false) break;
        $started++;
    }
    $after = rss_bytes();
    printf("%d coroutines suspended in sleep(): %.0f bytes RSS each (%d asked)\n",
        $started, $started ? ($after - $before) / $started : 0, $sleeping);
});
