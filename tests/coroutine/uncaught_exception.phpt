--TEST--
Coroutine: an exception nobody catches in a coroutine is a fatal error, as in Swoole; nothing runs after it
--FILE--
<?php
use Swoole\Coroutine;

register_shutdown_function(fn () => print("shutdown function runs\n"));
Coroutine\run(function () {
    go(function () {
        Coroutine::sleep(0.01);
        echo "about to throw\n";
        throw new RuntimeException('nobody catches this');
    });
    try {
        Coroutine::sleep(1);
    } finally {
        echo "never printed: the fatal error ends the script\n";
    }
});
echo "not reached\n";
?>
--EXPECTF--
about to throw

Fatal error: Uncaught RuntimeException: nobody catches this in %s:%d
Stack trace:
#0 [internal function]: {closure}()
#1 {main}
  thrown in %s on line %d
shutdown function runs
