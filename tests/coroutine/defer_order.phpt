--TEST--
Coroutine: defer() callbacks run last in, first out when the coroutine ends, after a suspension too
--FILE--
<?php
use Swoole\Coroutine;

Coroutine\run(function () {
    go(function () {
        defer(fn () => print("defer 1\n"));
        Coroutine::defer(fn () => print("defer 2\n"));
        swoole_coroutine_defer(function () {
            echo "defer 3 in cid ", Coroutine::getCid(), "\n";
            defer(fn () => print("defer from defer\n"));
        });
        Coroutine::sleep(0.01);
        echo "body ends\n";
    });
    echo "main continues\n";
    go(function () {
        try {
            defer(fn () => print("defer after catch\n"));
            throw new LogicException('caught');
        } catch (LogicException $e) {
            echo "caught\n";
        }
    });
});
echo "done\n";
?>
--EXPECT--
main continues
caught
defer after catch
body ends
defer 3 in cid 2
defer from defer
defer 2
defer 1
done
