--TEST--
Server limits: SWOOLE_SOCK_TCP6 on ::1 (handshake, remote_ip, socket_type), bind errors as Swoole\Exception with errno
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
$s = @stream_socket_server('tcp://[::1]:0', $en, $es);
if (!$s) die('skip ::1 cannot be bound here');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** WsTestClient over [::1] (the helper's connect() is IPv4 only). */
function connect6(int $port): WsTestClient
{
    $c = new WsTestClient();
    $c->sock = stream_socket_client("tcp://[::1]:$port", $en, $es, 2);
    $key = base64_encode(random_bytes(16));
    fwrite($c->sock, "GET /v6 HTTP/1.1\r\nHost: [::1]:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n");
    $head = $c->readUntil("\r\n\r\n", 2.0);
    $accept = base64_encode(sha1($key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
    echo "handshake: ", strtok((string) $head, "\r\n"), " accept_ok=",
        var_export(stripos((string) $head, "Sec-WebSocket-Accept: $accept") !== false, true), "\n";
    return $c;
}

$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server('::1', 0, SWOOLE_BASE, SWOOLE_SOCK_TCP6);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('open', function (Server $s, $req) {
    echo "open fd={$req->fd} remote_addr={$req->server['remote_addr']} port_ok=" . var_export($req->server['remote_port'] > 0, true) . "\n";
});
$server->on('message', function (Server $s, $f) {
    $i = $s->getClientInfo($f->fd);
    $s->push($f->fd, "echo {$f->data} remote_ip={$i['remote_ip']} socket_type={$i['socket_type']} server_port_ok="
        . var_export($i['server_port'] === $s->port, true));
});
$server->on('close', function (Server $s, int $fd) { echo "close $fd\n"; });
echo "host={$server->host} type={$server->type}\n";
$server->start();
PHP);
$srv = ws_start_server($script);
$port = $srv['port'];
$c = connect6($port);
$c->send('hi');
echo "reply: ", ws_frame_line($c->recv()), "\n";
$c->sendClose(1000);
echo "close: ", ws_frame_line($c->recv()), "\n";
var_dump($c->waitEof());
$c->close();

// The port is taken on ::1: a second server on it fails in the constructor.
foreach ([['::1', SWOOLE_SOCK_TCP6]] as [$host, $type]) {
    try {
        new Swoole\WebSocket\Server($host, $port, SWOOLE_BASE, $type);
        echo "bound again?\n";
    } catch (Swoole\Exception $e) {
        echo get_class($e), ": ", str_replace((string) $port, 'PORT', $e->getMessage()), " code=", $e->getCode(), "\n";
    }
}
ws_server_wait_output($srv, "close 1\n");
echo ws_stop_server($srv);

// The same on 127.0.0.1, the port held by a plain PHP listener.
$l = stream_socket_server('tcp://127.0.0.1:0');
$p4 = (int) substr(strrchr(stream_socket_get_name($l, false), ':'), 1);
try {
    new Swoole\WebSocket\Server('127.0.0.1', $p4);
    echo "bound again?\n";
} catch (Swoole\Exception $e) {
    echo get_class($e), ": ", str_replace((string) $p4, 'PORT', $e->getMessage()), " code=", $e->getCode(), "\n";
}
fclose($l);
?>
--EXPECT--
handshake: HTTP/1.1 101 Switching Protocols accept_ok=true
reply: opcode=1 fin=1 payload=echo hi remote_ip=::1 socket_type=3 server_port_ok=true
close: close code=1000 reason=
bool(true)
Swoole\Exception: bind([::1]:PORT) failed: Address already in use code=98
host=::1 type=3
open fd=1 remote_addr=::1 port_ok=true
close 1
Swoole\Exception: bind(127.0.0.1:PORT) failed: Address already in use code=98
