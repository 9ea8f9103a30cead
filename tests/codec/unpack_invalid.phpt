--TEST--
unpack(): invalid frames give false with no diagnostic (reserved opcodes, bad control frames, RSV1 misuse, 1-byte close, 64-bit top bit)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;

function check(string $label, string $wire): void
{
    printf("%-34s %s\n", $label, ws_frame_str(ws_unpack($wire)));
}

foreach ([3, 4, 5, 6, 7, 11, 12, 13, 14, 15] as $op) {
    $r = [ws_unpack(chr(0x80 | $op) . "\x00"), ws_unpack(chr($op) . "\x02ab"),
          ws_unpack(ws_raw(0x80 | $op, 'xyz', "\x01\x02\x03\x04")), ws_unpack(ws_raw(0x80 | $op, str_repeat('z', 200)))];
    echo "reserved opcode $op: ", implode(' ', array_map(fn ($x) => var_export($x, true), $r)), "\n";
}
check('ping 126 bytes (16-bit length)', ws_raw(0x89, str_repeat('p', 126)));
check('pong 200 bytes', ws_raw(0x8a, str_repeat('p', 200)));
check('close 126 bytes', ws_raw(0x88, "\x03\xe8" . str_repeat('r', 124)));
check('ping 65536 bytes (64-bit length)', ws_raw(0x89, str_repeat('p', 65536)));
check('masked ping 126 bytes', ws_raw(0x89, str_repeat('p', 126), "\x01\x02\x03\x04"));
check('ping, not final', "\x09\x00");
check('pong, not final', "\x0a\x01x");
check('close, not final', "\x08\x02\x03\xe8");
check('masked ping, not final', ws_raw(0x09, 'x', "\x01\x02\x03\x04"));
check('RSV1 on close', "\xc8\x02\x03\xe8");
check('RSV1 on ping', "\xc9\x00");
check('RSV1 on pong', "\xca\x01\x00");
check('RSV1 on continuation', "\xc0\x01\x00");
check('RSV1 on continuation, not final', "\x40\x01\x00");
check('RSV1|RSV2|RSV3 on ping', "\xf9\x00");
check('close with 1-byte body', "\x88\x01\x03");
check('masked close with 1-byte body', ws_raw(0x88, "\x03", "\x0a\x0b\x0c\x0d"));
check('64-bit length, top bit set', "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x05hello");
check('64-bit length, all ones', "\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff" . str_repeat('x', 20));
check('masked, 64-bit top bit set', "\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01\x01\x02\x03\x04x");
check('empty input', '');

// Every first byte (FIN, RSV1-3, opcode), unmasked and masked, with a 1- or 2-byte payload:
// valid exactly when the opcode is 0, 1, 2, 8, 9 or 10, a control frame is final, and RSV1
// is only on text/binary frames (the payload "\x00" is an empty DEFLATE block, RFC 7692 7.2.3.6).
$problems = 0;
$valid = 0;
for ($b0 = 0; $b0 < 256; $b0++) {
    $fin = ($b0 & 0x80) !== 0;
    $rsv1 = ($b0 & 0x40) !== 0;
    $op = $b0 & 0x0f;
    $payload = $op === 8 ? "\x03\xe8" : "\x00";
    $expectValid = in_array($op, [0, 1, 2, 8, 9, 10], true) && ($op < 8 || $fin) && (!$rsv1 || $op === 1 || $op === 2);
    foreach ([null, "\x5a\xa5\x0f\xf0"] as $key) {
        [$f, $e] = ws_capture(fn () => Server::unpack(ws_raw($b0, $payload, $key)));
        $flags = ($fin ? 1 : 0) | ($rsv1 ? 6 : 0) | ($b0 & 0x20 ? 8 : 0) | ($b0 & 0x10 ? 16 : 0) | ($key ? 32 : 0);
        $ok = $e === [] && ($expectValid
            ? $f instanceof Frame && $f->opcode === $op && $f->flags === $flags && $f->finish === $fin
              && ($op === 8 ? $f->code === 1000 : $f->data === ($rsv1 ? '' : "\x00"))
            : $f === false);
        $valid += $expectValid ? 1 : 0;
        if (!$ok && ++$problems <= 10) {
            printf("first byte %02x%s: %s %s\n", $b0, $key ? ' masked' : '', ws_frame_str($f), implode(' | ', $e));
        }
    }
}
echo "first-byte sweep: $valid valid, ", 512 - $valid, " invalid, $problems problems\n";
?>
--EXPECT--
reserved opcode 3: false false false false
reserved opcode 4: false false false false
reserved opcode 5: false false false false
reserved opcode 6: false false false false
reserved opcode 7: false false false false
reserved opcode 11: false false false false
reserved opcode 12: false false false false
reserved opcode 13: false false false false
reserved opcode 14: false false false false
reserved opcode 15: false false false false
ping 126 bytes (16-bit length)     false
pong 200 bytes                     false
close 126 bytes                    false
ping 65536 bytes (64-bit length)   false
masked ping 126 bytes              false
ping, not final                    false
pong, not final                    false
close, not final                   false
masked ping, not final             false
RSV1 on close                      false
RSV1 on ping                       false
RSV1 on pong                       false
RSV1 on continuation               false
RSV1 on continuation, not final    false
RSV1|RSV2|RSV3 on ping             false
close with 1-byte body             false
masked close with 1-byte body      false
64-bit length, top bit set         false
64-bit length, all ones            false
masked, 64-bit top bit set         false
empty input                        false
first-byte sweep: 104 valid, 408 invalid, 0 problems
