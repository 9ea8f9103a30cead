--TEST--
Server: CloseFrame delivery (open_websocket_close_frame), push to a non-WebSocket connection, exception in a callback (enable_coroutine off) stops start()
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
// Without coroutines an exception leaves the callback through start(), where it can be caught.
var_dump($server->set(['open_websocket_close_frame' => true, 'worker_num' => 1, 'enable_coroutine' => false]));
$server->on('message', function (Server $s, $f) {
    if ($f instanceof Swoole\WebSocket\CloseFrame) {
        echo get_class($f), " fd={$f->fd} opcode={$f->opcode} code={$f->code} reason={$f->reason}\n";
        return;
    }
    echo "message {$f->data}\n";
    if ($f->data === 'nows') {
        // fd 1 is a plain TCP connection that never sent a request.
        var_dump($s->push(1, 'x'), $s->isEstablished(1), $s->exist(1), $s->getClientInfo(1)['websocket_status']);
    } elseif ($f->data === 'throw') {
        throw new RuntimeException('boom');
    }
});
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->on('shutdown', function ($s) { echo "shutdown (not called after an exception)\n"; });
try {
    $server->start();
    echo "start returned\n";
} catch (RuntimeException $e) {
    echo "caught ", $e->getMessage(), "\n";
}
PHP);
$srv = ws_start_server($script);
$raw = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2);
$c = WsTestClient::connect($srv['port']);
$c->send('nows');
$c->sendClose(4001, 'why');
ws_server_wait_output($srv, 'CloseFrame');
$c2 = WsTestClient::connect($srv['port']);
$c2->send('throw');
var_dump($c2->waitEof(4.0));
$c2->close();
$c->close();
fclose($raw);
ws_server_wait_output($srv, "caught boom\n", 4.0);
echo ws_stop_server($srv);
?>
--EXPECT--
bool(true)
bool(true)
message nows
WARNING: Swoole\WebSocket\Server::push(): the connected client of connection[1] is not a websocket client or closed
bool(false)
bool(false)
bool(true)
int(0)
Swoole\WebSocket\CloseFrame fd=2 opcode=8 code=4001 reason=why
close 2
message throw
caught boom
