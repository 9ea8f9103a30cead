--TEST--
pack()/unpack(): argument types are checked by PHP (TypeError, ArgumentCountError)
--FILE--
<?php
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;

function attempt(string $label, callable $fn): void
{
    try {
        $r = $fn();
        echo $label, ': no exception, got ', is_string($r) ? 'string ' . bin2hex($r) : var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo $label, ': ', get_class($e), "\n";
        echo '    ', $e->getMessage(), "\n";
    }
}

foreach (['Swoole\WebSocket\Server', 'Swoole\WebSocket\Frame'] as $class) {
    echo "== $class\n";
    attempt('pack([])', fn () => $class::pack([]));
    attempt('pack(stdClass)', fn () => $class::pack(new stdClass));
    attempt("pack('x', 'abc')", fn () => $class::pack('x', 'abc'));
    attempt("pack('x', [])", fn () => $class::pack('x', []));
    attempt("pack('x', 1, 'abc')", fn () => $class::pack('x', 1, 'abc'));
    attempt("pack('x', 1, [])", fn () => $class::pack('x', 1, []));
    attempt('pack()', fn () => $class::pack());
    attempt("pack('x', 1, 1, 1)", fn () => $class::pack('x', 1, 1, 1));
    attempt('unpack()', fn () => $class::unpack());
    attempt('unpack([])', fn () => $class::unpack([]));
    attempt('unpack(stdClass)', fn () => $class::unpack(new stdClass));
    attempt("unpack('a', 'b')", fn () => $class::unpack('a', 'b'));
}
?>
--EXPECT--
== Swoole\WebSocket\Server
pack([]): TypeError
    Swoole\WebSocket\Server::pack(): Argument #1 ($data) must be of type Swoole\WebSocket\Frame|string, array given
pack(stdClass): TypeError
    Swoole\WebSocket\Server::pack(): Argument #1 ($data) must be of type Swoole\WebSocket\Frame|string, stdClass given
pack('x', 'abc'): TypeError
    Swoole\WebSocket\Server::pack(): Argument #2 ($opcode) must be of type int, string given
pack('x', []): TypeError
    Swoole\WebSocket\Server::pack(): Argument #2 ($opcode) must be of type int, array given
pack('x', 1, 'abc'): TypeError
    Swoole\WebSocket\Server::pack(): Argument #3 ($flags) must be of type int, string given
pack('x', 1, []): TypeError
    Swoole\WebSocket\Server::pack(): Argument #3 ($flags) must be of type int, array given
pack(): ArgumentCountError
    Swoole\WebSocket\Server::pack() expects at least 1 argument, 0 given
pack('x', 1, 1, 1): ArgumentCountError
    Swoole\WebSocket\Server::pack() expects at most 3 arguments, 4 given
unpack(): ArgumentCountError
    Swoole\WebSocket\Server::unpack() expects exactly 1 argument, 0 given
unpack([]): TypeError
    Swoole\WebSocket\Server::unpack(): Argument #1 ($data) must be of type string, array given
unpack(stdClass): TypeError
    Swoole\WebSocket\Server::unpack(): Argument #1 ($data) must be of type string, stdClass given
unpack('a', 'b'): ArgumentCountError
    Swoole\WebSocket\Server::unpack() expects exactly 1 argument, 2 given
== Swoole\WebSocket\Frame
pack([]): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #1 ($data) must be of type Swoole\WebSocket\Frame|string, array given
pack(stdClass): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #1 ($data) must be of type Swoole\WebSocket\Frame|string, stdClass given
pack('x', 'abc'): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #2 ($opcode) must be of type int, string given
pack('x', []): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #2 ($opcode) must be of type int, array given
pack('x', 1, 'abc'): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #3 ($flags) must be of type int, string given
pack('x', 1, []): TypeError
    Swoole\WebSocket\Frame::pack(): Argument #3 ($flags) must be of type int, array given
pack(): ArgumentCountError
    Swoole\WebSocket\Frame::pack() expects at least 1 argument, 0 given
pack('x', 1, 1, 1): ArgumentCountError
    Swoole\WebSocket\Frame::pack() expects at most 3 arguments, 4 given
unpack(): ArgumentCountError
    Swoole\WebSocket\Frame::unpack() expects exactly 1 argument, 0 given
unpack([]): TypeError
    Swoole\WebSocket\Frame::unpack(): Argument #1 ($data) must be of type string, array given
unpack(stdClass): TypeError
    Swoole\WebSocket\Frame::unpack(): Argument #1 ($data) must be of type string, stdClass given
unpack('a', 'b'): ArgumentCountError
    Swoole\WebSocket\Frame::unpack() expects exactly 1 argument, 2 given
