--TEST--
Server limits: package_max_length (1009, 413), header size (431), bad request line, no onRequest (400), bad upgrades (400/426), Expect: 100-continue, max_connection
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Sends $request on a new connection; returns everything read until EOF (bounded), CRLF shown as \r\n. */
function http_raw(int $port, string $request, float $timeout = 3.0): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2);
    fwrite($s, $request);
    $out = '';
    $deadline = microtime(true) + $timeout;
    while (microtime(true) < $deadline) {
        $r = [$s];
        $w = $e = null;
        if (!@stream_select($r, $w, $e, 0, 100000)) continue;
        $d = @fread($s, 65536);
        if ($d === '' || $d === false) {
            fclose($s);
            return show_http($out) . "[EOF]";
        }
        $out .= $d;
    }
    fclose($s);
    return show_http($out) . "[no EOF]";
}

function show_http(string $out): string
{
    $out = preg_replace('~\r\n(Date|Server): [^\r]*~i', '', $out);
    return str_replace("\r\n", "\\r\\n", $out);
}

$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['package_max_length' => 4096, 'http_header_max_size' => 2048]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('message', function (Server $s, $f) { $s->push($f->fd, 'len=' . strlen($f->data)); });
$server->on('request', function ($req, $res) {
    $body = (string) $req->rawContent();
    echo "request {$req->server['request_uri']} body=" . (strlen($body) > 16 ? 'len:' . strlen($body) : var_export($body, true)) . "\n";
    $res->end('got ' . strlen((string) $req->rawContent()));
});
$server->on('close', function (Server $s, int $fd) { echo "close $fd\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
$port = $srv['port'];

echo "-- WebSocket messages\n";
$c = WsTestClient::connect($port);
$c->send(str_repeat('a', 4096));
echo "4096 -> ", ws_frame_line($c->recv()), "\n";
$c->send(str_repeat('a', 4097));
$t = microtime(true);
echo "4097 -> ", ws_frame_line($c->recv()), "\n";
echo "then EOF at once: ", var_export($c->waitEof(5.0) && microtime(true) - $t < 1.0, true), "\n";
$c->close();

$c = WsTestClient::connect($port);
$c->send(str_repeat('b', 2000), 1, false);
$c->send(str_repeat('b', 2000), 0, false);
$c->send(str_repeat('b', 96), 0, true);
echo "fragments 4096 -> ", ws_frame_line($c->recv()), "\n";
$c->send(str_repeat('b', 2000), 2, false);
$c->send(str_repeat('b', 2000), 0, false);
$c->send(str_repeat('b', 97), 0, true);
$t = microtime(true);
echo "fragments 4097 -> ", ws_frame_line($c->recv()), "\n";
echo "then EOF at once: ", var_export($c->waitEof(5.0) && microtime(true) - $t < 1.0, true), "\n";
$c->close();

echo "-- HTTP\n";
echo "body 4096: ", http_raw($port, "POST /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 4096\r\n\r\n" . str_repeat('c', 4096)), "\n";
echo "body 4097: ", http_raw($port, "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n"), "\n";
echo "chunk 4097: ", http_raw($port, "POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n"), "\n";
echo "headers 2048+: ", http_raw($port, "GET /h HTTP/1.1\r\nHost: a\r\nX-Big: " . str_repeat('h', 2100) . "\r\n\r\n"), "\n";
echo "bad request line: ", http_raw($port, "GET/ HTTP/1.1\r\nHost: a\r\n\r\n"), "\n";
echo "bad version: ", http_raw($port, "GET / HTTP/x.y\r\nHost: a\r\n\r\n"), "\n";

echo "-- upgrades\n";
$up = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
echo "bad key: ", http_raw($port, $up . "Sec-WebSocket-Key: not-a-key\r\nSec-WebSocket-Version: 13\r\n\r\n"), "\n";
echo "no key: ", http_raw($port, $up . "Sec-WebSocket-Version: 13\r\n\r\n"), "\n";
echo "version 8: ", http_raw($port, $up . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"), "\n";
echo "no version: ", http_raw($port, $up . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"), "\n";
echo "POST upgrade: ", http_raw($port, str_replace('GET', 'POST', $up) . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), "\n";

echo "-- Expect: 100-continue\n";
$s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2);
stream_set_timeout($s, 3);
fwrite($s, "POST /continue HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
echo "interim: ", str_replace("\r\n", "\\r\\n", (string) fread($s, 4096)), "\n";
fwrite($s, "hello");
$out = '';
$deadline = microtime(true) + 3;
while (!feof($s) && microtime(true) < $deadline) {
    $out .= (string) fread($s, 65536);
}
fclose($s);
echo "final: ", show_http($out), "\n";
echo "too large, no 100: ", http_raw($port, "POST /continue HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"), "\n";

echo "-- server 1 output\n";
ws_server_wait_output($srv, 'request /continue', 2.0);
ws_server_wait_output($srv, "close 15\n", 2.0);
$out = ws_stop_server($srv);
echo preg_replace('~^close \d+\n~m', '', $out);
echo "close events: ", preg_match_all('~^close \d+$~m', $out), "\n";

echo "-- no onRequest, default header limit, max_connection=2\n";
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['max_connection' => 2]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('connect', function (Server $s, int $fd) { echo "connect $fd\n"; });
$server->on('message', function (Server $s, $f) { $s->push($f->fd, "echo {$f->data} count=" . count($s->connections)); });
$server->on('close', function (Server $s, int $fd) { echo "close $fd\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
$port = $srv['port'];
echo "plain GET: ", http_raw($port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "\n";
echo "headers 64 KiB: ", http_raw($port, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " . str_repeat('h', 64 * 1024) . "\r\n\r\n"), "\n";
echo "headers < 64 KiB: ", http_raw($port, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " . str_repeat('h', 60 * 1024) . "\r\n\r\n"), "\n";
$a = WsTestClient::connect($port);
$b = WsTestClient::connect($port);
// The third connection is accepted by the kernel, then closed by the server without a byte.
$t = microtime(true);
echo "third: ", http_raw($port, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), "\n";
echo "third closed at once: ", var_export(microtime(true) - $t < 1.0, true), "\n";
$a->send('a');
echo "a -> ", ws_frame_line($a->recv()), "\n";
$b->send('b');
echo "b -> ", ws_frame_line($b->recv()), "\n";
$a->sendClose(1000);
echo "a close -> ", ws_frame_line($a->recv()), "\n";
$a->waitEof();
$a->close();
ws_server_wait_output($srv, "close 4\n", 2.0);
$d = WsTestClient::connect($port);  // a place is free again
$d->send('d');
echo "d -> ", ws_frame_line($d->recv()), "\n";
$b->close();
ws_server_wait_output($srv, "close 5\n", 2.0);
$d->close();
ws_server_wait_output($srv, "close 6\n", 2.0);
// The refused connection is logged once, in Swoole's log format and wording.
echo preg_replace('~^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \*\d+\.0\]\tWARNING\tToo many connections \[now: 2\]: max_connection reached, 127\.0\.0\.1:\d+ refused$~m',
    'LOG WARNING Too many connections [now: 2]', ws_stop_server($srv));
?>
--EXPECT--
-- WebSocket messages
4096 -> opcode=1 fin=1 payload=len=4096
4097 -> close code=1009 reason=frame payload exceeds the size limit
then EOF at once: true
fragments 4096 -> opcode=1 fin=1 payload=len=4096
fragments 4097 -> close code=1009 reason=message exceeds the size limit
then EOF at once: true
-- HTTP
body 4096: HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 8\r\n\r\ngot 4096[EOF]
body 4097: HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
chunk 4097: HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
headers 2048+: HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
bad request line: HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
bad version: HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
-- upgrades
bad key: HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n[EOF]
no key: HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n[EOF]
version 8: HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n[EOF]
no version: HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n[EOF]
POST upgrade: HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n[EOF]
-- Expect: 100-continue
interim: HTTP/1.1 100 Continue\r\n\r\n
final: HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\ngot 5
too large, no 100: HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
-- server 1 output
request /ok body=len:4096
request /continue body='hello'
close events: 15
-- no onRequest, default header limit, max_connection=2
plain GET: HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
headers 64 KiB: HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
headers < 64 KiB: HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n[EOF]
third: [EOF]
third closed at once: true
a -> opcode=1 fin=1 payload=echo a count=2
b -> opcode=1 fin=1 payload=echo b count=2
a close -> close code=1000 reason=
d -> opcode=1 fin=1 payload=echo d count=2
connect 1
close 1
connect 2
close 2
connect 3
close 3
connect 4
connect 5
LOG WARNING Too many connections [now: 2]
close 4
connect 6
close 5
close 6
