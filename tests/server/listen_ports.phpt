--TEST--
Server: listen()/addlistener() extra ports: a raw-TCP port (onReceive on the port) and a WebSocket port (the server's protocol) serve beside the main one, worker_num 1 and 2 in BASE mode, 2 in PROCESS mode; Port objects, getClientInfo()['server_port'], callbacks falling back to the server's
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$code = <<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => WORKERS]);
$raw = $server->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
$raw->set(['open_websocket_protocol' => false, 'open_http_protocol' => false]);
$raw->on('receive', function (Server $s, int $fd, int $reactor_id, string $data) use ($raw) {
    $port_ok = $s->getClientInfo($fd)['server_port'] === $raw->port ? 'ok' : 'wrong';
    $s->send($fd, "raw port[$port_ok]: " . strtoupper($data));
});
$ws = $server->addlistener("127.0.0.1", 0, SWOOLE_SOCK_TCP);  // no set(): the server's protocol
$ws->on('message', function (Server $s, $frame) use ($ws) {
    $port_ok = $s->getClientInfo($frame->fd)['server_port'] === $ws->port ? 'ok' : 'wrong';
    $s->push($frame->fd, "ws port[$port_ok]: {$frame->data}");
});
// A raw port without callbacks of its own: the server's onReceive.
$plain = $server->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
$plain->set(['open_http_protocol' => false]);
// A WebSocket port of its own settings: a smaller message cap than the main port's.
$small = $server->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
$small->set(['open_websocket_protocol' => true, 'package_max_length' => 8]);
$server->on('receive', function (Server $s, int $fd, int $reactor_id, string $data) {
    $s->send($fd, "server onReceive: $data");
});
$server->on('message', function (Server $s, $frame) {
    if ($frame->data === 'count') {  // every connection, then those of each port
        $s->push($frame->fd, json_encode([count($s->connections), count($s->ports[0]->connections),
            iterator_to_array($s->ports[2]->connections) === [$frame->fd + 1], count($s->ports[1]->connections)]));
        return;
    }
    if ($frame->data === 'all') {
        foreach ($s->connections as $fd) {
            if ($s->isEstablished($fd)) $s->push($fd, "to all from the main port");
        }
        return;
    }
    $s->push($frame->fd, "main port: {$frame->data}");
});
echo "PORT {$server->port}\n";
echo "PORTS {$raw->port} {$ws->port} {$plain->port} {$small->port}\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->start();
PHP;

// $until_closed: read until the server closes the connection (a 400 is followed by a
// close), so that the connection is gone before the next step counts connections.
function raw_exchange(int $port, string $data, bool $until_closed = false): string {
    $c = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2.0);
    if (!$c) return "connect failed: $es";
    fwrite($c, $data);
    stream_set_timeout($c, 10);
    $reply = $until_closed ? stream_get_contents($c) : fread($c, 1000);
    fclose($c);
    return $reply === false ? 'no reply' : $reply;
}

foreach ([[1, 'SWOOLE_BASE'], [2, 'SWOOLE_BASE'], [2, 'SWOOLE_PROCESS']] as [$workers, $mode]) {
    echo "-- worker_num $workers $mode\n";
    $srv = ws_start_server(ws_server_script(str_replace(['WORKERS', 'MODE'], [(string) $workers, $mode], $code)));
    ws_server_wait_output($srv, "\n", 3.0);
    preg_match('~PORTS (\d+) (\d+) (\d+) (\d+)~', $srv['out'], $m) or print("no ports in: {$srv['out']}\n");
    [, $raw_port, $ws_port, $plain_port, $small_port] = array_map('intval', $m);
    for ($i = 0; $i < $workers; $i++) ws_server_wait_output($srv, "workerStart $i");

    // Both WebSocket ports at once, then the raw ones while they stay open.
    $main = WsTestClient::connect($srv['port']);
    $second = WsTestClient::connect($ws_port);
    $main->send('hello');
    $second->send('hello');
    echo $main->recv(3.0)['payload'] ?? 'none', "\n";
    echo $second->recv(3.0)['payload'] ?? 'none', "\n";
    for ($i = 0; $i < 3; $i++) echo raw_exchange($raw_port, "ping $i"), "\n";
    echo raw_exchange($plain_port, "GET / HTTP/1.1\r\n\r\n") === "server onReceive: GET / HTTP/1.1\r\n\r\n" ? "plain port: raw bytes\n" : "plain port: wrong\n";
    // An HTTP request on the raw port is just bytes; a raw line on a WebSocket port is a bad request.
    echo raw_exchange($raw_port, "GET / HTTP/1.1\r\n\r\n") === "raw port[ok]: GET / HTTP/1.1\r\n\r\n" ? "raw port: raw bytes\n" : "raw port: wrong\n";
    echo strtok(raw_exchange($ws_port, "hello\r\n\r\n", true), "\r"), "\n";
    $main->send('count');
    echo $main->recv(3.0)['payload'] ?? 'none', "\n";
    $main->send('all');
    echo $main->recv(3.0)['payload'] ?? 'none', "\n";
    echo $second->recv(3.0)['payload'] ?? 'none', "\n";
    $main->send('again');
    $second->send('again');
    echo $main->recv(3.0)['payload'] ?? 'none', "\n";
    echo $second->recv(3.0)['payload'] ?? 'none', "\n";
    // 12 bytes: fine on the main port, past the small port's package_max_length (1009).
    $small = WsTestClient::connect($small_port);
    $small->send('twelve bytes');
    $main->send('twelve bytes');
    $f = $small->recv(3.0);
    echo 'small port: opcode ', $f['opcode'] ?? 'none', ' code ', isset($f['payload']) ? unpack('n', $f['payload'])[1] : 'none', "\n";
    echo $main->recv(3.0)['payload'] ?? 'none', "\n";
    $small->close();
    $main->close();
    $second->close();
    $out = ws_stop_server($srv);
    if (preg_match_all('~(Warning|Fatal|Notice).*~', $out, $bad)) echo implode("\n", $bad[0]), "\n";
}
?>
--EXPECT--
-- worker_num 1 SWOOLE_BASE
main port: hello
ws port[ok]: hello
raw port[ok]: PING 0
raw port[ok]: PING 1
raw port[ok]: PING 2
plain port: raw bytes
raw port: raw bytes
HTTP/1.1 400 Bad Request
[2,1,true,0]
to all from the main port
to all from the main port
main port: again
ws port[ok]: again
small port: opcode 8 code 1009
main port: twelve bytes
-- worker_num 2 SWOOLE_BASE
main port: hello
ws port[ok]: hello
raw port[ok]: PING 0
raw port[ok]: PING 1
raw port[ok]: PING 2
plain port: raw bytes
raw port: raw bytes
HTTP/1.1 400 Bad Request
[2,1,true,0]
to all from the main port
to all from the main port
main port: again
ws port[ok]: again
small port: opcode 8 code 1009
main port: twelve bytes
-- worker_num 2 SWOOLE_PROCESS
main port: hello
ws port[ok]: hello
raw port[ok]: PING 0
raw port[ok]: PING 1
raw port[ok]: PING 2
plain port: raw bytes
raw port: raw bytes
HTTP/1.1 400 Bad Request
[2,1,true,0]
to all from the main port
to all from the main port
main port: again
ws port[ok]: again
small port: opcode 8 code 1009
main port: twelve bytes
