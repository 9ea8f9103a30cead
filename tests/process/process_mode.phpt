--TEST--
Server: SWOOLE_PROCESS runs the same script (a manager and workers; push and connections across workers, shutdown)
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, SWOOLE_PROCESS);
echo "PORT {$server->port}\n";
echo "mode=" . $server->mode . "\n";
$server->set(['worker_num' => 2]);
$server->on('workerStart', function (Server $s, int $id) {
    echo "workerStart $id manager=" . var_export($s->getManagerPid() > 0 && $s->getManagerPid() !== getmypid(), true) . "\n";
});
$server->on('message', function (Server $s, $f) {
    [$cmd, $arg] = array_pad(explode(':', $f->data, 2), 2, '');
    if ($cmd === 'who') {
        $s->push($f->fd, "fd={$f->fd} w={$s->getWorkerId()}");
    } elseif ($cmd === 'block') {
        usleep(600000);
        $s->push($f->fd, 'unblocked');
    } elseif ($cmd === 'push') {
        $s->push($f->fd, 'push ' . var_export($s->push((int) $arg, "to $arg"), true));
    } elseif ($cmd === 'all') {
        $n = 0;
        foreach ($s->connections as $fd) {
            $n += $s->isEstablished($fd) && $s->push($fd, 'all') ? 1 : 0;
        }
        $s->push($f->fd, "pushed $n");
    }
});
$server->on('shutdown', function () { echo "shutdown\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
ws_server_wait_output($srv, 'workerStart 1');
ws_server_wait_output($srv, 'workerStart 0');
$ask = function (WsTestClient $c, string $m): string {
    $c->send($m);
    return $c->recv(3.0)['payload'] ?? 'no reply';
};
$c1 = WsTestClient::connect($srv['port']);
preg_match('~fd=(\d+) w=(\d+)~', $ask($c1, 'who'), $m1);
$c1->send('block');
usleep(100000);
$c2 = WsTestClient::connect($srv['port']);
preg_match('~fd=(\d+) w=(\d+)~', $ask($c2, 'who'), $m2);
echo "c1: ", $c1->recv(3.0)['payload'] ?? 'none', "\n";
echo "different workers: ", var_export($m1[2] !== $m2[2], true), "\n";
echo "c1 -> ", $ask($c1, "push:{$m2[1]}"), "\n";
echo "c2 got: ", $c2->recv(3.0)['payload'] ?? 'none', "\n";
$c2->send('all');
$got = [$c1->recv(3.0)['payload'] ?? 'none', $c2->recv(3.0)['payload'] ?? 'none', $c2->recv(3.0)['payload'] ?? 'none'];
sort($got);
echo "broadcast: ", implode(',', $got), "\n";
$out = ws_stop_server($srv);
echo "c1 after shutdown: ", ws_frame_line($c1->recv(3.0)), "\n";
$lines = array_values(array_filter(explode("\n", $out), fn ($l) => $l !== ''));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
c1: unblocked
different workers: true
c1 -> push true
c2 got: to 2
broadcast: all,all,pushed 2
c1 after shutdown: close code=1001 reason=
mode=2
shutdown
workerStart 0 manager=true
workerStart 1 manager=true
