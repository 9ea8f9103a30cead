--TEST--
Server: enable_coroutine (the default) runs every callback and server timer in its own coroutine, BASE and PROCESS: a callback waiting on a Channel lets the worker serve others, onRequest ends its response after waiting, push() after the connection closed fails; enable_coroutine off runs them outside
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

function http_get(int $port, string $path): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 5);
    stream_set_timeout($s, 10);
    fwrite($s, "GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    $r = stream_get_contents($s);
    fclose($s);
    return substr($r, strpos($r, "\r\n\r\n") + 4);
}

$code = <<<'PHP'
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Channel;
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING] + SETTINGS);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$chan = null;
$closed = null;
$cid = fn () => Coroutine::getCid() > 0 ? 'in a coroutine' : 'outside';
$server->on('workerStart', function (Server $s) use (&$chan, &$closed, $cid) {
    $chan = new Channel(1);
    $closed = new Channel(1);
    echo "workerStart: {$cid()}\n";
    $s->after(1, function () use ($cid) { echo "after: {$cid()}\n"; });
    $s->tick(1, function ($id) use ($s, $cid) { echo "tick: {$cid()}\n"; $s->clearTimer($id); });
    $s->defer(function () use ($cid) { echo "defer: {$cid()}\n"; });
});
$server->on('open', function (Server $s, $req) use ($cid) { echo "open: {$cid()}\n"; });
$server->on('message', function (Server $s, $f) use (&$chan, &$closed, $cid) {
    if ($f->data === 'wait') {
        if (Coroutine::getCid() < 0) { $s->push($f->fd, 'no coroutine'); return; }
        $s->push($f->fd, 'waiting');
        $s->push($f->fd, 'woken with ' . $chan->pop(30));
    } elseif ($f->data === 'release') {
        $chan->push('gift');
        $s->push($f->fd, 'released');
    } elseif ($f->data === 'late') {
        $closed = new Channel(1);  // b's close is in the old one
        $s->push($f->fd, 'late: waiting for the close');
        $closed->pop(30);
        $r = $s->push($f->fd, 'too late');
        echo "push after close: ", var_export($r, true), " error ", $s->getLastError(), "\n";
    } else {
        $s->push($f->fd, "message: {$cid()}");
    }
});
$server->on('request', function ($req, $resp) use ($cid) {
    $where = $cid();
    if ($where === 'in a coroutine') Coroutine::sleep(0.01);
    $resp->end("request: $where, ended after waiting");
});
$server->on('close', function (Server $s, $fd) use (&$closed, $cid) {
    echo "close: {$cid()}\n";
    if ($closed && $closed->isEmpty() && Coroutine::getCid() > 0) $closed->push($fd);
});
$server->start();
PHP;

$cases = [
    'SWOOLE_BASE' => '[]',
    'SWOOLE_PROCESS' => '[]',
    'SWOOLE_BASE, enable_coroutine off' => "['enable_coroutine' => false]",
];
foreach ($cases as $name => $settings) {
    echo "== $name\n";
    $mode = explode(',', $name)[0];
    $srv = ws_start_server(ws_server_script(str_replace(['MODE', 'SETTINGS'], [$mode, $settings], $code)));
    foreach (['workerStart', 'after', 'tick', 'defer'] as $ev) {
        echo ws_server_wait_line($srv, "$ev: ([a-z ]+)")[0] ?? "$ev: not seen", "\n";
    }
    $a = WsTestClient::connect($srv['port'], '/', 10.0);
    echo ws_server_wait_line($srv, 'open: ([a-z ]+)')[0] ?? 'open: not seen', "\n";
    $a->send('hello');
    echo 'a: ', ws_frame_line($a->recv(10)), "\n";
    $a->send('wait');
    echo 'a: ', ws_frame_line($a->recv(10)), "\n";
    if (!str_contains($name, 'off')) {
        // a's callback is suspended in pop(): b is served meanwhile, and wakes it.
        $b = WsTestClient::connect($srv['port'], '/', 10.0);
        $b->send('hello');
        echo 'b: ', ws_frame_line($b->recv(10)), "\n";
        $b->send('release');
        echo 'a: ', ws_frame_line($a->recv(10)), "\n";
        echo 'b: ', ws_frame_line($b->recv(10)), "\n";
        $b->close();
        ws_server_wait_line($srv, 'close: .*');
        $a->send('late');
        echo 'a: ', ws_frame_line($a->recv(10)), "\n";
        $a->close();
        echo ws_server_wait_line($srv, 'WARNING: .*')[0] ?? 'no warning', "\n";
        echo ws_server_wait_line($srv, 'push after close: .*')[0] ?? 'push after close: not seen', "\n";
    } else {
        $a->close();
    }
    echo http_get($srv['port'], '/'), "\n";
    $out = ws_stop_server($srv);
    if (preg_match('~Warning|Fatal|deadlock~', $out)) echo $out;
}
?>
--EXPECT--
== SWOOLE_BASE
workerStart: in a coroutine
after: in a coroutine
tick: in a coroutine
defer: in a coroutine
open: in a coroutine
a: opcode=1 fin=1 payload=message: in a coroutine
a: opcode=1 fin=1 payload=waiting
b: opcode=1 fin=1 payload=message: in a coroutine
a: opcode=1 fin=1 payload=woken with gift
b: opcode=1 fin=1 payload=released
a: opcode=1 fin=1 payload=late: waiting for the close
WARNING: Swoole\WebSocket\Server::push(): session#1 does not exists
push after close: false error 1005
request: in a coroutine, ended after waiting
== SWOOLE_PROCESS
workerStart: in a coroutine
after: in a coroutine
tick: in a coroutine
defer: in a coroutine
open: in a coroutine
a: opcode=1 fin=1 payload=message: in a coroutine
a: opcode=1 fin=1 payload=waiting
b: opcode=1 fin=1 payload=message: in a coroutine
a: opcode=1 fin=1 payload=woken with gift
b: opcode=1 fin=1 payload=released
a: opcode=1 fin=1 payload=late: waiting for the close
WARNING: Swoole\WebSocket\Server::push(): session#1 does not exists
push after close: false error 1005
request: in a coroutine, ended after waiting
== SWOOLE_BASE, enable_coroutine off
workerStart: outside
after: outside
tick: outside
defer: outside
open: outside
a: opcode=1 fin=1 payload=message: outside
a: opcode=1 fin=1 payload=no coroutine
request: outside, ended after waiting
