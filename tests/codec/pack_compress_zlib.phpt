--TEST--
pack(): compressed payloads cross-checked with ext/zlib (raw deflate, sync-flush tail removed)
--SKIPIF--
<?php if (!extension_loaded('zlib')) die('skip ext/zlib is needed to check the deflate stream independently'); ?>
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
const FIN = SWOOLE_WEBSOCKET_FLAG_FIN;
const COMPRESS = SWOOLE_WEBSOCKET_FLAG_COMPRESS;
const MASK = SWOOLE_WEBSOCKET_FLAG_MASK;

/** What a permessage-deflate receiver does (RFC 7692 7.2.2): append 00 00 ff ff, inflate raw. */
function receiver_inflate(string $payload)
{
    $ctx = inflate_init(ZLIB_ENCODING_RAW);
    return inflate_add($ctx, $payload . "\x00\x00\xff\xff", ZLIB_SYNC_FLUSH);
}

/** A fresh raw deflate stream at the default level, sync-flushed, tail removed. */
function reference_deflate(string $data): string
{
    $ctx = deflate_init(ZLIB_ENCODING_RAW, ['level' => -1, 'window' => 15, 'memory' => 8]);
    $out = deflate_add($ctx, $data, ZLIB_SYNC_FLUSH);
    return substr($out, -4) === "\x00\x00\xff\xff" ? substr($out, 0, -4) : $out;
}

$inputs = [
    'Hello'     => 'Hello',
    'one byte'  => 'x',
    'text 90k'  => str_repeat('The quick brown fox jumps over the lazy dog. ', 2000),
    'zeros 1M'  => str_repeat("\0", 1 << 20),
    'json'      => json_encode(array_fill(0, 500, ['id' => 1, 'name' => 'wsserver', 'ok' => true])),
];
foreach ($inputs as $label => $data) {
    foreach ([FIN | COMPRESS, FIN | COMPRESS | MASK] as $flags) {
        $f = Server::pack($data, WEBSOCKET_OPCODE_BINARY, $flags);
        $p = ws_parse($f);
        printf("%-9s %-6s rsv1=%d fin=%d exact_len=%s tail_removed=%s zlib_inflates_back=%s same_as_zlib_default=%s\n",
            $label, $flags & MASK ? 'masked' : 'plain', ($p['b0'] >> 6) & 1, $p['b0'] >> 7,
            var_export($p['exact'], true),
            var_export(substr($p['payload'], -4) !== "\x00\x00\xff\xff", true),
            var_export(receiver_inflate($p['payload']) === $data, true),
            var_export($p['payload'] === reference_deflate($data), true));
    }
}
?>
--EXPECT--
Hello     plain  rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
Hello     masked rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
one byte  plain  rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
one byte  masked rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
text 90k  plain  rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
text 90k  masked rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
zeros 1M  plain  rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
zeros 1M  masked rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
json      plain  rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
json      masked rsv1=1 fin=1 exact_len=true tail_removed=true zlib_inflates_back=true same_as_zlib_default=true
