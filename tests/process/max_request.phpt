--TEST--
Server: max_request (worker_num=2): a worker leaves after N requests (the upgrade request and each message count), is replaced, the server keeps serving; getWorkerStatus()
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
// grace 0: exactly 3 requests per worker (Swoole adds a random 1..max/2 by default above 10).
$server->set(['worker_num' => 2, 'max_request' => 3, 'max_request_grace' => 0]);
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) {
    echo "workerStart $id pid=" . getmypid() . " status=" . $s->getWorkerStatus() . "\n";
});
$server->on('workerStop', function (Server $s, int $id) { echo "workerStop $id pid=" . getmypid() . "\n"; });
$server->on('workerExit', function (Server $s, int $id) { echo "workerExit $id pid=" . getmypid() . "\n"; });
$server->on('workerError', function (Server $s, int $id) { echo "workerError $id\n"; });
$server->on('managerStart', function (Server $s) {
    echo "managerStart own=" . var_export($s->getWorkerStatus(), true) . "\n";
});
$server->on('message', function (Server $s, $f) {
    $me = $s->getWorkerId();
    $s->push($f->fd, "w=$me pid=" . getmypid() . " me=" . $s->getWorkerStatus() . " byid=" . $s->getWorkerStatus($me)
        . " other=" . $s->getWorkerStatus(1 - $me) . " idle=" . $s->stats()['idle_worker_num']);
});
$server->start();
PHP);
$srv = ws_start_server($script);

function wait_count(array &$srv, string $needle, int $n, float $timeout = 5.0): bool
{
    $deadline = microtime(true) + $timeout;
    while (substr_count($srv['out'], $needle) < $n) {
        if (microtime(true) >= $deadline) return false;
        ws_server_read($srv, 0.05);
    }
    return true;
}

function who(WsTestClient $c): ?array
{
    $c->send('who');
    $f = $c->recv(3.0);
    if (!$f || $f['opcode'] !== 1) return null;
    preg_match('~w=(\d) pid=(\d+) me=(\d) byid=(\d) other=(\d) idle=(\d)~', $f['payload'], $m);
    return $m ? ['w' => (int) $m[1], 'pid' => (int) $m[2], 'me' => (int) $m[3], 'byid' => (int) $m[4], 'other' => (int) $m[5],
        'idle' => (int) $m[6]] : null;
}

echo "started: ", var_export(wait_count($srv, 'workerStart', 2), true), "\n";
$pids = [];
$replaced = 0;
// Each round: one connection (request 1), two messages (requests 2 and 3): the worker that
// served it answers the second message, then leaves, closing with 1001.
for ($round = 0; $round < 4; $round++) {
    $c = WsTestClient::connect($srv['port']);
    $a = who($c);
    $b = who($c);
    $ok = $a && $b && $a['pid'] === $b['pid'] && $a['w'] === $b['w'];
    echo "round $round: same worker twice: ", var_export($ok, true),
        ", busy in its callback: ", var_export($a['me'] === SWOOLE_WORKER_BUSY && $a['byid'] === SWOOLE_WORKER_BUSY, true),
        ", the other idle: ", var_export($a['other'] === SWOOLE_WORKER_IDLE && $a['idle'] === 1, true),
        ", then ", ws_frame_line($c->recv(5.0)), "\n";
    $c->sendClose(1000);
    $c->waitEof(2.0);
    $c->close();
    $pids[] = $a['pid'];
    $starts = 2 + $round + 1;
    $replaced += wait_count($srv, 'workerStart', $starts) ? 1 : 0;
}
echo "replacements seen: $replaced\n";
echo "every round a different process: ", var_export(count(array_unique($pids)) === 4, true), "\n";
$out = ws_stop_server($srv);
preg_match_all('~^workerStart \d pid=(\d+) status=(\d)$~m', $out, $m);
echo "workerStart status always IDLE: ", var_export(array_unique($m[2]) === [(string) SWOOLE_WORKER_IDLE], true), "\n";
echo "served pids were started workers: ", var_export(!array_diff($pids, array_map('intval', $m[1])), true), "\n";
$lines = array_filter(explode("\n", $out), fn ($l) => $l !== '');
$lines = preg_replace('~^(workerStart|workerStop|workerExit) (\d+) pid=\d+.*$~', '$1', $lines);
$counts = array_count_values($lines);
ksort($counts);
foreach ($counts as $l => $n) echo "$n x $l\n";
?>
--EXPECT--
started: true
round 0: same worker twice: true, busy in its callback: true, the other idle: true, then close code=1001 reason=
round 1: same worker twice: true, busy in its callback: true, the other idle: true, then close code=1001 reason=
round 2: same worker twice: true, busy in its callback: true, the other idle: true, then close code=1001 reason=
round 3: same worker twice: true, busy in its callback: true, the other idle: true, then close code=1001 reason=
replacements seen: 4
every round a different process: true
workerStart status always IDLE: true
served pids were started workers: true
1 x managerStart own=false
6 x workerExit
6 x workerStart
6 x workerStop
