--TEST--
unpack(): a compressed payload may inflate to 64 MiB and no more (bombs give false, without using the memory)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
ini_set('memory_limit', '512M');
const MiB = 1024 * 1024;
const FIN_COMPRESS = SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS;

// Exactly 64 MiB: accepted.
$wire = Server::pack(str_repeat("\0", 64 * MiB), WEBSOCKET_OPCODE_BINARY, FIN_COMPRESS);
echo 'compressed 64 MiB: ', strlen($wire) < MiB ? 'small' : 'large', ', rsv1=', (ord($wire[0]) >> 6) & 1, "\n";
$f = Server::unpack($wire);
var_dump($f instanceof Swoole\WebSocket\Frame, strlen($f->data), $f->data === str_repeat("\0", 64 * MiB));
unset($f);

// One byte more: refused.
$wire1 = Server::pack(str_repeat("\0", 64 * MiB + 1), WEBSOCKET_OPCODE_BINARY, FIN_COMPRESS);
var_dump(Server::unpack($wire1));
var_dump(Swoole\WebSocket\Frame::unpack($wire1));

// A bomb: the 64 MiB stream repeated 16 times (each copy completed with the 00 00 ff ff
// flush block it ended with, so the blocks follow each other) inflates to 1 GiB.
$p = ws_parse($wire)['payload'];
$tail = "\x00\x00\xff\xff";
$bomb = implode($tail, array_fill(0, 16, $p));
$frame = ws_raw(0xc2, $bomb);
$base = memory_get_usage();
var_dump(Server::unpack($frame));
var_dump(Server::unpack(ws_raw(0xc2, $bomb, "\x01\x02\x03\x04")));
// The same data given in two copies of 64 MiB also exceeds the limit.
var_dump(Server::unpack(ws_raw(0xc1, $p . $tail . $p)));
echo 'memory kept after refusing: ', memory_get_usage() - $base < MiB ? 'none' : 'some', "\n";
echo 'peak under 400 MiB: ', var_export(memory_get_peak_usage() < 400 * MiB, true), "\n";
?>
--EXPECT--
compressed 64 MiB: small, rsv1=1
bool(true)
int(67108864)
bool(true)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
memory kept after refusing: none
peak under 400 MiB: true
