--TEST--
pack(): shortest length encoding at every boundary (7-bit, 16-bit, 64-bit)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
ini_set('memory_limit', '512M'); // a 16 MiB frame is packed by Server::pack and Frame::pack

foreach ([0, 1, 124, 125, 126, 127, 255, 256, 1000, 65534, 65535, 65536, 65537, 100000, 1 << 20, (1 << 24) + 3] as $n) {
    $payload = str_repeat(chr(65 + $n % 26), $n);
    foreach ([WEBSOCKET_OPCODE_TEXT, WEBSOCKET_OPCODE_BINARY] as $op) {
        $f = ws_pack($payload, $op);
        $hlen = $n <= 125 ? 2 : ($n <= 65535 ? 4 : 10);
        $ok = strlen($f) === $hlen + $n && substr($f, $hlen) === $payload;
        if ($op === WEBSOCKET_OPCODE_TEXT) {
            printf("%8d: header %s, payload intact %s\n", $n, bin2hex(substr($f, 0, $hlen)), var_export($ok, true));
        } elseif (!$ok || ord($f[0]) !== 0x82 || substr($f, 1, $hlen - 1) !== substr(ws_pack($payload), 1, $hlen - 1)) {
            echo "binary frame of $n bytes is wrong\n";
        }
    }
}
// Control frames at their limit use the 7-bit form.
echo bin2hex(substr(ws_pack(str_repeat('p', 125), WEBSOCKET_OPCODE_PING), 0, 2)), "\n";
echo bin2hex(substr(ws_pack(str_repeat('p', 125), WEBSOCKET_OPCODE_PONG), 0, 2)), "\n";
// A non-final 126-byte frame.
echo bin2hex(substr(ws_pack(str_repeat('a', 126), WEBSOCKET_OPCODE_TEXT, 0), 0, 4)), "\n";
// 126-byte frame, exact bytes.
var_dump(ws_pack(str_repeat('a', 126)) === "\x81\x7e\x00\x7e" . str_repeat('a', 126));
?>
--EXPECT--
       0: header 8100, payload intact true
       1: header 8101, payload intact true
     124: header 817c, payload intact true
     125: header 817d, payload intact true
     126: header 817e007e, payload intact true
     127: header 817e007f, payload intact true
     255: header 817e00ff, payload intact true
     256: header 817e0100, payload intact true
    1000: header 817e03e8, payload intact true
   65534: header 817efffe, payload intact true
   65535: header 817effff, payload intact true
   65536: header 817f0000000000010000, payload intact true
   65537: header 817f0000000000010001, payload intact true
  100000: header 817f00000000000186a0, payload intact true
 1048576: header 817f0000000000100000, payload intact true
16777219: header 817f0000000001000003, payload intact true
897d
8a7d
017e007e
bool(true)
