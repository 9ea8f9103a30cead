--TEST--
Coroutine\Channel: FIFO order, waiting producers and consumers, timeouts, close, stats and errCode
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Channel;

Coroutine\run(function () {
    $ch = new Channel(2);
    echo "capacity {$ch->capacity} errCode {$ch->errCode}\n";
    var_dump($ch->isEmpty(), $ch->isFull(), $ch->length());
    go(function () use ($ch) {
        foreach (['a', ['b'], 3, null] as $i => $v) {
            $ch->push($v);
            echo "pushed $i\n";
        }
    });
    var_dump($ch->isFull(), $ch->stats());
    for ($i = 0; $i < 4; $i++) {
        $v = $ch->pop();
        echo 'popped ' . json_encode($v) . "\n";
    }

    // pop() timeout, then data arrives
    $t = microtime(true);
    var_dump($ch->pop(0.05), $ch->errCode === SWOOLE_CHANNEL_TIMEOUT, microtime(true) - $t >= 0.045);
    go(function () use ($ch) { Coroutine::sleep(0.01); $ch->push('late'); });
    var_dump($ch->pop(1), $ch->errCode === SWOOLE_CHANNEL_OK);

    // push() timeout on a full channel
    $full = new Co\Channel(1);
    var_dump($full->push(1, 0.01), $full->push(2, 0.01), $full->errCode === SWOOLE_CHANNEL_TIMEOUT);

    // close(): waiters wake with CLOSED, the data already in stays poppable
    $c = new Chan(1);
    go(function () use ($c) { var_dump($c->pop(), $c->errCode === SWOOLE_CHANNEL_CLOSED); });
    var_dump($c->close(), $c->close());
    $d = new Channel(3);
    $d->push('kept');
    $d->close();
    var_dump($d->push('x'), $d->errCode === SWOOLE_CHANNEL_CLOSED, $d->pop(), $d->pop(), $d->errCode === SWOOLE_CHANNEL_CLOSED);

    // a size below 1 becomes 1
    var_dump((new Channel(0))->capacity, (new Channel(-5))->capacity);
    var_dump(SWOOLE_CHANNEL_OK, SWOOLE_CHANNEL_TIMEOUT, SWOOLE_CHANNEL_CLOSED, SWOOLE_CHANNEL_CANCELED);
});
?>
--EXPECT--
capacity 2 errCode 0
bool(true)
bool(false)
int(0)
pushed 0
pushed 1
bool(true)
array(3) {
  ["consumer_num"]=>
  int(0)
  ["producer_num"]=>
  int(1)
  ["queue_num"]=>
  int(2)
}
pushed 2
popped "a"
pushed 3
popped ["b"]
popped 3
popped null
bool(false)
bool(true)
bool(true)
string(4) "late"
bool(true)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
bool(false)
bool(true)
string(4) "kept"
bool(false)
bool(true)
int(1)
int(1)
int(0)
int(-1)
int(-2)
int(-3)
