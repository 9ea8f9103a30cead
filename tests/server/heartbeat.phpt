--TEST--
Server: heartbeat_check_interval/heartbeat_idle_time close idle connections; heartbeat(false) lists them; BASE and PROCESS mode
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
echo "-- $mode\n";
$script = ws_server_script(str_replace('MODE', $mode, <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => 1]);
$server->set(['heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 2]);
echo "PORT {$server->port}\n";
$server->on('message', function ($s, $f) {
    $s->push($f->fd, json_encode(['self_idle' => in_array($f->fd, $s->heartbeat(false), true)]));
});
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$server->start();
PHP));
$srv = ws_start_server($script);
ws_server_wait_output($srv, 'workerStart 0', 10.0);
$idle = WsTestClient::connect($srv['port']);
$busy = WsTestClient::connect($srv['port']);
$t0 = microtime(true);
$closed_at = null;
$replies = [];
// Bounded: at most 6 s. The idle client must be dropped after 2-4 s; the busy one stays.
while (microtime(true) - $t0 < 6.0 && $closed_at === null) {
    $busy->send('hb');
    $replies[] = $busy->recv(2.0)['payload'] ?? 'none';
    $r = [$idle->sock];
    $w = $e = null;
    if (stream_select($r, $w, $e, 0, 300000) && fread($idle->sock, 1024) === '' && feof($idle->sock)) {
        $closed_at = microtime(true) - $t0;
    }
}
echo "idle closed: ", var_export($closed_at !== null && $closed_at >= 1.5 && $closed_at < 5.0, true), "\n";
echo "busy replies: ", implode(' ', array_unique($replies)), "\n";
$busy->send('hb');
echo "busy still open: ", ws_frame_line($busy->recv(2.0)), "\n";
$busy->close();
$idle->close();
ws_server_wait_output($srv, 'close 2');
echo preg_replace('~^workerStart 0\n~m', '', ws_stop_server($srv));
}
?>
--EXPECT--
-- SWOOLE_BASE
idle closed: true
busy replies: {"self_idle":false}
busy still open: opcode=1 fin=1 payload={"self_idle":false}
close 1
close 2
-- SWOOLE_PROCESS
idle closed: true
busy replies: {"self_idle":false}
busy still open: opcode=1 fin=1 payload={"self_idle":false}
close 1
close 2
