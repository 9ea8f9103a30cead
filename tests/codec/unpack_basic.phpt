--TEST--
unpack(): decodes the first frame (RFC 6455 5.7 examples, flags, finish, trailing bytes ignored, input untouched)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;

$cases = [
    // RFC 6455 section 5.7
    'single unmasked text'     => "\x81\x05\x48\x65\x6c\x6c\x6f",
    'single masked text'       => "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
    'fragment 1 (not final)'   => "\x01\x03\x48\x65\x6c",
    'fragment 2 (continuation)'=> "\x80\x02\x6c\x6f",
    'unmasked ping'            => "\x89\x05\x48\x65\x6c\x6c\x6f",
    'masked pong'              => "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
    // more
    'empty text'               => "\x81\x00",
    'empty binary'             => "\x82\x00",
    'empty masked binary'      => "\x82\x80\x01\x02\x03\x04",
    'binary'                   => "\x82\x03\x00\xff\x80",
    'binary, not final'        => "\x02\x01\x00",
    'continuation, not final'  => "\x00\x01z",
    'empty ping'               => "\x89\x00",
    'empty pong'               => "\x8a\x00",
    'zero mask key'            => "\x81\x82\x00\x00\x00\x00ok",
    'RSV2 reported'            => "\xa1\x01x",
    'RSV3 reported'            => "\x91\x01x",
    'RSV2|RSV3, not final'     => "\x32\x01x",
    'RSV2 on ping'             => "\xa9\x00",
    'invalid UTF-8 not judged' => "\x81\x02\xff\xfe",
    'trailing frame ignored'   => "\x81\x02hi\x81\x03abc",
    'trailing garbage ignored' => "\x82\x00\xff\xff\xff",
    'trailing after masked'    => "\x81\x81\x01\x01\x01\x01\x60" . 'tail',
];
foreach ($cases as $label => $wire) {
    printf("%-26s %s\n", $label, ws_frame_str(ws_unpack($wire)));
}

// Lengths: 16-bit (RFC example: 256 bytes) and 64-bit (64 KiB).
$p = str_repeat("\xab", 256);
$f = ws_unpack("\x82\x7e\x01\x00" . $p);
var_dump(get_class($f), $f->data === $p);
$p = str_repeat("\xcd", 65536);
$f = ws_unpack("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00" . $p . 'extra');
var_dump($f->data === $p, $f->opcode, $f->flags);

// Property types of a decoded frame.
$f = Server::unpack("\x81\x05Hello");
echo gettype($f->fd), ' ', gettype($f->opcode), ' ', gettype($f->flags), ' ', gettype($f->finish), ' ', gettype($f->data), "\n";
var_dump($f instanceof Swoole\WebSocket\Frame, $f instanceof Swoole\WebSocket\CloseFrame);

// The input is never modified, including literal (interned) strings and masked input.
$masked = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
$copy = $masked;
Server::unpack($masked);
Swoole\WebSocket\Frame::unpack($masked);
var_dump(bin2hex($masked), $copy === $masked);
var_dump(bin2hex("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"));
$big = ws_raw(0x82, str_repeat('q', 70000), "\xde\xad\xbe\xef");
$hash = md5($big);
$alias = $big;
$f = Server::unpack($alias);
var_dump(md5($big) === $hash, md5($alias) === $hash, $f->data === str_repeat('q', 70000));
// Decoding twice gives two independent objects.
$a = Server::unpack("\x81\x01a");
$b = Server::unpack("\x81\x01a");
$a->data = 'changed';
var_dump($b->data, $a !== $b);
?>
--EXPECT--
single unmasked text       Swoole\WebSocket\Frame fd=0 opcode=1 flags=1 finish=true data=hex:48656c6c6f
single masked text         Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:48656c6c6f
fragment 1 (not final)     Swoole\WebSocket\Frame fd=0 opcode=1 flags=0 finish=false data=hex:48656c
fragment 2 (continuation)  Swoole\WebSocket\Frame fd=0 opcode=0 flags=1 finish=true data=hex:6c6f
unmasked ping              Swoole\WebSocket\Frame fd=0 opcode=9 flags=1 finish=true data=hex:48656c6c6f
masked pong                Swoole\WebSocket\Frame fd=0 opcode=10 flags=33 finish=true data=hex:48656c6c6f
empty text                 Swoole\WebSocket\Frame fd=0 opcode=1 flags=1 finish=true data=hex:
empty binary               Swoole\WebSocket\Frame fd=0 opcode=2 flags=1 finish=true data=hex:
empty masked binary        Swoole\WebSocket\Frame fd=0 opcode=2 flags=33 finish=true data=hex:
binary                     Swoole\WebSocket\Frame fd=0 opcode=2 flags=1 finish=true data=hex:00ff80
binary, not final          Swoole\WebSocket\Frame fd=0 opcode=2 flags=0 finish=false data=hex:00
continuation, not final    Swoole\WebSocket\Frame fd=0 opcode=0 flags=0 finish=false data=hex:7a
empty ping                 Swoole\WebSocket\Frame fd=0 opcode=9 flags=1 finish=true data=hex:
empty pong                 Swoole\WebSocket\Frame fd=0 opcode=10 flags=1 finish=true data=hex:
zero mask key              Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:6f6b
RSV2 reported              Swoole\WebSocket\Frame fd=0 opcode=1 flags=9 finish=true data=hex:78
RSV3 reported              Swoole\WebSocket\Frame fd=0 opcode=1 flags=17 finish=true data=hex:78
RSV2|RSV3, not final       Swoole\WebSocket\Frame fd=0 opcode=2 flags=24 finish=false data=hex:78
RSV2 on ping               Swoole\WebSocket\Frame fd=0 opcode=9 flags=9 finish=true data=hex:
invalid UTF-8 not judged   Swoole\WebSocket\Frame fd=0 opcode=1 flags=1 finish=true data=hex:fffe
trailing frame ignored     Swoole\WebSocket\Frame fd=0 opcode=1 flags=1 finish=true data=hex:6869
trailing garbage ignored   Swoole\WebSocket\Frame fd=0 opcode=2 flags=1 finish=true data=hex:
trailing after masked      Swoole\WebSocket\Frame fd=0 opcode=1 flags=33 finish=true data=hex:61
string(22) "Swoole\WebSocket\Frame"
bool(true)
bool(true)
int(2)
int(1)
integer integer integer boolean string
bool(true)
bool(false)
string(22) "818537fa213d7f9f4d5158"
bool(true)
string(22) "818537fa213d7f9f4d5158"
bool(true)
bool(true)
bool(true)
string(1) "a"
bool(true)
