--TEST--
pack() then unpack(): payloads of 0, 1, 125, 126, 65535, 65536 bytes and 1 MiB round-trip for every opcode and flag combination
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
const FIN = SWOOLE_WEBSOCKET_FLAG_FIN;
const COMPRESS = SWOOLE_WEBSOCKET_FLAG_COMPRESS;
const MASK = SWOOLE_WEBSOCKET_FLAG_MASK;

$sizes = [0, 1, 125, 126, 127, 65535, 65536, 1 << 20];
$flagSets = ['plain' => FIN, 'masked' => FIN | MASK, 'compressed' => FIN | COMPRESS,
             'masked+compressed' => FIN | MASK | COMPRESS, 'not final' => 0, 'not final masked' => MASK];
$count = 0;
$bad = 0;
foreach ($sizes as $n) {
    $binary = $n > 0 ? random_bytes($n) : '';
    $text = substr(str_repeat("h\u{e9}llo w\u{f6}rld ", intdiv($n, 14) + 1), 0, $n);
    foreach ([WEBSOCKET_OPCODE_TEXT => $text, WEBSOCKET_OPCODE_BINARY => $binary, WEBSOCKET_OPCODE_CONTINUATION => $binary] as $op => $data) {
        foreach ($flagSets as $name => $flags) {
            $wire = Server::pack($data, $op, $flags);
            $f = Server::unpack($wire);
            $compressed = ($flags & COMPRESS) && ($flags & FIN) && $op !== 0 && $n > 0;
            $expectFlags = ($flags & (FIN | MASK)) | ($compressed ? 6 : 0);
            $ok = $f instanceof Frame && get_class($f) === Frame::class && $f->data === $data && $f->opcode === $op
                && $f->flags === $expectFlags && $f->finish === (bool) ($flags & FIN) && $f->fd === 0;
            // Unmasked frames pack back to the very same bytes.
            if ($ok && !($flags & MASK)) {
                $ok = Server::pack($f) === $wire && Frame::pack($f) === $wire && (string) $f === $wire;
            }
            $count++;
            if (!$ok) {
                $bad++;
                echo "size $n opcode $op $name: ", ws_frame_str($f), "\n";
            }
        }
    }
    // Control frames within their 125-byte limit.
    if ($n <= 125) {
        foreach ([WEBSOCKET_OPCODE_PING, WEBSOCKET_OPCODE_PONG] as $op) {
            foreach ([FIN, FIN | MASK] as $flags) {
                $f = Server::unpack(Server::pack($binary, $op, $flags));
                $count++;
                if (!$f || $f->data !== $binary || $f->opcode !== $op || $f->flags !== $flags) {
                    $bad++;
                    echo "size $n control $op flags $flags: ", ws_frame_str($f), "\n";
                }
            }
        }
    }
    if ($n <= 123) {
        foreach ([FIN, FIN | MASK] as $flags) {
            $f = Server::unpack(Server::pack($binary, WEBSOCKET_OPCODE_CLOSE, $flags));
            $count++;
            if (!$f instanceof Swoole\WebSocket\CloseFrame || $f->code !== 1000 || $f->reason !== $binary || $f->data !== '') {
                $bad++;
                echo "size $n close: ", ws_frame_str($f), "\n";
            }
        }
    }
}
echo "$count round trips, $bad failed\n";
?>
--EXPECT--
160 round trips, 0 failed
