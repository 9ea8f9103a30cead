--TEST--
pack(): $flags handling (bool compatibility, kept bits, RSV bits, control frames forced final)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
const FIN = SWOOLE_WEBSOCKET_FLAG_FIN;
const COMPRESS = SWOOLE_WEBSOCKET_FLAG_COMPRESS;
const RSV1 = SWOOLE_WEBSOCKET_FLAG_RSV1;
const RSV2 = SWOOLE_WEBSOCKET_FLAG_RSV2;
const RSV3 = SWOOLE_WEBSOCKET_FLAG_RSV3;

$cases = [
    // The pre-4.4.12 "bool $finish" signature (no strict_types): false = not final, true = final.
    'text, false'              => ['x', WEBSOCKET_OPCODE_TEXT, false],
    'text, true'               => ['x', WEBSOCKET_OPCODE_TEXT, true],
    'binary, false'            => ['x', WEBSOCKET_OPCODE_BINARY, false],
    'continuation, true'       => ['x', WEBSOCKET_OPCODE_CONTINUATION, true],
    'continuation, false'      => ['x', WEBSOCKET_OPCODE_CONTINUATION, false],
    // Bits outside FIN|COMPRESS|RSV1|RSV2|RSV3|MASK (63) are dropped.
    'FIN + bits 64..2^16'      => ['x', WEBSOCKET_OPCODE_TEXT, FIN | 64 | 128 | 256 | 1024 | 65536],
    'bits 64|128 only'         => ['x', WEBSOCKET_OPCODE_TEXT, 64 | 128],
    'bit 128 on binary'        => ['x', WEBSOCKET_OPCODE_BINARY, FIN | 0x80],
    // RSV1 alone: the bit is set, the payload is not touched (the caller compressed it).
    'RSV1 text'                => ['x', WEBSOCKET_OPCODE_TEXT, FIN | RSV1],
    'RSV1 binary'              => ['x', WEBSOCKET_OPCODE_BINARY, FIN | RSV1],
    'RSV1 text, not final'     => ['x', WEBSOCKET_OPCODE_TEXT, RSV1],
    // RSV2 and RSV3 are never written.
    'RSV2 text'                => ['x', WEBSOCKET_OPCODE_TEXT, FIN | RSV2],
    'RSV3 text'                => ['x', WEBSOCKET_OPCODE_TEXT, FIN | RSV3],
    'RSV2|RSV3, not final'     => ['x', WEBSOCKET_OPCODE_TEXT, RSV2 | RSV3],
    // Control frames: FIN forced, COMPRESS and RSV1 dropped.
    'ping, flags 0'            => ['x', WEBSOCKET_OPCODE_PING, 0],
    'ping, false'              => ['x', WEBSOCKET_OPCODE_PING, false],
    'pong, flags 0'            => ['x', WEBSOCKET_OPCODE_PONG, 0],
    'close, flags 0'           => ['x', WEBSOCKET_OPCODE_CLOSE, 0],
    'ping, RSV1'               => ['x', WEBSOCKET_OPCODE_PING, FIN | RSV1],
    'pong, COMPRESS'           => ['x', WEBSOCKET_OPCODE_PONG, FIN | COMPRESS],
    'close, COMPRESS|RSV1'     => ['x', WEBSOCKET_OPCODE_CLOSE, COMPRESS | RSV1],
    'ping, RSV2|RSV3'          => ['x', WEBSOCKET_OPCODE_PING, RSV2 | RSV3],
];
foreach ($cases as $label => $args) {
    printf("%-24s %s\n", $label, ws_show(ws_pack(...$args)));
}

// With strict_types a bool is refused like any non-int: checked in a separate file scope.
echo ws_show(ws_capture(function () {
    return eval('declare(strict_types=1); return Swoole\WebSocket\Server::pack("x", 1, false);');
})[0] instanceof TypeError), "\n";
?>
--EXPECT--
text, false              string(3) 010178
text, true               string(3) 810178
binary, false            string(3) 020178
continuation, true       string(3) 800178
continuation, false      string(3) 000178
FIN + bits 64..2^16      string(3) 810178
bits 64|128 only         string(3) 010178
bit 128 on binary        string(3) 820178
RSV1 text                string(3) c10178
RSV1 binary              string(3) c20178
RSV1 text, not final     string(3) 410178
RSV2 text                string(3) 810178
RSV3 text                string(3) 810178
RSV2|RSV3, not final     string(3) 010178
ping, flags 0            string(3) 890178
ping, false              string(3) 890178
pong, flags 0            string(3) 8a0178
close, flags 0           string(5) 880303e878
ping, RSV1               string(3) 890178
pong, COMPRESS           string(3) 8a0178
close, COMPRESS|RSV1     string(5) 880303e878
ping, RSV2|RSV3          string(3) 890178
true
