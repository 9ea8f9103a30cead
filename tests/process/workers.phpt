--TEST--
Server: worker_num=4 in BASE mode: cross-worker push/disconnect/getClientInfo/connections, a crashed worker restarted
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 4]);
echo "PORT {$server->port}\n";
$server->on('start', function (Server $s) { echo "start\n"; });
// One echo per line: with ", " PHP writes each part separately and processes interleave.
$server->on('managerStart', function (Server $s) { echo "managerStart pid_ok=" . var_export($s->getManagerPid() === getmypid(), true) . "\n"; });
$server->on('managerStop', function (Server $s) { echo "managerStop\n"; });
$server->on('workerStart', function (Server $s, int $id) {
    echo "workerStart $id id_ok=" . var_export($s->getWorkerId() === $id && $s->worker_id === $id, true)
        . " manager_ok=" . var_export($s->getManagerPid() === $s->manager_pid && $s->manager_pid !== getmypid(), true) . "\n";
});
$server->on('workerStop', function (Server $s, int $id) { echo "workerStop $id\n"; });
$server->on('workerError', function (Server $s, int $id, int $pid, int $code, int $sig) { echo "workerError code=$code signal=$sig\n"; });
$server->on('message', function (Server $s, $f) {
    $w = $s->getWorkerId();
    [$cmd, $arg] = array_pad(explode(':', $f->data, 2), 2, '');
    switch ($cmd) {
    case 'who':
        $s->push($f->fd, "fd={$f->fd} w=$w");
        break;
    case 'block':  // keeps this worker busy, so the next connection goes to another one
        usleep(600000);
        $s->push($f->fd, 'unblocked');
        break;
    case 'push':
        $ok = $s->push((int) $arg, "hello from w$w");
        $s->push($f->fd, 'push ' . var_export($ok, true));
        break;
    case 'info':
        $i = $s->getClientInfo((int) $arg);
        $list = [];
        foreach ($s->connections as $fd) $list[] = $fd;
        $s->push($f->fd, json_encode([
            'worker' => $i['worker_id'] ?? 0, 'status' => $i['websocket_status'] ?? null, 'ip' => $i['remote_ip'] ?? null,
            'exist' => $s->exist((int) $arg), 'est' => $s->isEstablished((int) $arg),
            'count' => count($s->connections), 'list' => $list, 'clist' => $s->getClientList(0, 10),
            'gone' => [$s->exist(999), $s->isEstablished(999), $s->getClientInfo(999)],
        ]));
        break;
    case 'broadcast':
        $n = 0;
        foreach ($s->connections as $fd) {
            if ($s->isEstablished($fd) && $s->push($fd, "all from w$w")) $n++;
        }
        echo "broadcast pushed $n\n";
        break;
    case 'disconnect':
        $s->push($f->fd, 'disconnect ' . var_export($s->disconnect((int) $arg, 4001, 'remote'), true));
        break;
    case 'crash':
        exit(3);
    }
});
$server->on('close', function (Server $s, int $fd, int $reactor) { echo "close $fd\n"; });
$server->on('shutdown', function (Server $s) { echo "shutdown\n"; });
$server->start();
echo "start returned in the manager\n";
PHP);
$srv = ws_start_server($script);
ws_server_wait_output($srv, 'managerStart');

function ask(WsTestClient $c, string $msg): string
{
    $c->send($msg);
    $f = $c->recv(3.0);
    return $f === null ? 'no reply' : ($f['opcode'] === 8 ? ws_frame_line($f) : $f['payload']);
}

$c1 = WsTestClient::connect($srv['port']);
preg_match('~fd=(\d+) w=(\d+)~', ask($c1, 'who'), $m1);
$c1->send('block');
usleep(100000);
$c2 = WsTestClient::connect($srv['port']);
preg_match('~fd=(\d+) w=(\d+)~', ask($c2, 'who'), $m2);
echo "c1 ", ws_frame_line($c1->recv(3.0)), "\n";
[$fd1, $w1, $fd2, $w2] = [(int) $m1[1], (int) $m1[2], (int) $m2[1], (int) $m2[2]];
echo "different workers: ", var_export($w1 !== $w2, true), "\n";

