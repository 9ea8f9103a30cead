--TEST--
Coroutine\WaitGroup: wait() until done() brings the count to 0, timeout, Swoole's misuse exceptions
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\WaitGroup;

Coroutine\run(function () {
    $wg = new WaitGroup();
    var_dump($wg->wait());  // count 0: at once
    // Which sleeper ends first is the timers' business (a loaded machine may start them
    // far apart): the test is that wait() returns once all three are done.
    $done = [];
    foreach ([30, 10, 20] as $ms) {
        $wg->add();
        go(function () use ($wg, $ms, &$done) {
            Coroutine::sleep($ms / 1000);
            $done[] = $ms;
            $wg->done();
        });
    }
    echo 'count ', $wg->count(), "\n";
    var_dump($wg->wait(10));
    sort($done);
    echo 'done ', implode(' ', $done), "\n";
    echo 'count ', $wg->count(), "\n";

    $slow = new WaitGroup(1);
    var_dump($slow->wait(0.01));
    $slow->done();

    foreach ([
        fn () => $wg->done(),
        fn () => $wg->add(-1),
        fn () => new WaitGroup(-1),
    ] as $misuse) {
        try {
            $misuse();
        } catch (Throwable $e) {
            echo get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
    $busy = new WaitGroup(1);
    go(function () use ($busy) {
        try {
            $busy->wait();
        } finally {
            echo "first waiter returns\n";
        }
    });
    foreach ([fn () => $busy->wait(), fn () => $busy->add()] as $misuse) {
        try {
            $misuse();
        } catch (Throwable $e) {
            echo get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
    $busy->done();
});
?>
--EXPECT--
bool(true)
count 3
bool(true)
done 10 20 30
count 0
bool(false)
BadMethodCallException: WaitGroup misuse: negative counter
InvalidArgumentException: WaitGroup misuse: negative counter
InvalidArgumentException: WaitGroup misuse: negative counter
BadMethodCallException: WaitGroup misuse: reused before previous wait has returned
BadMethodCallException: WaitGroup misuse: add called concurrently with wait
first waiter returns
