--TEST--
Coroutine in a server: go(), Coroutine::sleep(), Channel and Swoole\Timer in callbacks run on the worker's loop without blocking other connections (BASE and PROCESS)
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
use Swoole\WebSocket\Server;
\$server = new Server("127.0.0.1", 0, $mode);
\$server->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
echo "PORT {\$server->port}\\n";
\$chan = null;
\$server->on('workerStart', function () use (&\$chan) {
    \$chan = new Coroutine\Channel(1);
    Swoole\Timer::after(1, function () {
        echo 'timer in worker: in a coroutine ' . var_export(Coroutine::getCid() > 0, true) . "\\n";
    });
    var_dump(@Coroutine\\run(fn () => null));
});
\$server->on('message', function (Server \$s, \$f) use (&\$chan) {
    \$fd = \$f->fd;
    if (\$f->data === 'slow') {
        go(function () use (\$s, \$fd) {
            Coroutine::sleep(1);
            \$s->push(\$fd, 'slow done after sleeping in cid ' . Coroutine::getCid());
        });
        \$s->push(\$fd, 'slow started');
    } elseif (\$f->data === 'wait') {
        go(function () use (\$s, \$fd, &\$chan) {
            \$s->push(\$fd, 'got ' . \$chan->pop(5));
        });
    } elseif (\$f->data === 'give') {
        go(fn () => \$chan->push('gift'));
    } else {
        \$s->push(\$fd, 'echo ' . \$f->data);
    }
});
\$server->start();
PHP);
    $srv = ws_start_server($script);
    $a = WsTestClient::connect($srv['port']);
    $b = WsTestClient::connect($srv['port']);
    $a->send('slow');
    echo 'a: ', ws_frame_line($a->recv()), "\n";
    $b->send('fast');
    echo 'b: ', ws_frame_line($b->recv()), "\n";
    // The sleeping coroutine has not answered yet: b was served meanwhile.
    echo 'a before the sleep ended: ', var_export($a->recv(0.05), true), "\n";
    echo 'a: ', ws_frame_line($a->recv(5)), "\n";
    $b->send('wait');
    $a->send('give');
    echo 'b: ', ws_frame_line($b->recv(5)), "\n";
    var_dump(ws_server_wait_line($srv, 'timer in worker: in a coroutine (\w+)')[1]);
    $a->close();
    $b->close();
    $out = ws_stop_server($srv);
    echo str_contains($out, 'bool(false)') ? "run() in a worker refused\n" : "run() in a worker: $out\n";
}
?>
--EXPECTF--
== SWOOLE_BASE
a: opcode=1 fin=1 payload=slow started
b: opcode=1 fin=1 payload=echo fast
a before the sleep ended: NULL
a: opcode=1 fin=1 payload=slow done after sleeping in cid %d
b: opcode=1 fin=1 payload=got gift
string(4) "true"
run() in a worker refused
== SWOOLE_PROCESS
a: opcode=1 fin=1 payload=slow started
b: opcode=1 fin=1 payload=echo fast
a before the sleep ended: NULL
a: opcode=1 fin=1 payload=slow done after sleeping in cid %d
b: opcode=1 fin=1 payload=got gift
string(4) "true"
run() in a worker refused
