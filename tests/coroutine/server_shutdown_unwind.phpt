--TEST--
Server: a graceful stop (SIGTERM) unwinds the coroutines still waiting (a callback in Channel::pop(), a go() in sleep(), one in Co::yield()): their finally blocks and defers run before onWorkerStop, BASE and PROCESS
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

$code = <<<'PHP'
<?php
use Swoole\Coroutine;
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
echo "PORT {$server->port}\n";
$chan = null;
$server->on('workerStart', function () use (&$chan) {
    $chan = new Coroutine\Channel(1);
    go(function () {
        try {
            Coroutine::sleep(60);
            echo "sleep returned\n";
        } finally {
            echo "go: finally ran\n";
        }
    });
    go(function () {
        Coroutine::defer(function () { echo "yield: defer ran\n"; });
        Coroutine::yield();
        echo "yield returned\n";
    });
});
$server->on('message', function (Server $s, $f) use (&$chan) {
    Coroutine::defer(function () { echo "callback: defer ran\n"; });
    try {
        $s->push($f->fd, 'waiting');
        $chan->pop(60);
        echo "pop returned\n";
    } finally {
        echo "callback: finally ran\n";
    }
});
$server->on('workerStop', function () { echo "workerStop\n"; });
$server->start();
PHP;

foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
    echo "== $mode\n";
    $srv = ws_start_server(ws_server_script(str_replace('MODE', $mode, $code)));
    $c = WsTestClient::connect($srv['port'], '/', 10.0);
    $c->send('x');
    echo ws_frame_line($c->recv(10)), "\n";
    $out = ws_stop_server($srv, 20.0);
    $lines = array_values(array_filter(explode("\n", $out), fn ($l) => preg_match('~ran$|returned$|^workerStop$~', $l)));
    sort($lines);  // the order among the coroutines is the scheduler's business
    echo implode("\n", $lines), "\n";
    echo "workerStop last: ", var_export(str_ends_with(trim($out), 'workerStop'), true), "\n";
    echo "stopped without SIGKILL: ", var_export(!str_contains($out, '[killed]'), true), "\n";
}
?>
--EXPECT--
== SWOOLE_BASE
opcode=1 fin=1 payload=waiting
callback: defer ran
callback: finally ran
go: finally ran
workerStop
yield: defer ran
workerStop last: true
stopped without SIGKILL: true
== SWOOLE_PROCESS
opcode=1 fin=1 payload=waiting
callback: defer ran
callback: finally ran
go: finally ran
workerStop
yield: defer ran
workerStop last: true
stopped without SIGKILL: true
