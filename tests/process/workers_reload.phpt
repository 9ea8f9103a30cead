--TEST--
Server: worker_num=2: reload() and SIGUSR1 restart every worker one by one, stop() in a worker, SIGTERM to the manager
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2]);
echo "PORT {$server->port}\n";
// One echo per line: with ", " PHP writes each part separately and processes interleave.
$server->on('start', function (Server $s) { echo "start\n"; });
$server->on('managerStart', function (Server $s) { echo "managerStart pid=" . getmypid() . "\n"; });
$server->on('managerStop', function (Server $s) { echo "managerStop pid=" . getmypid() . "\n"; });
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id pid=" . getmypid() . "\n"; });
$server->on('workerStop', function (Server $s, int $id) { echo "workerStop $id pid=" . getmypid() . "\n"; });
$server->on('workerError', function (Server $s, int $id, int $pid, int $code, int $sig) { echo "workerError $id code=$code signal=$sig\n"; });
$server->on('message', function (Server $s, $f) {
    $id = $s->getWorkerId();
    switch ($f->data) {
    case 'who':
        $s->push($f->fd, "w=$id pid=" . getmypid() . " manager=" . $s->getManagerPid());
        break;
    case 'reload':
        $s->push($f->fd, 'reload ' . var_export($s->reload(), true));
        break;
    case 'stop':
        echo "stop in worker $id\n";
        $s->push($f->fd, 'stop ' . var_export($s->stop(), true));
        break;
    }
});
$server->on('shutdown', function (Server $s) { echo "shutdown pid=" . getmypid() . "\n"; });
// Swoole runs these in the manager: around each reload, and before the shutdown.
$server->on('beforeReload', function (Server $s) { echo "beforeReload pid=" . getmypid() . "\n"; });
$server->on('afterReload', function (Server $s) { echo "afterReload pid=" . getmypid() . "\n"; });
$server->on('beforeShutdown', function (Server $s) { echo "beforeShutdown pid=" . getmypid() . "\n"; });
$server->start();
echo "start returned pid=" . getmypid() . "\n";
PHP);
$srv = ws_start_server($script);

/** Waits (bounded) until $needle occurs $n times in the server's output. */
function wait_count(array &$srv, string $needle, int $n, float $timeout = 5.0): bool
{
    $deadline = microtime(true) + $timeout;
    while (substr_count($srv['out'], $needle) < $n) {
        if (microtime(true) >= $deadline) return false;
        ws_server_read($srv, 0.05);
    }
    return true;
}

/** Current worker pids by id: the last workerStart line of each id. */
function worker_pids(string $out): array
{
    preg_match_all('~^workerStart (\d+) pid=(\d+)$~m', $out, $m, PREG_SET_ORDER);
    $pids = [];
    foreach ($m as [, $id, $pid]) $pids[(int) $id] = (int) $pid;
    ksort($pids);
    return $pids;
}

/** workerStop ids in output order. */
function stop_order(string $out): string
{
    preg_match_all('~^workerStop (\d+) ~m', $out, $m);
    return implode(',', $m[1]);
}

function who(WsTestClient $c): array
{
    $c->send('who');
    $f = $c->recv(3.0);
    preg_match('~w=(\d+) pid=(\d+) manager=(\d+)~', $f['payload'] ?? '', $m);
    return $m ? ['w' => (int) $m[1], 'pid' => (int) $m[2], 'manager' => (int) $m[3]] : [];
}

echo "started: ", var_export(wait_count($srv, 'workerStart', 2), true), "\n";
$pids0 = worker_pids($srv['out']);
$c1 = WsTestClient::connect($srv['port']);
$w = who($c1);
$manager = $w['manager'];
echo "manager is the server process: ", var_export($manager === $srv['pid'], true), "\n";
echo "who is a worker: ", var_export(in_array($w['pid'], $pids0, true), true), "\n";

echo "-- reload() from a message callback\n";
$mark = strlen($srv['out']);
$c1->send('reload');
echo "c1 -> ", ws_frame_line($c1->recv(3.0)), "\n";
echo "c1 -> ", ws_frame_line($c1->recv(5.0)), "\n";  // its worker is restarted: close 1001
$c1->sendClose(1000);
$c1->waitEof(2.0);
$c1->close();
echo "restarted: ", var_export(wait_count($srv, 'workerStart', 4), true), "\n";
$part = substr($srv['out'], $mark);
$pids1 = worker_pids($srv['out']);
echo "stop order: ", stop_order($part), "\n";
echo "new pids: ", var_export(count($pids1) === 2 && !array_intersect($pids1, $pids0), true), "\n";
$c2 = WsTestClient::connect($srv['port']);
$w = who($c2);
echo "serving after reload: ", var_export(in_array($w['pid'], $pids1, true) && $w['manager'] === $manager, true), "\n";

