--TEST--
Example: examples/compression_server.php (websocket_compression, RFC 7692) runs unchanged: permessage-deflate is negotiated when offered, pushes with SWOOLE_WEBSOCKET_FLAG_COMPRESS carry RSV1 and inflate to "Hello Swoole"; a client that offers nothing gets plain frames
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('inflate_init')) die('skip zlib needed');
$probe = @stream_socket_server('tcp://0.0.0.0:9501');
if (!$probe) die('skip port 9501 is in use');
fclose($probe);
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Next raw frame of $c: [b0, masked, payload], null on timeout/EOF (bounded). */
function raw_frame(WsTestClient $c, float $timeout = 2.0): ?array
{
    $deadline = microtime(true) + $timeout;
    for (;;) {
        $b = $c->buffer;
        if (strlen($b) >= 2) {
            $len = ord($b[1]) & 0x7f;
            $pos = 2;
            if ($len === 126) {
                $len = strlen($b) >= 4 ? unpack('n', $b, 2)[1] : null;
                $pos = 4;
            } elseif ($len === 127) {
                $len = strlen($b) >= 10 ? unpack('J', $b, 2)[1] : null;
                $pos = 10;
            }
            $masked = (ord($b[1]) & 0x80) !== 0;
            if ($masked) {
                $pos += 4;
            }
            if ($len !== null && strlen($b) >= $pos + $len) {
                $c->buffer = (string) substr($b, $pos + $len);
                return [ord($b[0]), $masked, (string) substr($b, $pos, $len)];
            }
        }
        $left = $deadline - microtime(true);
        if ($left <= 0) {
            return null;
        }
        $r = [$c->sock];
        $w = $e = null;
        if (!@stream_select($r, $w, $e, 0, (int) min(200000, $left * 1e6))) {
            continue;
        }
        $d = fread($c->sock, 65536);
        if ($d === '' || $d === false) {
            return null;
        }
        $c->buffer .= $d;
    }
}

/** Describes a raw frame: header bits, and the payload (inflated when RSV1 is set). */
function describe($f, $inflate): string
{
    if ($f === null) {
        return 'no frame';
    }
    [$b0, $masked, $payload] = $f;
    $s = sprintf('fin=%d rsv1=%d rsv2=%d rsv3=%d opcode=%d masked=%d', $b0 >> 7, ($b0 >> 6) & 1, ($b0 >> 5) & 1,
        ($b0 >> 4) & 1, $b0 & 0x0f, $masked ? 1 : 0);
    if ($b0 & 0x40) {
        // RFC 7692 7.2.2: append 00 00 ff ff, inflate as raw deflate.
        $plain = @inflate_add($inflate, $payload . "\x00\x00\xff\xff", ZLIB_SYNC_FLUSH);
        return $s . ' inflated=' . var_export($plain, true);
    }
    return $s . ' payload=' . (($b0 & 0x0f) === 8 ? bin2hex($payload) : var_export($payload, true));
}

/** The body of a compressed message as a client sends it (RFC 7692 7.2.1). */
function deflate_message(string $text): string
{
    $ctx = deflate_init(ZLIB_ENCODING_RAW);
    $out = deflate_add($ctx, $text, ZLIB_SYNC_FLUSH);
    return substr($out, 0, -4);  // drop 00 00 ff ff
}

$offer = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits';
$srv = ws_start_server(__DIR__ . '/../../examples/compression_server.php', 9501);
try {
    echo "-- client offering permessage-deflate\n";
    $c = WsTestClient::connect(9501, '/', 2.0, [$offer]);
    $ext = $c->headers['sec-websocket-extensions'] ?? '(none)';
    echo "extensions header: $ext\n";
    echo "extension accepted: ", var_export(preg_match('~^permessage-deflate(\s*;|$)~', $ext) === 1, true), "\n";
    // The agreement may only hold parameters RFC 7692 defines, each once.
    $params = array_map('trim', array_slice(explode(';', $ext), 1));
    $names = array_map(fn ($p) => strtolower(explode('=', $p)[0]), $params);
    var_dump(count($names) === count(array_unique($names)) && !array_diff($names,
        ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits']));
    $inflate = inflate_init(ZLIB_ENCODING_RAW);
    $c->send('Hello');
    echo describe(raw_frame($c), $inflate), "\n";
    // A compressed message from the client (RSV1 on the first frame) is inflated by the
    // server and answered the same way.
    fwrite($c->sock, ws_raw(0x80 | 0x40 | WEBSOCKET_OPCODE_TEXT, deflate_message('Hello Swoole, compressed'), random_bytes(4)));
    echo describe(raw_frame($c), $inflate), "\n";
    $c->send("\xff\x00binary", WEBSOCKET_OPCODE_BINARY);
    echo describe(raw_frame($c), $inflate), "\n";
    echo describe(raw_frame($c, 0.3), $inflate), "\n";
    $c->sendClose(1000);
    echo describe(raw_frame($c), $inflate), "\n";
    var_dump($c->waitEof());
    $c->close();

    echo "-- client offering nothing\n";
    $d = WsTestClient::connect(9501);
    echo "extensions header: ", $d->headers['sec-websocket-extensions'] ?? '(none)', "\n";
    $d->send('Hello');
    echo describe(raw_frame($d), null), "\n";
    $d->sendClose(1000);
    echo describe(raw_frame($d), null), "\n";
    var_dump($d->waitEof());
    $d->close();

    echo "-- client offering another extension only\n";
    $e = WsTestClient::connect(9501, '/', 2.0, ['Sec-WebSocket-Extensions: x-webkit-deflate-frame']);
    echo "extensions header: ", $e->headers['sec-websocket-extensions'] ?? '(none)', "\n";
    $e->send('Hello');
    echo describe(raw_frame($e), null), "\n";
    $e->close();
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out, "-- end\n";
?>
--EXPECT--
-- client offering permessage-deflate
extensions header: permessage-deflate
extension accepted: true
bool(true)
fin=1 rsv1=1 rsv2=0 rsv3=0 opcode=1 masked=0 inflated='Hello Swoole'
fin=1 rsv1=1 rsv2=0 rsv3=0 opcode=1 masked=0 inflated='Hello Swoole'
fin=1 rsv1=1 rsv2=0 rsv3=0 opcode=1 masked=0 inflated='Hello Swoole'
no frame
fin=1 rsv1=0 rsv2=0 rsv3=0 opcode=8 masked=0 payload=03e8
bool(true)
-- client offering nothing
extensions header: (none)
fin=1 rsv1=0 rsv2=0 rsv3=0 opcode=1 masked=0 payload='Hello Swoole'
fin=1 rsv1=0 rsv2=0 rsv3=0 opcode=8 masked=0 payload=03e8
bool(true)
-- client offering another extension only
extensions header: (none)
fin=1 rsv1=0 rsv2=0 rsv3=0 opcode=1 masked=0 payload='Hello Swoole'
-- server output
-- end
