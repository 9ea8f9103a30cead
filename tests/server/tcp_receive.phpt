--TEST--
Server: plain TCP Swoole\Server with onReceive (connect, receive, send, close, getClientInfo without websocket_status)
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
$server = new Swoole\Server("127.0.0.1", 0, SWOOLE_BASE);
echo "PORT {$server->port}\n";
$server->on('connect', function ($s, $fd, $reactor) { echo "connect $fd\n"; });
$server->on('receive', function (Swoole\Server $s, int $fd, int $reactor, string $data) {
    echo "receive $fd reactor=$reactor " . json_encode($data) . "\n";
    if (trim($data) === 'quit') {
        $s->send($fd, "bye\n");
        $s->close($fd);
        return;
    }
    if (trim($data) === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([count($st), $st['connection_num'], $st['accept_count'], $st['close_count'],
            $st['worker_num'], $st['request_count'], $st['total_recv_bytes'] > 0, abs($st['start_time'] - time()) < 60]) . "\n");
        return;
    }
    if (trim($data) === 'info') {
        $s->send($fd, implode(',', array_keys($s->getClientInfo($fd))) . "\n");
        return;
    }
    $s->send($fd, strtoupper($data));
});
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
$c = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2.0);
stream_set_timeout($c, 2);
fwrite($c, "hello\n");
echo fgets($c);
fwrite($c, "stats\n");
echo fgets($c);
fwrite($c, "info\n");
echo fgets($c);
fwrite($c, "quit\n");
echo fgets($c);
echo "eof: ", var_export(fread($c, 10) === '' && feof($c), true), "\n";
fclose($c);
// Without onReceive, start() refuses.
$script2 = ws_server_script('<?php $s = new Swoole\Server("127.0.0.1", 0); var_dump($s->start());');
ws_server_wait_output($srv, 'close 1');
echo ws_stop_server($srv);
echo shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-n', '-d', 'extension=' . ws_extension_path(), '-d', 'display_errors=1', $script2])) . ' 2>&1');
?>
--EXPECTF--
HELLO
[25,1,1,0,1,2,true,true]
server_port,server_fd,socket_fd,socket_type,remote_port,remote_ip,reactor_id,connect_time,last_time,last_recv_time,last_send_time,last_dispatch_time,close_errno,recv_queued_bytes,send_queued_bytes
bye
eof: true
connect 1
receive 1 reactor=0 "hello\n"
receive 1 reactor=0 "stats\n"
receive 1 reactor=0 "info\n"
receive 1 reactor=0 "quit\n"
close 1

Warning: Swoole\Server::start(): require onReceive callback in %s on line 1
bool(false)
