--TEST--
pack(): refused input gives one E_WARNING and false (bad opcode, control payload over 125 bytes)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;

function try_pack(string $label, callable $fn): void
{
    [$r, $e] = ws_capture($fn);
    printf("%-28s %s", $label, ws_show($r));
    foreach ($e as $msg) {
        echo ' | ', strtok($msg, ':');
    }
    echo "\n";
}

// Opcodes that are not 0, 1, 2, 8, 9 or 10, whatever the payload and flags.
foreach ([3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, -1, 256, 257, 0x108, PHP_INT_MAX, PHP_INT_MIN] as $op) {
    [$r, $e] = ws_capture(fn () => Server::pack('x', $op));
    [$r2, $e2] = ws_capture(fn () => Frame::pack('', $op, 0));
    $msgOk = count($e) === 1 && str_starts_with($e[0], 'E_WARNING: ')
        && strpos($e[0], "opcode $op is not a WebSocket opcode") !== false;
    printf("opcode %d: %s, %d warning(s), message ok: %s; Frame::pack: %s, %d warning(s)\n",
        $op, ws_show($r), count($e), var_export($msgOk, true), ws_show($r2), count($e2));
}

// The same through a Frame object.
$o = new Frame();
$o->opcode = 3;
try_pack('Frame opcode 3', fn () => Server::pack($o));
try_pack('Frame opcode 11', fn () => Frame::pack((function () { $f = new Frame(); $f->opcode = 11; return $f; })()));
try_pack('Frame opcode -1', fn () => Server::pack((function () { $f = new Frame(); $f->opcode = -1; return $f; })()));

// Ping/pong payloads are limited to 125 bytes.
try_pack('ping 125', fn () => strlen(Server::pack(str_repeat('p', 125), WEBSOCKET_OPCODE_PING)));
try_pack('ping 126', fn () => Server::pack(str_repeat('p', 126), WEBSOCKET_OPCODE_PING));
try_pack('pong 126', fn () => Server::pack(str_repeat('p', 126), WEBSOCKET_OPCODE_PONG));
try_pack('ping 65536', fn () => Server::pack(str_repeat('p', 65536), WEBSOCKET_OPCODE_PING));
try_pack('Frame::pack ping 126', fn () => Frame::pack(str_repeat('p', 126), WEBSOCKET_OPCODE_PING));
try_pack('masked pong 126', fn () => Server::pack(str_repeat('p', 126), WEBSOCKET_OPCODE_PONG, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_MASK));
$o = new Frame();
$o->opcode = WEBSOCKET_OPCODE_PING;
$o->data = str_repeat('p', 126);
try_pack('Frame ping 126', fn () => Server::pack($o));
// Close reason over 123 bytes.
try_pack('close reason 124', fn () => Server::pack(str_repeat('r', 124), WEBSOCKET_OPCODE_CLOSE));
// Close code forbidden on the wire.
$c = new Swoole\WebSocket\CloseFrame();
$c->code = 1005;
try_pack('CloseFrame code 1005', fn () => Server::pack($c));
// Large data frames are fine.
try_pack('text 126', fn () => strlen(Server::pack(str_repeat('t', 126))));

echo "done\n";
?>
--EXPECT--
opcode 3: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 4: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 5: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 6: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 7: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 11: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 12: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 13: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 14: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 15: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 16: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode -1: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 256: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 257: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 264: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode 9223372036854775807: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
opcode -9223372036854775808: false, 1 warning(s), message ok: true; Frame::pack: false, 1 warning(s)
Frame opcode 3               false | E_WARNING
Frame opcode 11              false | E_WARNING
Frame opcode -1              false | E_WARNING
ping 125                     127
ping 126                     false | E_WARNING
pong 126                     false | E_WARNING
ping 65536                   false | E_WARNING
Frame::pack ping 126         false | E_WARNING
masked pong 126              false | E_WARNING
Frame ping 126               false | E_WARNING
close reason 124             false | E_WARNING
CloseFrame code 1005         false | E_WARNING
text 126                     130
done
