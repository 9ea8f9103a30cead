--TEST--
Server: handshake_timeout (ours; seconds) closes a connection whose first request is not complete in time (slowloris)
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
var_dump($server->set(['handshake_timeout' => 'soon']));
var_dump($server->set(['handshake_timeout' => 0.5]));
$server->on('message', function ($s, $f) { $s->push($f->fd, "echo {$f->data}"); });
$server->start();
PHP);
$srv = ws_start_server($script);
// Slowloris: a header line every 200 ms, never the blank line that ends the request.
$slow = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2);
stream_set_blocking($slow, false);
$t0 = microtime(true);
fwrite($slow, "GET / HTTP/1.1\r\n");
$closed_at = null;
for ($i = 0; $i < 20 && $closed_at === null; $i++) {
    usleep(200000);
    @fwrite($slow, "X-Slow-$i: y\r\n");
    $r = [$slow];
    $w = $e = null;
    if (stream_select($r, $w, $e, 0, 0) && fread($slow, 100) === '' && feof($slow)) {
        $closed_at = microtime(true) - $t0;
    }
}
echo "slow client closed: ", var_export($closed_at !== null && $closed_at >= 0.4 && $closed_at < 2.5, true), "\n";
fclose($slow);
// A client that completes its handshake in time is not affected, however long it stays.
$c = WsTestClient::connect($srv['port']);
usleep(900000);
$c->send('still here');
echo ws_frame_line($c->recv(2.0)), "\n";
$c->close();
echo ws_stop_server($srv);
?>
--EXPECT--
slow client closed: true
opcode=1 fin=1 payload=echo still here
WARNING: Swoole\Server::set(): setting 'handshake_timeout' must be a number of seconds >= 0, string given
bool(false)
bool(true)