// c1's worker pushes to c2, owned by another worker.
echo "c1 push -> ", ask($c1, "push:$fd2"), "\n";
$norm = fn (string $l) => str_replace(["w$w1", "w$w2"], ['W1', 'W2'], $l);
echo "c2 got -> ", $norm(ws_frame_line($c2->recv(3.0))), "\n";

// c2's worker sees c1 in the shared table.
$info = json_decode(ask($c2, "info:$fd1"), true);
echo "info worker_ok=", var_export($info['worker'] === $w1, true), " status={$info['status']} ip={$info['ip']}",
    " exist=", var_export($info['exist'], true), " est=", var_export($info['est'], true),
    " count={$info['count']} list_ok=", var_export($info['list'] === [$fd1, $fd2] && $info['clist'] === [$fd1, $fd2], true),
    " gone=", json_encode($info['gone']), "\n";

// Broadcast from one worker reaches both.
$c2->send('broadcast');
echo "c1 -> ", $norm(ws_frame_line($c1->recv(3.0))), "\n";
echo "c2 -> ", $norm(ws_frame_line($c2->recv(3.0))), "\n";

// c2's worker closes c1 (owned elsewhere) with a code.
echo "c2 disconnect -> ", ask($c2, "disconnect:$fd1"), "\n";
echo "c1 -> ", ws_frame_line($c1->recv(3.0)), "\n";
$c1->sendClose(4001);
var_dump($c1->waitEof(3.0));
$c1->close();

// A worker that dies is replaced; the others keep their connections.
$c3 = null;
for ($i = 0; $i < 20 && $c3 === null; $i++) {
    $c = WsTestClient::connect($srv['port']);
    preg_match('~w=(\d+)~', ask($c, 'who'), $m);
    if ((int) $m[1] !== $w2) {
        $c3 = $c;
    } else {
        $c->close();
    }
}
echo "c3 found: ", var_export($c3 !== null, true), "\n";
$c2->send('crash');
var_dump($c2->waitEof(3.0));
$c2->close();
ws_server_wait_output($srv, 'workerError');
for ($i = 0; $i < 60 && substr_count($srv['out'], 'workerStart') < 5; $i++) {
    ws_server_read($srv, 0.05);  // the replacement may wait 1 s if the worker died young
}
echo "c3 still served: ", var_export(str_starts_with(ask($c3, 'who'), 'fd='), true), "\n";
$info = json_decode(ask($c3, "info:$fd2"), true);
echo "crashed worker's fd gone: ", var_export($info['exist'] === false, true), "\n";

echo "--- server\n";
$out = ws_stop_server($srv);
echo "c3 -> ", ws_frame_line($c3->recv(3.0)), "\n";
$lines = array_filter(explode("\n", $out), fn ($l) => $l !== '' && !str_starts_with($l, 'close '));
$lines = preg_replace(['~^workerStart \d+~', '~^workerStop \d+~'], ['workerStart N', 'workerStop N'], $lines);
$counts = array_count_values($lines);
ksort($counts);
foreach ($counts as $l => $n) echo "$n x $l\n";
?>
--EXPECT--
c1 opcode=1 fin=1 payload=unblocked
different workers: true
c1 push -> push true
c2 got -> opcode=1 fin=1 payload=hello from W1
info worker_ok=true status=3 ip=127.0.0.1 exist=true est=true count=2 list_ok=true gone=[false,false,false]
c1 -> opcode=1 fin=1 payload=all from W2
c2 -> opcode=1 fin=1 payload=all from W2
c2 disconnect -> disconnect true
c1 -> close code=4001 reason=remote
bool(true)
c3 found: true
bool(true)
c3 still served: true
crashed worker's fd gone: true
--- server
c3 -> close code=1001 reason=
1 x broadcast pushed 2
1 x managerStart pid_ok=true
1 x managerStop
1 x shutdown
1 x start
1 x start returned in the manager
1 x workerError code=3 signal=0
5 x workerStart N id_ok=true manager_ok=true
4 x workerStop N
