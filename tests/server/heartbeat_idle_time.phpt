--TEST--
Server: heartbeat never closes a connection before it was idle for heartbeat_idle_time (times kept to the microsecond), closes it soon after; BASE and PROCESS mode
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
// Eight clients send their last frame 1/8 s apart, so their last frames fall at every
// fraction of a second: with whole-second times some were closed after 1.1-1.9 s.
// The bound is exact whatever the load: each client notes the time before it writes its
// last frame, the server can only have received it later, so an EOF seen before that
// time + 2 s is a premature close. A busy client (a frame every 0.2 s) stays open.
foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
echo "-- $mode\n";
$script = ws_server_script(str_replace('MODE', $mode, <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => 1, 'heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 2]);
echo "PORT {$server->port}\n";
$server->on('message', function ($s, $f) { $s->push($f->fd, $f->data); });
$server->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$server->start();
PHP));
$srv = ws_start_server($script, null, 10.0);
ws_server_wait_line($srv, 'workerStart 0');
$busy = WsTestClient::connect($srv['port'], '/', 10.0);
$idle = [];
$sent_at = [];
for ($i = 0; $i < 8; $i++) {
    $c = WsTestClient::connect($srv['port'], '/', 10.0);
    $sent_at[$i] = microtime(true);
    $c->send("last $i");
    if (($c->recv(10.0)['payload'] ?? null) !== "last $i") echo "client $i: no echo\n";
    $idle[$i] = $c;
    usleep(125000);
}
$eof_at = [];
$busy_ok = true;
$deadline = microtime(true) + 20.0;  // a hang guard: they close 2-3 s after their last frame
while (count($eof_at) < 8 && microtime(true) < $deadline) {
    $busy->send('hb');
    $busy_ok = $busy_ok && ($busy->recv(10.0)['payload'] ?? null) === 'hb';
    $r = [];
    foreach ($idle as $i => $c) if (!isset($eof_at[$i])) $r[$i] = $c->sock;
    $w = $e = null;
    if ($r && stream_select($r, $w, $e, 0, 200000)) {
        foreach ($r as $i => $sock) {
            if (fread($sock, 65536) === '' && feof($sock)) $eof_at[$i] = microtime(true);
        }
    }
}
$early = $late = [];
foreach ($idle as $i => $c) {
    if (!isset($eof_at[$i])) { $late[] = "$i never"; continue; }
    $idle_for = $eof_at[$i] - $sent_at[$i];
    if ($idle_for < 2.0) $early[] = sprintf('%d after %.3f s', $i, $idle_for);
    $c->close();
}
echo "closed before 2 s idle: ", $early ? implode(', ', $early) : 'none', "\n";
echo "not closed: ", $late ? implode(', ', $late) : 'none', "\n";
echo "busy client kept: ", var_export($busy_ok, true), "\n";
$busy->send('still');
echo "busy client: ", ws_frame_line($busy->recv(10.0)), "\n";
$busy->close();
ws_stop_server($srv);
}
?>
--EXPECT--
-- SWOOLE_BASE
closed before 2 s idle: none
not closed: none
busy client kept: true
busy client: opcode=1 fin=1 payload=still
-- SWOOLE_PROCESS
closed before 2 s idle: none
not closed: none
busy client kept: true
busy client: opcode=1 fin=1 payload=still