echo "-- SIGUSR1 to the manager\n";
$mark = strlen($srv['out']);
var_dump(posix_kill($manager, SIGUSR1));
echo "c2 -> ", ws_frame_line($c2->recv(5.0)), "\n";
$c2->sendClose(1000);
$c2->waitEof(2.0);
$c2->close();
echo "restarted: ", var_export(wait_count($srv, 'workerStart', 6), true), "\n";
$part = substr($srv['out'], $mark);
$pids2 = worker_pids($srv['out']);
echo "stop order: ", stop_order($part), "\n";
echo "new pids: ", var_export(count($pids2) === 2 && !array_intersect($pids2, $pids1) && !array_intersect($pids2, $pids0), true), "\n";
$c3 = WsTestClient::connect($srv['port']);
$w = who($c3);
echo "serving after SIGUSR1: ", var_export(in_array($w['pid'], $pids2, true) && $w['manager'] === $manager, true), "\n";

echo "-- stop() in a worker\n";
$mark = strlen($srv['out']);
$stopped = $w['w'];
$c3->send('stop');
echo "c3 -> ", ws_frame_line($c3->recv(3.0)), "\n";
echo "c3 -> ", ws_frame_line($c3->recv(5.0)), "\n";
$c3->sendClose(1000);
$c3->waitEof(2.0);
$c3->close();
echo "replaced: ", var_export(wait_count($srv, 'workerStart', 7, 5.0), true), "\n";
$part = substr($srv['out'], $mark);
$pids3 = worker_pids($srv['out']);
echo "stop order: ", stop_order($part) === (string) $stopped ? 'the stopped worker only' : stop_order($part), "\n";
echo "only that worker replaced: ", var_export($pids3[$stopped] !== $pids2[$stopped] && $pids3[1 - $stopped] === $pids2[1 - $stopped], true), "\n";

echo "-- SIGTERM to the manager\n";
$clients = [];
for ($i = 0; $i < 4; $i++) {
    $clients[] = WsTestClient::connect($srv['port']);
}
$ws = [];
foreach ($clients as $c) $ws[] = who($c)['pid'] ?? 0;
echo "clients served by current workers: ", var_export(!array_diff($ws, $pids3), true), "\n";
posix_kill($manager, SIGTERM);
foreach ($clients as $i => $c) {
    echo "client $i -> ", ws_frame_line($c->recv(5.0)), "\n";
    $c->sendClose(1001);
    echo "client $i EOF: ", var_export($c->waitEof(3.0), true), "\n";
    $c->close();
}
$exit = null;
$deadline = microtime(true) + 10;
while (microtime(true) < $deadline) {
    $st = proc_get_status($srv['proc']);
    if (!$st['running']) {
        $exit = $st['exitcode'];
        break;
    }
    ws_server_read($srv, 0.05);
}
echo "exit status: ", var_export($exit, true), "\n";
$out = ws_stop_server($srv);  // collects the rest (the process is gone)

echo "-- server output\n";
$out = str_replace(["pid=$manager\n"], ["pid=MANAGER\n"], $out);
$lines = array_filter(explode("\n", $out), fn ($l) => $l !== '');
$lines = preg_replace(['~^(workerStart|workerStop) (\d+) pid=\d+$~', '~^stop in worker \d+$~'], ['$1 N', 'stop in worker N'], $lines);
$counts = array_count_values($lines);
ksort($counts);
foreach ($counts as $l => $n) echo "$n x $l\n";
?>
--EXPECT--
started: true
manager is the server process: true
who is a worker: true
-- reload() from a message callback
c1 -> opcode=1 fin=1 payload=reload true
c1 -> close code=1001 reason=
restarted: true
stop order: 0,1
new pids: true
serving after reload: true
-- SIGUSR1 to the manager
bool(true)
c2 -> close code=1001 reason=
restarted: true
stop order: 0,1
new pids: true
serving after SIGUSR1: true
-- stop() in a worker
c3 -> opcode=1 fin=1 payload=stop true
c3 -> close code=1001 reason=
replaced: true
stop order: the stopped worker only
only that worker replaced: true
-- SIGTERM to the manager
clients served by current workers: true
client 0 -> close code=1001 reason=
client 0 EOF: true
client 1 -> close code=1001 reason=
client 1 EOF: true
client 2 -> close code=1001 reason=
client 2 EOF: true
client 3 -> close code=1001 reason=
client 3 EOF: true
exit status: 0
-- server output
2 x afterReload pid=MANAGER
2 x beforeReload pid=MANAGER
1 x beforeShutdown pid=MANAGER
1 x managerStart pid=MANAGER
1 x managerStop pid=MANAGER
1 x shutdown pid=MANAGER
1 x start
1 x start returned pid=MANAGER
1 x stop in worker N
7 x workerStart N
7 x workerStop N
