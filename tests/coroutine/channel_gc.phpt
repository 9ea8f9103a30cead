--TEST--
Coroutine\Channel: values it holds that refer back to it are seen by the cycle collector (no leak)
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Channel;

class Holder
{
    public $channel;
    public function __destruct()
    {
        echo "Holder destroyed\n";
    }
}

Coroutine\run(function () {
    $ch = new Channel(2);
    $h = new Holder();
    $h->channel = $ch;
    $ch->push($h);
    $ch->push([$ch]);
    var_dump($ch->length());
    unset($ch, $h);
    var_dump(gc_collect_cycles() > 0);
    echo "collected\n";
});
$before = memory_get_usage();
for ($i = 0; $i < 1000; $i++) {
    $ch = new Channel(1);
    Coroutine\run(function () use ($ch) {
        $ch->push($ch);
    });
    unset($ch);
}
gc_collect_cycles();
var_dump(memory_get_usage() - $before < 100000);
?>
--EXPECT--
int(2)
Holder destroyed
bool(true)
collected
bool(true)
