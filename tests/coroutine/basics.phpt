--TEST--
Coroutine: ids from 1 never reused, parent ids, create() runs the coroutine at once, exists/list/stats
--FILE--
<?php
use Swoole\Coroutine;

echo 'outside: cid ', Coroutine::getCid(), ' pcid ', var_export(Coroutine::getPcid(), true), "\n";
$r = Coroutine\run(function () {
    echo 'run: cid ', Coroutine::getCid(), ' pcid ', Coroutine::getPcid(), "\n";
    $a = go(function ($x, $y) {
        echo "a starts with $x $y: cid ", Coroutine::getCid(), ' pcid ', Coroutine::getPcid(), "\n";
        go(function () {
            echo 'grandchild: cid ', Coroutine::getCid(), ' pcid ', Coroutine::getPcid(), "\n";
            Coroutine::sleep(0.01);
            echo "grandchild ends\n";
        });
        echo "a ends\n";
    }, 'x', 'y');
    echo "go returned $a\n";
    $b = Coroutine::create(fn () => print("b runs\n"));
    $c = swoole_coroutine_create(fn () => Coroutine::sleep(0.02));
    echo "b=$b c=$c\n";
    var_dump(Coroutine::exists($a), Coroutine::exists($c), Coroutine::exists(1), Coroutine::exists(0));
    var_dump(Coroutine::getPcid($c), Coroutine::getPcid(999));
    echo 'list: ', implode(',', iterator_to_array(Coroutine::list())), "\n";
    echo 'listCoroutines: ', get_class(Coroutine::listCoroutines()), "\n";
    $s = Coroutine::stats();
    echo "stats: num {$s['coroutine_num']} peak {$s['coroutine_peak_num']} last {$s['coroutine_last_cid']}\n";
    var_dump(Coroutine::getuid() === Coroutine::getCid());
});
var_dump($r);
echo 'after run: cid ', Coroutine::getCid(), ' ids continue at ', go(fn () => null), "\n";
echo 'list: ', count(Coroutine::list()), "\n";
?>
--EXPECT--
outside: cid -1 pcid false
run: cid 1 pcid -1
a starts with x y: cid 2 pcid 1
grandchild: cid 3 pcid 2
a ends
go returned 2
b runs
b=4 c=5
bool(false)
bool(true)
bool(true)
bool(false)
int(1)
bool(false)
list: 1,3,5
listCoroutines: Swoole\Coroutine\Iterator
stats: num 3 peak 3 last 5
bool(true)
grandchild ends
bool(true)
after run: cid -1 ids continue at 6
list: 0
