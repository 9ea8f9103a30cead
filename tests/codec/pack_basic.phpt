--TEST--
pack(): exact bytes of small unmasked frames, for Server::pack() and Frame::pack()
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;

$cases = [
    'empty text (defaults)'      => [''],
    'hello text (defaults)'      => ['hello'],
    'hello text explicit'        => ['hello', WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN],
    'binary'                     => ["\x00\xff\x80\x7f", WEBSOCKET_OPCODE_BINARY],
    'binary empty'               => ['', WEBSOCKET_OPCODE_BINARY],
    'text, not final'            => ['hel', WEBSOCKET_OPCODE_TEXT, 0],
    'continuation, not final'    => ['l', WEBSOCKET_OPCODE_CONTINUATION, 0],
    'continuation, final'        => ['lo', WEBSOCKET_OPCODE_CONTINUATION, SWOOLE_WEBSOCKET_FLAG_FIN],
    'binary, not final'          => ["\x01", WEBSOCKET_OPCODE_BINARY, 0],
    'ping empty'                 => ['', WEBSOCKET_OPCODE_PING],
    'ping with payload'          => ['ping', WEBSOCKET_OPCODE_PING],
    'pong with payload'          => ['pong', WEBSOCKET_OPCODE_PONG],
    'pong empty'                 => ['', WEBSOCKET_OPCODE_PONG],
    'close, empty reason'        => ['', WEBSOCKET_OPCODE_CLOSE],
    'close, reason bye'          => ['bye', WEBSOCKET_OPCODE_CLOSE],
    'opcode via SWOOLE_ alias'   => ['x', SWOOLE_WEBSOCKET_OPCODE_BINARY],
    'utf-8 text'                 => ["h\u{e9}\u{1F600}", WEBSOCKET_OPCODE_TEXT],
    'text with NUL bytes'        => ["a\0b\0", WEBSOCKET_OPCODE_TEXT],
    'invalid utf-8 as text'      => ["\xff\xfe", WEBSOCKET_OPCODE_TEXT],
];
foreach ($cases as $label => $args) {
    $r = ws_pack(...$args);
    printf("%-26s %s\n", $label, ws_show($r));
}

// Named arguments work with the documented parameter names.
echo ws_show(Server::pack(data: 'x', opcode: WEBSOCKET_OPCODE_BINARY, flags: 0)), "\n";
echo ws_show(Server::pack('x', flags: SWOOLE_WEBSOCKET_FLAG_FIN)), "\n";
// A string $data that looks numeric stays what it is.
echo ws_show(Server::pack('123')), "\n";
// Per PHP's coercion for a Frame|string parameter, an int becomes its decimal string.
echo ws_show(Server::pack(123)), "\n";
?>
--EXPECT--
empty text (defaults)      string(2) 8100
hello text (defaults)      string(7) 810568656c6c6f
hello text explicit        string(7) 810568656c6c6f
binary                     string(6) 820400ff807f
binary empty               string(2) 8200
text, not final            string(5) 010368656c
continuation, not final    string(3) 00016c
continuation, final        string(4) 80026c6f
binary, not final          string(3) 020101
ping empty                 string(2) 8900
ping with payload          string(6) 890470696e67
pong with payload          string(6) 8a04706f6e67
pong empty                 string(2) 8a00
close, empty reason        string(4) 880203e8
close, reason bye          string(7) 880503e8627965
opcode via SWOOLE_ alias   string(3) 820178
utf-8 text                 string(9) 810768c3a9f09f9880
text with NUL bytes        string(6) 810461006200
invalid utf-8 as text      string(4) 8102fffe
string(3) 020178
string(3) 810178
string(5) 8103313233
string(5) 8103313233
