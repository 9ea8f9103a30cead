--TEST--
pack(): SWOOLE_WEBSOCKET_FLAG_MASK masks with a random key; the frame decodes back
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
const FIN = SWOOLE_WEBSOCKET_FLAG_FIN;
const MASK = SWOOLE_WEBSOCKET_FLAG_MASK;

function check(string $label, string $data, int $opcode, int $flags, ?string $expectPayload = null): void
{
    $f = Server::pack($data, $opcode, $flags);
    $p = ws_parse($f);
    $u = Server::unpack($f);
    printf("%-22s b0=%02x b1=%02x len=%d header=%d key=%s exact=%s payload_ok=%s unpack=%s\n",
        $label, $p['b0'], $p['b1'], $p['len'], $p['header_size'],
        $p['key'] === null ? 'none' : strlen($p['key']) . 'B', var_export($p['exact'], true),
        var_export($p['payload'] === ($expectPayload ?? $data), true), ws_frame_str($u));
}

check('hello', 'hello', WEBSOCKET_OPCODE_TEXT, FIN | MASK);
check('empty', '', WEBSOCKET_OPCODE_TEXT, FIN | MASK);
check('binary 7', "\x00\x01\x02\x03\x04\x05\x06", WEBSOCKET_OPCODE_BINARY, FIN | MASK);
check('not final', 'abc', WEBSOCKET_OPCODE_TEXT, MASK);
check('ping', 'p', WEBSOCKET_OPCODE_PING, MASK);
check('close', 'bye', WEBSOCKET_OPCODE_CLOSE, FIN | MASK, "\x03\xe8bye");
foreach ([125, 126, 65535, 65536] as $n) {
    $data = str_repeat('z', $n);
    $f = Server::pack($data, WEBSOCKET_OPCODE_BINARY, FIN | MASK);
    $p = ws_parse($f);
    $hlen = $n <= 125 ? 6 : ($n <= 65535 ? 8 : 14);
    printf("%6d: header %s + key, total %d, payload_ok=%s, roundtrip=%s\n", $n,
        bin2hex(substr($f, 0, $hlen - 4)), strlen($f), var_export($p['payload'] === $data, true),
        var_export(Server::unpack($f)->data === $data, true));
}

// The payload on the wire really is masked (not the plain text).
$data = str_repeat('A', 64);
$f = Server::pack($data, WEBSOCKET_OPCODE_TEXT, FIN | MASK);
var_dump(substr($f, 6) !== $data);

// Random keys: eight packs of the same data do not all share one key, and none of the
// keys is the fixed "258E" Swoole uses (each check fails by chance with p ~ 2^-32).
$keys = [];
foreach (range(1, 8) as $i) {
    $keys[] = ws_parse(Server::pack('same data', WEBSOCKET_OPCODE_TEXT, FIN | MASK))['key'];
    $keys[] = ws_parse(Frame::pack('same data', WEBSOCKET_OPCODE_TEXT, FIN | MASK))['key'];
}
echo 'distinct keys: ', count(array_unique($keys)) > 1 ? 'yes' : 'no', "\n";
echo 'fixed 258E key used: ', in_array('258E', $keys, true) ? 'yes' : 'no', "\n";

// A masked Frame object ((string) and Frame::pack use the same path).
$o = new Frame();
$o->data = 'object';
$o->flags = FIN | MASK;
$s = (string) $o;
$p = ws_parse($s);
printf("object: b0=%02x b1=%02x payload_ok=%s\n", $p['b0'], $p['b1'], var_export($p['payload'] === 'object', true));
?>
--EXPECT--
hello                  b0=81 b1=85 len=5 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:68656c6c6f
empty                  b0=81 b1=80 len=0 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:
binary 7               b0=82 b1=87 len=7 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\Frame fd=0 opcode=2 flags=33 finish=true data=hex:00010203040506
not final              b0=01 b1=83 len=3 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\Frame fd=0 opcode=1 flags=32 finish=false data=hex:616263
ping                   b0=89 b1=81 len=1 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\Frame fd=0 opcode=9 flags=33 finish=true data=hex:70
close                  b0=88 b1=85 len=5 header=6 key=4B exact=true payload_ok=true unpack=Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=33 finish=true code=1000 reason=hex:627965 data=hex:
   125: header 82fd + key, total 131, payload_ok=true, roundtrip=true
   126: header 82fe007e + key, total 134, payload_ok=true, roundtrip=true
 65535: header 82feffff + key, total 65543, payload_ok=true, roundtrip=true
 65536: header 82ff0000000000010000 + key, total 65550, payload_ok=true, roundtrip=true
bool(true)
distinct keys: yes
fixed 258E key used: no
object: b0=81 b1=86 payload_ok=true
