--TEST--
Coroutine: exceptions and finally across suspensions, generators, nested calls, each coroutine with its own stack
--FILE--
<?php
use Swoole\Coroutine;

function deep(int $n, string $tag): int
{
    if ($n === 0) {
        Coroutine::sleep(0.01);
        throw new DomainException("thrown in $tag after sleeping");
    }
    try {
        return deep($n - 1, $tag);
    } finally {
        if ($n === 3) echo "$tag: finally at depth $n\n";
    }
}

function gen(): Generator
{
    for ($i = 0; $i < 3; $i++) {
        Coroutine::sleep(0.005);
        yield $i => Coroutine::getCid();
    }
}

Coroutine\run(function () {
    foreach (['A', 'B'] as $tag) {
        go(function () use ($tag) {
            try {
                deep(50, $tag);
            } catch (DomainException $e) {
                echo "$tag caught: ", $e->getMessage(), ' cid ', Coroutine::getCid(), "\n";
            } finally {
                echo "$tag: outer finally\n";
            }
        });
    }
    go(function () {
        foreach (gen() as $i => $cid) {
            echo "generator $i in cid $cid\n";
        }
    });
    echo "main waits\n";
    Coroutine::sleep(0.05);
    $result = (function () {
        try {
            Coroutine::sleep(0.001);
            return 'try';
        } finally {
            echo "finally before return\n";
        }
    })();
    echo "returned $result\n";
});
?>
--EXPECT--
main waits
generator 0 in cid 4
A: finally at depth 3
A caught: thrown in A after sleeping cid 2
A: outer finally
B: finally at depth 3
B caught: thrown in B after sleeping cid 3
B: outer finally
generator 1 in cid 4
generator 2 in cid 4
finally before return
returned try
