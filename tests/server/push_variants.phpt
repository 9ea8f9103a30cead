--TEST--
Server: push() with Frame/CloseFrame objects and opcodes, invalid disconnect() codes, send(), close()
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('message', function (Server $s, $f) {
    $fd = $f->fd;
    switch ($f->data) {
    case 'binary':
        var_dump($s->push($fd, "bin", WEBSOCKET_OPCODE_BINARY));
        break;
    case 'ping':
        var_dump($s->push($fd, 'p', WEBSOCKET_OPCODE_PING));
        break;
    case 'ping2':
        var_dump($s->ping($fd, 'q'));
        break;
    case 'badop':
        var_dump($s->push($fd, 'x', 3));
        break;
    case 'badcode':
        var_dump($s->disconnect($fd, 1001), $s->disconnect($fd, 1000, str_repeat('r', 124)));
        $s->push($fd, 'still open');
        break;
    case 'send':
        // Raw bytes: an unmasked text frame built by pack().
        var_dump($s->send($fd, Server::pack('raw')));
        break;
    case 'fragobj':
        // Frame objects are read as pack() reads them: finish = false clears FIN.
        $f1 = new Swoole\WebSocket\Frame();
        $f1->data = 'part';
        $f1->finish = false;
        $f2 = new Swoole\WebSocket\Frame();
        $f2->opcode = WEBSOCKET_OPCODE_CONTINUATION;
        $f2->data = 'end';
        var_dump($s->push($fd, $f1), $s->push($fd, $f2));
        break;
    case 'closeobj':
        $c = new Swoole\WebSocket\CloseFrame();
        $c->code = 4002;
        $c->reason = 'obj';
        var_dump($s->push($fd, $c));
        break;
    case 'close':
        var_dump($s->close($fd));
        break;
    }
});
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port']);
foreach (['binary', 'ping', 'ping2', 'badop', 'badcode', 'send', 'fragobj', 'closeobj'] as $cmd) {
    $c->send($cmd);
    if ($cmd === 'fragobj') {
        echo "$cmd -> ", ws_frame_line($c->recv()), "\n";
    }
    if ($cmd !== 'badop') {
        echo "$cmd -> ", ws_frame_line($c->recv()), "\n";
    }
}
$c->sendClose(4002);
var_dump($c->waitEof());
$c->close();
$c = WsTestClient::connect($srv['port']);
$c->send('close');
var_dump($c->waitEof());
$c->close();
ws_server_wait_output($srv, "close 2\n");
echo ws_stop_server($srv);
?>
--EXPECT--
binary -> opcode=2 fin=1 payload=bin
ping -> opcode=9 fin=1 payload=p
ping2 -> opcode=9 fin=1 payload=q
badcode -> opcode=1 fin=1 payload=still open
send -> opcode=1 fin=1 payload=raw
fragobj -> opcode=1 fin=0 payload=part
fragobj -> opcode=0 fin=1 payload=end
closeobj -> close code=4002 reason=obj
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
WARNING: Swoole\WebSocket\Server::push(): bad opcode
bool(false)
WARNING: Swoole\WebSocket\Server::disconnect(): close code must be 1000 or 4000-4999, reason at most 123 bytes
WARNING: Swoole\WebSocket\Server::disconnect(): close code must be 1000 or 4000-4999, reason at most 123 bytes
bool(false)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
close 1
close 2
bool(true)
