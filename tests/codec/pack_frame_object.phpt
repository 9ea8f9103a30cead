--TEST--
pack(): Frame objects (opcode/data/flags from the object, finish, CloseFrame, subclasses, (string) cast)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
use Swoole\WebSocket\CloseFrame;

function frame(array $props, string $class = Frame::class): Frame
{
    $f = new $class();
    foreach ($props as $k => $v) {
        $f->$k = $v;
    }
    return $f;
}
function show(string $label, Frame $f): void
{
    $a = ws_pack($f);                          // Server::pack and Frame::pack agree
    $b = (string) $f;
    $same = $a === $b && "$f" === $b && strval($f) === $b;
    printf("%-34s %s%s\n", $label, ws_show($a), $same ? '' : '  (string) differs: ' . bin2hex($b));
}

show('default Frame', new Frame());
show('text hello', frame(['data' => 'hello']));
show('binary', frame(['data' => "\x01\x02", 'opcode' => WEBSOCKET_OPCODE_BINARY]));
show('ping', frame(['data' => 'p', 'opcode' => WEBSOCKET_OPCODE_PING]));
show('pong', frame(['data' => 'p', 'opcode' => WEBSOCKET_OPCODE_PONG]));
show('fd is not on the wire', frame(['data' => 'x', 'fd' => 42]));
show('finish=false clears FIN', frame(['data' => 'x', 'finish' => false]));
show('finish=false, continuation', frame(['data' => 'x', 'finish' => false, 'opcode' => 0]));
show('finish=true, continuation', frame(['data' => 'x', 'opcode' => 0]));
show('finish=null, flags=0', frame(['data' => 'x', 'finish' => null, 'flags' => 0]));
show('finish=null, flags=FIN', frame(['data' => 'x', 'finish' => null, 'flags' => SWOOLE_WEBSOCKET_FLAG_FIN]));
show('finish=true, flags=0', frame(['data' => 'x', 'flags' => 0]));
show('finish=false, flags=FIN', frame(['data' => 'x', 'flags' => SWOOLE_WEBSOCKET_FLAG_FIN, 'finish' => false]));
show('flags FIN|RSV1', frame(['data' => 'x', 'flags' => SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_RSV1]));
show('ping, finish=false (forced final)', frame(['data' => 'p', 'opcode' => 9, 'finish' => false]));
show('126 bytes', frame(['data' => str_repeat('a', 126)]));

// The $opcode and $flags arguments are ignored for an object.
$f = frame(['data' => 'x']);
echo ws_show(Server::pack($f, WEBSOCKET_OPCODE_BINARY, 0)), "\n";
echo ws_show(Frame::pack($f, WEBSOCKET_OPCODE_PING, SWOOLE_WEBSOCKET_FLAG_COMPRESS)), "\n";
echo ws_show(Server::pack($f, 3, 0)), "\n"; // even an invalid opcode argument is not looked at

// CloseFrame: payload is code (null = 1000) then reason; data is not used.
show('CloseFrame default', new CloseFrame());
show('CloseFrame 1001 bye', frame(['code' => 1001, 'reason' => 'bye'], CloseFrame::class));
show('CloseFrame code null', frame(['code' => null, 'reason' => 'r'], CloseFrame::class));
show('CloseFrame with data', frame(['data' => 'zzz', 'reason' => 'r'], CloseFrame::class));
show('CloseFrame finish=false', frame(['finish' => false], CloseFrame::class));
show('CloseFrame flags=0', frame(['flags' => 0, 'code' => 3000], CloseFrame::class));
// A plain Frame with opcode 8 is a close frame too: it has no code/reason, so code 1000.
show('Frame with opcode 8', frame(['opcode' => WEBSOCKET_OPCODE_CLOSE]));
show('Frame with opcode 8 and data', frame(['opcode' => WEBSOCKET_OPCODE_CLOSE, 'data' => 'zzz']));

// Subclasses.
class MyFrame extends Frame
{
    public $extra = 'not sent';
    public function __construct(string $data)
    {
        $this->data = $data;
        $this->opcode = WEBSOCKET_OPCODE_BINARY;
    }
}
class MyClose extends CloseFrame
{
    public $reason = 'sub';
}
class MyDeep extends MyFrame {}
show('subclass MyFrame', new MyFrame('abc'));
show('subclass MyDeep', new MyDeep('d'));
show('subclass MyClose', new MyClose());

// Packing does not change the object.
$f = frame(['data' => 'keep', 'finish' => false, 'flags' => SWOOLE_WEBSOCKET_FLAG_COMPRESS | SWOOLE_WEBSOCKET_FLAG_MASK]);
$before = var_export($f, true);
Server::pack($f);
(string) $f;
var_dump(var_export($f, true) === $before);

// A frame read back with unpack() packs to the same bytes.
foreach (["\x81\x05hello", "\x02\x03abc", "\x80\x00", "\x89\x01p", "\x8a\x00", "\x88\x05\x03\xe9bye", "\x88\x02\x0b\xb8",
          "\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00"] as $wire) {
    $u = Server::unpack($wire);
    echo bin2hex($wire), ' -> ', get_class($u), ' -> ', ws_pack($u) === $wire ? 'same' : bin2hex(ws_pack($u)), "\n";
}
?>
--EXPECT--
default Frame                      string(2) 8100
text hello                         string(7) 810568656c6c6f
binary                             string(4) 82020102
ping                               string(3) 890170
pong                               string(3) 8a0170
fd is not on the wire              string(3) 810178
finish=false clears FIN            string(3) 010178
finish=false, continuation         string(3) 000178
finish=true, continuation          string(3) 800178
finish=null, flags=0               string(3) 010178
finish=null, flags=FIN             string(3) 810178
finish=true, flags=0               string(3) 810178
finish=false, flags=FIN            string(3) 010178
flags FIN|RSV1                     string(3) c10178
ping, finish=false (forced final)  string(3) 890170
126 bytes                          string(130) 817e007e616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161
string(3) 810178
string(3) 810178
string(3) 810178
CloseFrame default                 string(4) 880203e8
CloseFrame 1001 bye                string(7) 880503e9627965
CloseFrame code null               string(5) 880303e872
CloseFrame with data               string(5) 880303e872
CloseFrame finish=false            string(4) 880203e8
CloseFrame flags=0                 string(4) 88020bb8
Frame with opcode 8                string(4) 880203e8
Frame with opcode 8 and data       string(4) 880203e8
subclass MyFrame                   string(5) 8203616263
subclass MyDeep                    string(3) 820164
subclass MyClose                   string(7) 880503e8737562
bool(true)
810568656c6c6f -> Swoole\WebSocket\Frame -> same
0203616263 -> Swoole\WebSocket\Frame -> same
8000 -> Swoole\WebSocket\Frame -> same
890170 -> Swoole\WebSocket\Frame -> same
8a00 -> Swoole\WebSocket\Frame -> same
880503e9627965 -> Swoole\WebSocket\CloseFrame -> same
88020bb8 -> Swoole\WebSocket\CloseFrame -> same
c107f248cdc9c90700 -> Swoole\WebSocket\Frame -> same
