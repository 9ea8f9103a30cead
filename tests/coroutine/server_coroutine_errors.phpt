--TEST--
Server with callbacks in coroutines: an exception uncaught after a wait is a fatal error that ends only its worker (the manager replaces it, the other worker's connections go on); max_coroutine drops an event beyond it with Swoole's warning
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

echo "== uncaught exception after Coroutine::sleep(), worker_num 2\n";
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
use Swoole\Coroutine;
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2, 'log_level' => SWOOLE_LOG_WARNING]);
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('message', function (Server $s, $f) {
    if ($f->data === 'throw') {
        Coroutine::defer(function () { echo "defer of the failed coroutine\n"; });
        Coroutine::sleep(0.01);
        throw new RuntimeException('after sleeping');
    }
    $s->push($f->fd, "worker {$s->worker_id}");
});
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->start();
PHP));
ws_server_wait_line($srv, 'workerStart 0');
ws_server_wait_line($srv, 'workerStart 1');
$clients = [];
for ($i = 0; $i < 40 && count($clients) < 2; $i++) {
    $c = WsTestClient::connect($srv['port'], '/', 10.0);
    $c->send('who');
    $w = ws_frame_line($c->recv(10));
    if (!isset($clients[$w])) $clients[$w] = $c; else $c->close();
}
ksort($clients);
echo "clients on two workers: ", var_export(count($clients) === 2, true), "\n";
[$a, $b] = array_values($clients);
$a->send('throw');
echo "a dropped: ", var_export($a->waitEof(10), true), "\n";
echo ws_server_wait_line($srv, '(PHP )?Fatal error: +Uncaught RuntimeException: after sleeping in .*') ? "fatal error reported\n" : "no fatal error\n";
echo ws_server_wait_line($srv, '.*WARNING\tworker\(pid=\d+, id=\d\) abnormal exit, status=255, signal=0') ? "manager saw exit status 255\n" : "no abnormal exit logged\n";
$b->send('who');
echo "b still served: ", var_export(str_starts_with(ws_frame_line($b->recv(10)), 'opcode=1 fin=1 payload=worker '), true), "\n";
$b->close();
$out = ws_stop_server($srv);
echo "defers of the failed coroutine dropped (as Swoole's fatal error): ", var_export(!str_contains($out, 'defer of the failed'), true), "\n";

echo "== max_coroutine 2, worker_num 1\n";
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
use Swoole\Coroutine\Channel;
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 1, 'max_coroutine' => 2, 'log_level' => SWOOLE_LOG_WARNING]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$chan = new Channel(3);
$server->on('message', function (Server $s, $f) use ($chan) {
    if ($f->data === 'hold') {
        $s->push($f->fd, 'holding');
        $chan->pop(30);
        $s->push($f->fd, 'released');
    } elseif ($f->data === 'release') {
        $chan->push(1);
        $chan->push(1);
    } else {
        $s->push($f->fd, 'echo ' . $f->data);
    }
});
$server->start();
PHP));
$a = WsTestClient::connect($srv['port'], '/', 10.0);
$b = WsTestClient::connect($srv['port'], '/', 10.0);
$a->send('hold');
echo 'a: ', ws_frame_line($a->recv(10)), "\n";
$a->send('hold');
echo 'a: ', ws_frame_line($a->recv(10)), "\n";
$b->send('third');
echo ws_server_wait_line($srv, 'WARNING: .*')[0] ?? 'no warning', "\n";
echo 'b got nothing: ', var_export($b->recv(0.2), true), "\n";
$c = WsTestClient::connect($srv['port'], '/', 10.0);
$c->send('release');  // no room for its coroutine either: dropped too
ws_server_wait_line($srv, 'WARNING: .*\n.*WARNING: .*');
echo 'a still holding: ', var_export($a->recv(0.2), true), "\n";
$a->close();
$b->close();
$c->close();
echo ws_stop_server($srv);
?>
--EXPECTF--
== uncaught exception after Coroutine::sleep(), worker_num 2
clients on two workers: true
a dropped: true
fatal error reported
manager saw exit status 255
b still served: true
defers of the failed coroutine dropped (as Swoole's fatal error): true
== max_coroutine 2, worker_num 1
a: opcode=1 fin=1 payload=holding
a: opcode=1 fin=1 payload=holding
WARNING: Swoole\Server::start(): exceed max number of coroutine 2
b got nothing: NULL
a still holding: NULL
WARNING: Swoole\Server::start(): exceed max number of coroutine 2
WARNING: Swoole\Server::start(): exceed max number of coroutine 2
