--TEST--
Server: the spec's first example (open/message/push/close) on an ephemeral port
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
    echo "server: handshake success with fd{$request->fd}\n";
});
$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    echo "receive from {$frame->fd}:{$frame->data},opcode:{$frame->opcode},fin:{$frame->finish}\n";
    $server->push($frame->fd, "this is server");
});
$server->on('close', function ($server, $fd) {
    echo "client {$fd} closed\n";
});
var_dump($server->start());
echo "after start\n";
PHP);
$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port']);
$c->send('hello');
echo ws_frame_line($c->recv()), "\n";
$c->send('second', 2);
echo ws_frame_line($c->recv()), "\n";
$c->sendClose(1000);
echo ws_frame_line($c->recv()), "\n";
var_dump($c->waitEof());
$c->close();
ws_server_wait_output($srv, 'closed');
echo ws_stop_server($srv);
?>
--EXPECT--
opcode=1 fin=1 payload=this is server
opcode=1 fin=1 payload=this is server
close code=1000 reason=
bool(true)
server: handshake success with fd1
receive from 1:hello,opcode:1,fin:1
receive from 1:second,opcode:2,fin:1
client 1 closed
bool(true)
after start
