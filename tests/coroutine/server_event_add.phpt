--TEST--
Swoole\Event::add() in a server worker: a TCP socket of the worker's own is served by callbacks on the worker's loop, beside the server's connections (BASE and PROCESS)
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
    echo "== $mode\n";
    $script = ws_server_script(<<<PHP
<?php
use Swoole\Coroutine;
use Swoole\Event;
use Swoole\WebSocket\Server;
\$server = new Server("127.0.0.1", 0, $mode);
\$server->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
echo "PORT {\$server->port}\\n";
\$server->on('workerStart', function () {
    \$listener = stream_socket_server('tcp://127.0.0.1:0', \$errno, \$errstr);
    Event::add(\$listener, function (\$l) {
        \$conn = stream_socket_accept(\$l, 0);
        Event::add(\$conn, function (\$c) {
            \$data = fread(\$c, 100);
            if (\$data === '' || \$data === false) {
                Event::del(\$c);
                fclose(\$c);
                return;
            }
            Event::write(\$c, 'event in cid>0 ' . var_export(Coroutine::getCid() > 0, true) . ': ' . strtoupper(\$data));
        });
    });
    echo 'EVENTPORT ', parse_url('tcp://' . stream_socket_get_name(\$listener, false), PHP_URL_PORT), "\\n";
});
\$server->on('message', function (Server \$s, \$f) {
    \$s->push(\$f->fd, 'echo ' . \$f->data);
});
\$server->start();
PHP);
    $srv = ws_start_server($script);
    $port = (int) ws_server_wait_line($srv, 'EVENTPORT (\d+)')[1];
    $client = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    stream_set_timeout($client, 5);
    fwrite($client, 'hello');
    echo fread($client, 100), "\n";
    $ws = WsTestClient::connect($srv['port']);
    $ws->send('ws');
    echo 'ws: ', ws_frame_line($ws->recv(5)), "\n";
    fwrite($client, 'again');
    echo fread($client, 100), "\n";
    fclose($client);
    $ws->close();
    ws_stop_server($srv);
}
?>
--EXPECT--
== SWOOLE_BASE
event in cid>0 true: HELLO
ws: opcode=1 fin=1 payload=echo ws
event in cid>0 true: AGAIN
== SWOOLE_PROCESS
event in cid>0 true: HELLO
ws: opcode=1 fin=1 payload=echo ws
event in cid>0 true: AGAIN
