--TEST--
pack(): SWOOLE_WEBSOCKET_FLAG_COMPRESS (raw deflate, tail removed, RSV1; ignored where RFC 7692 forbids it)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
const FIN = SWOOLE_WEBSOCKET_FLAG_FIN;
const COMPRESS = SWOOLE_WEBSOCKET_FLAG_COMPRESS;
const RSV1 = SWOOLE_WEBSOCKET_FLAG_RSV1;
const MASK = SWOOLE_WEBSOCKET_FLAG_MASK;

// RFC 7692 7.2.3.1: "Hello" compressed with one DEFLATE block is f2 48 cd c9 c9 07 00,
// which is what zlib at its default level gives (the 00 00 ff ff sync-flush tail removed).
$cases = [
    'Hello text'                 => ['Hello', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS],
    'Hello binary'               => ['Hello', WEBSOCKET_OPCODE_BINARY, FIN | COMPRESS],
    'Hello COMPRESS|RSV1'        => ['Hello', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS | RSV1],
    // Not compressed: empty payload, non-final frame, continuation frame, control frames.
    'empty text'                 => ['', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS],
    'empty binary'               => ['', WEBSOCKET_OPCODE_BINARY, FIN | COMPRESS],
    'text, not final'            => ['Hello', WEBSOCKET_OPCODE_TEXT, COMPRESS],
    'continuation, final'        => ['Hello', WEBSOCKET_OPCODE_CONTINUATION, FIN | COMPRESS],
    'continuation, not final'    => ['Hello', WEBSOCKET_OPCODE_CONTINUATION, COMPRESS],
    'ping'                       => ['Hello', WEBSOCKET_OPCODE_PING, FIN | COMPRESS],
    'pong'                       => ['Hello', WEBSOCKET_OPCODE_PONG, FIN | COMPRESS | RSV1],
    'close'                      => ['Hello', WEBSOCKET_OPCODE_CLOSE, FIN | COMPRESS],
    'close, not final'           => ['Hello', WEBSOCKET_OPCODE_CLOSE, COMPRESS],
];
foreach ($cases as $label => $args) {
    printf("%-26s %s\n", $label, ws_show(ws_pack(...$args)));
}

// Each call is a fresh deflate stream: the same input always gives the same bytes, even
// after other messages were compressed in between.
$big = str_repeat('The quick brown fox jumps over the lazy dog. ', 2000);
$a = ws_pack($big, WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);
ws_pack('Hello', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);
$b = ws_pack($big, WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);
var_dump($a === $b);
var_dump(bin2hex(ws_pack('Hello', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS)));

function report(string $label, string $data, int $opcode, int $flags): void
{
    $f = Server::pack($data, $opcode, $flags);
    $p = ws_parse($f);
    $u = Server::unpack($f);
    printf("%-12s b0=%02x mask=%d smaller=%s tail_removed=%s roundtrip=%s flags=%s opcode=%s\n",
        $label, $p['b0'], $p['b1'] >> 7, var_export(strlen($p['payload']) < strlen($data), true),
        var_export(substr($p['payload'], -4) !== "\x00\x00\xff\xff", true),
        var_export($u instanceof Frame && $u->data === $data, true),
        $u ? var_export($u->flags, true) : '-', $u ? var_export($u->opcode, true) : '-');
}
report('text', $big, WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);
report('binary', str_repeat("\x00\x01\x02\x03", 50000), WEBSOCKET_OPCODE_BINARY, FIN | COMPRESS);
report('masked', $big, WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS | MASK);
report('one byte', 'a', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);
report('RFC Hello', 'Hello', WEBSOCKET_OPCODE_TEXT, FIN | COMPRESS);

// Incompressible data is still sent compressed (RSV1 set) and decodes back.
mt_srand(7);
$noise = '';
for ($i = 0; $i < 65536; $i++) {
    $noise .= chr(mt_rand(0, 255));
}
$f = Server::pack($noise, WEBSOCKET_OPCODE_BINARY, FIN | COMPRESS);
printf("noise: b0=%02x roundtrip=%s\n", ord($f[0]), var_export(Server::unpack($f)->data === $noise, true));

// A Frame object asks for compression through its flags; finish=false turns it off.
$o = new Frame();
$o->data = 'Hello';
$o->flags = FIN | COMPRESS;
echo bin2hex((string) $o), "\n";
$o->finish = false;
echo bin2hex((string) $o), "\n";
$o->finish = true;
$o->opcode = WEBSOCKET_OPCODE_BINARY;
echo bin2hex(Frame::pack($o)), "\n";
?>
--EXPECT--
Hello text                 string(9) c107f248cdc9c90700
Hello binary               string(9) c207f248cdc9c90700
Hello COMPRESS|RSV1        string(9) c107f248cdc9c90700
empty text                 string(2) 8100
empty binary               string(2) 8200
text, not final            string(7) 010548656c6c6f
continuation, final        string(7) 800548656c6c6f
continuation, not final    string(7) 000548656c6c6f
ping                       string(7) 890548656c6c6f
pong                       string(7) 8a0548656c6c6f
close                      string(9) 880703e848656c6c6f
close, not final           string(9) 880703e848656c6c6f
bool(true)
string(18) "c107f248cdc9c90700"
text         b0=c1 mask=0 smaller=true tail_removed=true roundtrip=true flags=7 opcode=1
binary       b0=c2 mask=0 smaller=true tail_removed=true roundtrip=true flags=7 opcode=2
masked       b0=c1 mask=1 smaller=true tail_removed=true roundtrip=true flags=39 opcode=1
one byte     b0=c1 mask=0 smaller=false tail_removed=true roundtrip=true flags=7 opcode=1
RFC Hello    b0=c1 mask=0 smaller=false tail_removed=true roundtrip=true flags=7 opcode=1
noise: b0=c2 roundtrip=true
c107f248cdc9c90700
010548656c6c6f
c207f248cdc9c90700
