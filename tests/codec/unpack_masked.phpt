--TEST--
unpack(): masked client frames built by hand decode correctly at every length; the input is untouched
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;

$keys = ["\x37\xfa\x21\x3d", "\xff\xff\xff\xff", "\x01\x02\x03\x04", "\x80\x00\x00\x01"];
$bad = 0;
$checked = 0;
// Every length from 0 to 300 (word-at-a-time unmasking must handle every tail), every key.
for ($n = 0; $n <= 300; $n++) {
    $payload = '';
    for ($i = 0; $i < $n; $i++) {
        $payload .= chr(($i * 7 + $n) & 0xff);
    }
    foreach ($keys as $key) {
        $wire = ws_raw(0x82, $payload, $key);
        $before = bin2hex($wire);
        $f = Server::unpack($wire);
        $checked++;
        if (!$f || $f->data !== $payload || $f->flags !== 33 || $f->opcode !== 2 || bin2hex($wire) !== $before) {
            $bad++;
            if ($bad < 5) {
                echo "length $n key ", bin2hex($key), ': ', ws_frame_str($f), "\n";
            }
        }
    }
}
echo "$checked masked frames, $bad wrong\n";

// Large masked frames: 16-bit and 64-bit lengths, 1 MiB.
foreach ([65535, 65536, 1 << 20] as $n) {
    $payload = random_bytes($n);
    $wire = ws_raw(0x82, $payload, "\x9a\x0b\x5c\x7d");
    $hash = md5($wire);
    $f = ws_unpack($wire);
    printf("%7d: data ok %s, flags %d, input untouched %s\n", $n, var_export($f->data === $payload, true), $f->flags,
        var_export(md5($wire) === $hash, true));
}

// A masked payload that only unmasks correctly from the start of the key, not at an offset.
$wire = ws_raw(0x81, 'abcdefgh', 'WXYZ');
echo ws_frame_str(ws_unpack($wire)), "\n";
// Masked frames of every opcode.
foreach ([0x01, 0x02, 0x00, 0x80, 0x89, 0x8a] as $b0) {
    echo ws_frame_str(ws_unpack(ws_raw($b0, 'm', "\xaa\xbb\xcc\xdd"))), "\n";
}
// A masked close frame: the code and reason are unmasked.
echo ws_frame_str(ws_unpack(ws_raw(0x88, "\x03\xe9gone", "\x11\x22\x33\x44"))), "\n";
// The same masked frame given with 16-bit length encoding of a big payload and a trailing frame.
$payload = str_repeat('0123456789', 20);
$f = ws_unpack(ws_raw(0x81, $payload, "\x00\xff\x00\xff") . "\x81\x00");
var_dump($f->data === $payload);
?>
--EXPECT--
1204 masked frames, 0 wrong
  65535: data ok true, flags 33, input untouched true
  65536: data ok true, flags 33, input untouched true
1048576: data ok true, flags 33, input untouched true
Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:6162636465666768
Swoole\WebSocket\Frame fd=0 opcode=1 flags=32 finish=false data=hex:6d
Swoole\WebSocket\Frame fd=0 opcode=2 flags=32 finish=false data=hex:6d
Swoole\WebSocket\Frame fd=0 opcode=0 flags=32 finish=false data=hex:6d
Swoole\WebSocket\Frame fd=0 opcode=0 flags=33 finish=true data=hex:6d
Swoole\WebSocket\Frame fd=0 opcode=9 flags=33 finish=true data=hex:6d
Swoole\WebSocket\Frame fd=0 opcode=10 flags=33 finish=true data=hex:6d
Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=33 finish=true code=1001 reason=hex:676f6e65 data=hex:
bool(true)
