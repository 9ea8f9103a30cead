--TEST--
Server: getClientInfo()['websocket_status'] as Swoole reports it: 0 at connect, 2 in onHandShake, 3 after end() of the 101 and in onBeforeHandshakeResponse/onOpen/onMessage/onClose, 4 after disconnect(); the same from the other worker; BASE and PROCESS
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$code = <<<'PHP'
<?php
[$mode, $user] = [MODE, 'HS' === 'user'];
$seen = new Swoole\Atomic(0);
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, $mode);
$server->set(['worker_num' => 2]);
echo "PORT {$server->port}\n";
$st = function ($s, $fd) {
    $i = $s->getClientInfo($fd);
    return $i === false ? 'false' : ($i['websocket_status'] ?? 'none');
};
// What the other worker reads now: it stores it in $seen, this worker waits for it (bounded).
$other = function ($s, $fd) use ($seen) {
    $seen->set(0);
    $s->sendMessage((string) $fd, 1 - $s->worker_id);
    for ($i = 0; $i < 1000 && $seen->get() === 0; $i++) usleep(10000);
    return $seen->get() === 0 ? 'timeout' : $seen->get() - 10;
};
$server->on('pipeMessage', function ($s, $src, $fd) use ($seen, $st) {
    $v = $st($s, (int) $fd);
    $seen->set(10 + (is_int($v) ? $v : -10));
});
$server->on('connect', function ($s, $fd) use ($st) { echo "connect: ", $st($s, $fd), "\n"; });
if ($user) {
    $server->on('handshake', function ($req, $resp) use ($server, $st, $other) {
        $fd = $req->fd;
        echo "handshake: ", $st($server, $fd), " other: ", $other($server, $fd), "\n";
        $key = base64_encode(sha1($req->header['sec-websocket-key'] . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
        $resp->header('Upgrade', 'websocket');
        $resp->header('Connection', 'Upgrade');
        $resp->header('Sec-WebSocket-Accept', $key);
        $resp->status(101);
        $resp->end();
        echo "after end: ", $st($server, $fd), " other: ", $other($server, $fd), "\n";
        return true;
    });
} else {
    $server->on('beforeHandshakeResponse', function ($s, $req, $resp) use ($st) {
        echo "beforeHandshakeResponse: ", $st($s, $req->fd), "\n";
    });
    $server->on('open', function ($s, $req) use ($st, $other) {
        echo "open: ", $st($s, $req->fd), " other: ", $other($s, $req->fd), "\n";
    });
}
$server->on('message', function ($s, $f) use ($st, $other) {
    echo "message {$f->data}: ", $st($s, $f->fd), "\n";
    if ($f->data === 'disconnect') {
        $s->disconnect($f->fd, 4000, 'bye');
        echo "after disconnect: ", $st($s, $f->fd), " other: ", $other($s, $f->fd), "\n";
    } else {
        $s->push($f->fd, $f->data);
    }
});
$server->on('close', function ($s, $fd) use ($st) { echo "close: ", $st($s, $fd), "\n"; });
$server->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$server->start();
PHP;
// Waits (bounded) until the child printed $n whole "close: " lines.
function wait_closes(array &$srv, int $n): void
{
    $deadline = microtime(true) + 10.0;
    while (preg_match_all('~^close: \S+\n~m', $srv['out']) < $n && microtime(true) < $deadline) {
        ws_server_read($srv, 0.05);
    }
}
foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
    foreach (['user', 'builtin'] as $hs) {
        echo "-- $mode $hs\n";
        $srv = ws_start_server(ws_server_script(str_replace(['MODE', 'HS'], [$mode, $hs], $code)), null, 10.0);
        ws_server_wait_line($srv, 'workerStart 0');
        ws_server_wait_line($srv, 'workerStart 1');
        // The peer closes: ACTIVE until the end.
        $c = WsTestClient::connect($srv['port'], '/', 10.0);
        $c->send('hello');
        echo "client: ", ws_frame_line($c->recv(10.0)), "\n";
        $c->sendClose(1000);
        echo "client: ", ws_frame_line($c->recv(10.0)), "\n";
        $c->waitEof(10.0);
        $c->close();
        wait_closes($srv, 1);
        // disconnect(): CLOSING at once, here and in the other worker, and in onClose.
        $c = WsTestClient::connect($srv['port'], '/', 10.0);
        $c->send('disconnect');
        echo "client: ", ws_frame_line($c->recv(10.0)), "\n";
        $c->sendClose(4000);
        $c->waitEof(10.0);
        $c->close();
        wait_closes($srv, 2);
        echo preg_replace('~^workerStart \d\n~m', '', ws_stop_server($srv));
    }
}
?>
--EXPECT--
-- SWOOLE_BASE user
client: opcode=1 fin=1 payload=hello
client: close code=1000 reason=
client: close code=4000 reason=bye
connect: 0
handshake: 2 other: 2
after end: 3 other: 3
message hello: 3
close: 3
connect: 0
handshake: 2 other: 2
after end: 3 other: 3
message disconnect: 3
after disconnect: 4 other: 4
close: 4
-- SWOOLE_BASE builtin
client: opcode=1 fin=1 payload=hello
client: close code=1000 reason=
client: close code=4000 reason=bye
connect: 0
beforeHandshakeResponse: 3
open: 3 other: 3
message hello: 3
close: 3
connect: 0
beforeHandshakeResponse: 3
open: 3 other: 3
message disconnect: 3
after disconnect: 4 other: 4
close: 4
-- SWOOLE_PROCESS user
client: opcode=1 fin=1 payload=hello
client: close code=1000 reason=
client: close code=4000 reason=bye
connect: 0
handshake: 2 other: 2
after end: 3 other: 3
message hello: 3
close: 3
connect: 0
handshake: 2 other: 2
after end: 3 other: 3
message disconnect: 3
after disconnect: 4 other: 4
close: 4
-- SWOOLE_PROCESS builtin
client: opcode=1 fin=1 payload=hello
client: close code=1000 reason=
client: close code=4000 reason=bye
connect: 0
beforeHandshakeResponse: 3
open: 3 other: 3
message hello: 3
close: 3
connect: 0
beforeHandshakeResponse: 3
open: 3 other: 3
message disconnect: 3
after disconnect: 4 other: 4
close: 4
