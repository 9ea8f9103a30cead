--TEST--
unpack(): RSV1 frames are inflated (RFC 7692 examples, masked then inflated); corrupt payloads give false silently
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;

$cases = [
    // RFC 7692 7.2.3.1: "Hello" in one compressed block
    'RFC 7.2.3.1 one block'         => "\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00",
    // 7.2.3.3: a stored (uncompressed) DEFLATE block
    'RFC 7.2.3.3 stored block'      => "\xc1\x0b\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00",
    // 7.2.3.4: a block with BFINAL set
    'RFC 7.2.3.4 BFINAL block'      => "\xc1\x08\xf3\x48\xcd\xc9\xc9\x07\x00\x00",
    // 7.2.3.5: two blocks in one message
    'RFC 7.2.3.5 two blocks'        => "\xc1\x0d\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00",
    // 7.2.3.6: an empty message
    'RFC 7.2.3.6 empty message'     => "\xc1\x01\x00",
    'binary'                        => "\xc2\x07\xf2\x48\xcd\xc9\xc9\x07\x00",
    'not final (whole stream)'      => "\x41\x07\xf2\x48\xcd\xc9\xc9\x07\x00",
    'masked: unmask, then inflate'  => ws_raw(0xc1, "\xf2\x48\xcd\xc9\xc9\x07\x00", "\x37\xfa\x21\x3d"),
    'RSV1 + RSV2'                   => "\xe1\x07\xf2\x48\xcd\xc9\xc9\x07\x00",
    'trailing bytes ignored'        => "\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00\xff\xff",
    // corrupt DEFLATE data
    'reserved block type'           => "\xc1\x01\xff",
    'stored block bad length'       => "\xc1\x02\x01\x02",
    'garbage ffffff'                => "\xc1\x03\xff\xff\xff",
    'plain text with RSV1'          => "\xc1\x05hello",
    'garbage, binary'               => "\xc2\x01\xed",
    'garbage, masked'               => ws_raw(0xc1, "\xff\xff\xff", "\x01\x02\x03\x04"),
    'unmasked bytes of masked data' => "\xc1\x87\x37\xfa\x21\x3d" . "\xf2\x48\xcd\xc9\xc9\x07\x00",
];
foreach ($cases as $label => $wire) {
    printf("%-30s %s\n", $label, ws_frame_str(ws_unpack($wire)));
}

// Round trip of larger messages through pack(COMPRESS).
foreach ([1, 1000, 65536, 1 << 20] as $n) {
    $data = str_repeat('abcdefghij', intdiv($n, 10)) . substr('abcdefghij', 0, $n % 10);
    foreach ([SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS,
              SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS | SWOOLE_WEBSOCKET_FLAG_MASK] as $flags) {
        $f = ws_unpack(Server::pack($data, WEBSOCKET_OPCODE_TEXT, $flags));
        printf("%7d %s: %s flags=%d\n", $n, $flags & 32 ? 'masked' : 'plain ', var_export($f->data === $data, true), $f->flags);
    }
}
?>
--EXPECT--
RFC 7.2.3.1 one block          Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:48656c6c6f
RFC 7.2.3.3 stored block       Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:48656c6c6f
RFC 7.2.3.4 BFINAL block       Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:48656c6c6f
RFC 7.2.3.5 two blocks         Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:48656c6c6f
RFC 7.2.3.6 empty message      Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:
binary                         Swoole\WebSocket\Frame fd=0 opcode=2 flags=7 finish=true data=hex:48656c6c6f
not final (whole stream)       Swoole\WebSocket\Frame fd=0 opcode=1 flags=6 finish=false data=hex:48656c6c6f
masked: unmask, then inflate   Swoole\WebSocket\Frame fd=0 opcode=1 flags=39 finish=true data=hex:48656c6c6f
RSV1 + RSV2                    Swoole\WebSocket\Frame fd=0 opcode=1 flags=15 finish=true data=hex:48656c6c6f
trailing bytes ignored         Swoole\WebSocket\Frame fd=0 opcode=1 flags=7 finish=true data=hex:48656c6c6f
reserved block type            false
stored block bad length        false
garbage ffffff                 false
plain text with RSV1           false
garbage, binary                false
garbage, masked                false
unmasked bytes of masked data  false
      1 plain : true flags=7
      1 masked: true flags=39
   1000 plain : true flags=7
   1000 masked: true flags=39
  65536 plain : true flags=7
  65536 masked: true flags=39
1048576 plain : true flags=7
1048576 masked: true flags=39
