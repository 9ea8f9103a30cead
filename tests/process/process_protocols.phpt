--TEST--
Server: SWOOLE_PROCESS with every front: Http\Server (query, headers, form and chunked bodies, streamed response), onHandShake and onBeforeHandShakeResponse run in a worker, plain TCP onReceive with the reactor id
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

function http(int $port, string $request): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2.0);
    stream_set_timeout($s, 3);
    fwrite($s, $request);
    $out = '';
    $deadline = microtime(true) + 3;
    while (!feof($s) && microtime(true) < $deadline) {
        $out .= (string) fread($s, 65536);
    }
    fclose($s);
    return $out;
}

function body(string $response): string
{
    return substr($response, strpos($response, "\r\n\r\n") + 4);
}

echo "== Http\\Server\n";
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
$s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_PROCESS);
echo "PORT {$s->port}\n";
$s->set(['worker_num' => 2]);
$s->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$s->on('request', function ($req, $resp) {
    if ($req->server['request_uri'] === '/stream') {
        $resp->write('part1,');
        $resp->write('part2,');
        $resp->end('end');
        return;
    }
    $resp->header('X-Worker', 'yes');
    $resp->end(json_encode([$req->server['request_method'], $req->server['request_uri'], $req->get,
        $req->post, $req->header['x-test'] ?? null, $req->rawContent()]));
});
$s->start();
PHP));
ws_server_wait_output($srv, 'workerStart 1', 3.0);
$port = $srv['port'];
echo body(http($port, "GET /a?b=1&c[]=2 HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nConnection: close\r\n\r\n")), "\n";
echo body(http($port, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    . "Content-Length: 7\r\nConnection: close\r\n\r\nx=1&y=2")), "\n";
echo body(http($port, "PUT /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")), "\n";
$r = http($port, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo str_contains($r, "Transfer-Encoding: chunked") ? "chunked: " : "not chunked: ",
    preg_replace('~\r\n~', '|', body($r)), "\n";
// Two pipelined requests on one connection: answered in order.
$r = http($port, "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo "pipelined: ", preg_match_all('~"\\\\/(one|two)"~', $r, $m), " ", implode(',', $m[1]), "\n";
echo trim(preg_replace('~^workerStart \d\n~m', '', ws_stop_server($srv))), "\n";

echo "== onHandShake and onBeforeHandShakeResponse\n";
foreach (['handshake', 'before'] as $kind) {
    $srv = ws_start_server(ws_server_script(str_replace('KIND', $kind, <<<'PHP'
<?php
$s = new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_PROCESS);
echo "PORT {$s->port}\n";
$s->set(['worker_num' => 2]);
$s->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
if ('KIND' === 'handshake') {
    $s->on('handshake', function ($req, $resp) use ($s) {
        if ($req->server['request_uri'] === '/deny') {
            $resp->status(403);
            $resp->end('no');
            return false;
        }
        $resp->status(101);
        $resp->header('Upgrade', 'websocket');
        $resp->header('Connection', 'Upgrade');
        $resp->header('Sec-WebSocket-Accept', base64_encode(sha1($req->header['sec-websocket-key'] . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true)));
        $resp->header('X-Worker', (string) $s->getWorkerId());
        $resp->end();
        $s->defer(fn () => $s->push($req->fd, 'welcome ' . $req->server['request_uri']));
        return true;
    });
} else {
    $s->on('beforeHandShakeResponse', function ($req, $resp) use ($s) {
        if ($req->server['request_uri'] === '/deny') {
            $s->close($req->fd);
            return;
        }
        $resp->header('X-Worker', (string) $s->getWorkerId());
    });
    $s->on('open', function ($s, $req) { $s->push($req->fd, 'welcome ' . $req->server['request_uri']); });
}
$s->on('message', function ($s, $f) { $s->push($f->fd, 'echo ' . $f->data); });
$s->start();
PHP)));
    ws_server_wait_output($srv, 'workerStart 1', 3.0);
    $c = WsTestClient::connect($srv['port'], '/hi');
    echo "$kind: X-Worker ", preg_match('~^[01]$~', $c->headers['x-worker'] ?? '') ? 'set' : 'missing', "; ",
        $c->recv(3.0)['payload'] ?? 'none', "; ";
    $c->send('abc');
    echo $c->recv(3.0)['payload'] ?? 'none', "; ";
    try {
        WsTestClient::connect($srv['port'], '/deny');
        echo "deny: connected\n";
    } catch (RuntimeException $e) {
        echo "deny: refused\n";
    }
    echo trim(preg_replace('~^workerStart \d\n~m', '', ws_stop_server($srv))), "\n";
}

echo "== TCP onReceive\n";
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
echo "PORT {$s->port}\n";
$s->set(['worker_num' => 2, 'reactor_num' => 1]);
$s->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$s->on('connect', function ($s, $fd, $rid) { echo "connect reactor=$rid\n"; });
$s->on('receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, "got($rid):$data");
    if (trim($data) === 'bye') $s->close($fd);
});
$s->on('close', function ($s, $fd, $rid) { echo "close reactor=$rid\n"; });
$s->start();
PHP));
ws_server_wait_output($srv, 'workerStart 1', 3.0);
$t = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2.0);
stream_set_timeout($t, 3);
fwrite($t, "hi\n");
echo fread($t, 100);
fwrite($t, "bye\n");
echo fread($t, 100);
echo "eof: ", var_export(fread($t, 100) === '' && feof($t), true), "\n";
usleep(100000);
echo trim(preg_replace('~^workerStart \d\n~m', '', ws_stop_server($srv))), "\n";
?>
--EXPECT--
== Http\Server
["GET","\/a",{"b":"1","c":["2"]},null,"yes",""]
["POST","\/form",null,{"x":"1","y":"2"},null,"x=1&y=2"]
["PUT","\/chunked",null,null,null,"hello world"]
chunked: 6|part1,|6|part2,|3|end|0||
pipelined: 2 one,two

== onHandShake and onBeforeHandShakeResponse
handshake: X-Worker set; welcome /hi; echo abc; deny: refused

before: X-Worker set; welcome /hi; echo abc; deny: refused

== TCP onReceive
got(0):hi
got(0):bye
eof: true
connect reactor=0
close reactor=0
