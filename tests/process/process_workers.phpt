--TEST--
Server: SWOOLE_PROCESS keeps connections in the master: a worker killed with SIGKILL is replaced and its connections stay open, others lose nothing; reload with messages in flight; dispatch_mode 1 to 4; onClose sees the client info
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

function process_server(int $dispatch_mode): array
{
    $script = ws_server_script(str_replace('DISPATCH_MODE', (string) $dispatch_mode, <<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, SWOOLE_PROCESS);
echo "PORT {$server->port}\n";
$server->set(['worker_num' => 2, 'reactor_num' => 2, 'dispatch_mode' => DISPATCH_MODE]);
$server->on('start', function (Server $s) { echo "start in master: " . var_export($s->master_pid === getmypid(), true) . "\n"; });
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('connect', function (Server $s, int $fd) { echo "connect $fd\n"; });
$server->on('message', function (Server $s, $f) {
    [$cmd, $arg] = array_pad(explode(':', $f->data, 2), 2, '');
    if ($cmd === 'who') {
        $s->push($f->fd, "w={$s->getWorkerId()} pid=" . getmypid());
    } elseif ($cmd === 'block') {
        usleep((int) $arg * 1000);
        $s->push($f->fd, 'unblocked');
    } elseif ($cmd === 'reload') {
        $s->push($f->fd, 'reload ' . var_export($s->reload(), true));
    } else {
        $s->push($f->fd, $f->data);
    }
});
$server->on('close', function (Server $s, int $fd) {
    $info = $s->getClientInfo($fd);
    // One echo per line: echo with commas writes each part apart, and workers interleave.
    echo "close $fd ip=" . ($info['remote_ip'] ?? '?') . " worker=" . $s->getWorkerId() . "\n";
});
$server->on('shutdown', function () { echo "shutdown\n"; });
$server->start();
PHP));
    $srv = ws_start_server($script);
    ws_server_wait_output($srv, 'workerStart 0', 10.0);
    ws_server_wait_output($srv, 'workerStart 1', 10.0);
    return $srv;
}

function ask(WsTestClient $c, string $m, float $timeout = 3.0): string
{
    $c->send($m);
    return $c->recv($timeout)['payload'] ?? 'no reply';
}

/** Sends $n numbered messages, then reads until all came back; returns how many did. */
function echo_burst(WsTestClient $c, string $tag, int $n): int
{
    for ($i = 0; $i < $n; $i++) {
        $c->send("$tag$i");
    }
    $got = 0;
    for ($i = 0; $i < $n; $i++) {
        $f = $c->recv(5.0);
        if (($f['payload'] ?? null) !== "$tag$i") {
            break;
        }
        $got++;
    }
    return $got;
}

echo "== dispatch_mode 2\n";
$srv = process_server(2);
$clients = [];
$byWorker = [0 => [], 1 => []];
$pids = [];
for ($i = 0; $i < 4; $i++) {
    $c = WsTestClient::connect($srv['port']);
    preg_match('~w=(\d) pid=(\d+)~', ask($c, 'who'), $m);
    $byWorker[(int) $m[1]][] = $c;
    $pids[(int) $m[1]] = (int) $m[2];
}
echo "connections on both workers: ", var_export(count($byWorker[0]) === 2 && count($byWorker[1]) === 2, true), "\n";
// The same worker every time for one connection (fd modulo).
$c = $byWorker[0][0];
$same = true;
for ($i = 0; $i < 4; $i++) {
    $same = $same && str_starts_with(ask($c, 'who'), 'w=0 ');
}
echo "one connection, one worker: ", var_export($same, true), "\n";

// Worker 0 is busy, then killed; worker 1's connections go on and lose nothing.
$victim = $byWorker[0][0];
$victim->send('block:3000');
usleep(200000);
$before = $srv['out'];
posix_kill($pids[0], SIGKILL);
$other = 0;
foreach ($byWorker[1] as $c) {
    $other += echo_burst($c, 'x', 50);
}
echo "worker 1's connections meanwhile: $other of 100 echoes\n";
$restarted = false;
for ($i = 0; $i < 200 && !$restarted; $i++) {
    ws_server_read($srv, 0.05);
    $restarted = substr_count($srv['out'], 'workerStart 0') >= 2;
}
echo "worker 0 restarted: ", var_export($restarted, true), "\n";
foreach ($byWorker[0] as $k => $c) {
    $reply = ask($c, 'who');
    preg_match('~w=(\d) pid=(\d+)~', $reply, $m);
    echo "worker 0's connection $k still open, served by a new worker 0: ",
        var_export(($m[1] ?? '') === '0' && (int) ($m[2] ?? 0) !== $pids[0], true), "\n";
}

// reload(): the workers are replaced one by one; what is sent meanwhile is all answered.
echo ask($byWorker[1][0], 'reload'), "\n";
$n = 0;
foreach (array_merge($byWorker[0], $byWorker[1]) as $c) {
    $n += echo_burst($c, 'r', 30);
}
echo "during the reload: $n of 120 echoes\n";

// Shutdown: every client gets a 1001 and answers it, so the master need not wait out its
// close timeout.
posix_kill($srv['pid'], SIGTERM);
foreach (array_merge($byWorker[0], $byWorker[1]) as $c) {
    $f = $c->recv(5.0);
    for ($i = 0; $i < 100 && $f !== null && $f['opcode'] !== 8; $i++) {
        $f = $c->recv(5.0);
    }
    echo "after shutdown: ", ws_frame_line($f), "\n";
    if ($f !== null) $c->sendClose(1001);
}
$out = ws_stop_server($srv, 15.0);
echo "connect events: ", substr_count($out, "connect "), "\n";
echo "close events: ", preg_match_all('~^close \d+ ip=127\.0\.0\.1 worker=\d~m', $out), "\n";
echo "start in master: ", var_export(str_contains($out, 'start in master: true'), true), "\n";
echo "shutdown: ", var_export(str_contains($out, "shutdown\n"), true), "\n";

echo "== dispatch_mode 1\n";
$srv = process_server(1);
$c = WsTestClient::connect($srv['port']);
$ws = [];
for ($i = 0; $i < 4; $i++) {
    preg_match('~w=(\d)~', ask($c, 'who'), $m);
    $ws[] = $m[1];
}
echo "round robin: ", var_export($ws[0] !== $ws[1] && $ws[0] === $ws[2] && $ws[1] === $ws[3], true), "\n";
$c->close();
usleep(100000);
$out = ws_stop_server($srv);
// As Swoole: no onConnect/onClose with dispatch_mode 1 and 3.
echo "connect/close events: ", substr_count($out, "connect ") + substr_count($out, "close "), "\n";

echo "== dispatch_mode 3\n";
$srv = process_server(3);
$c1 = WsTestClient::connect($srv['port']);
$c2 = WsTestClient::connect($srv['port']);
$c1->send('block:1500');
usleep(300000);
$ws = [];
for ($i = 0; $i < 3; $i++) {
    preg_match('~w=(\d)~', ask($c2, 'who'), $m);
    $ws[] = $m[1] ?? '?';
}
echo "while one worker is busy: ", count(array_unique($ws)) === 1 && $ws[0] !== '?' ? 'the other one answers' : 'mixed ' . implode(',', $ws), "\n";
echo $c1->recv(5.0)['payload'] ?? 'none', "\n";
$c1->close();
$c2->close();
usleep(100000);
ws_stop_server($srv);

echo "== dispatch_mode 4\n";
$srv = process_server(4);
$ws = [];
for ($i = 0; $i < 4; $i++) {
    $c = WsTestClient::connect($srv['port']);
    preg_match('~w=(\d)~', ask($c, 'who'), $m);
    $ws[] = $m[1] ?? '?';
    $c->close();
}
echo "one client address, one worker: ", var_export(count(array_unique($ws)) === 1 && $ws[0] !== '?', true), "\n";
ws_stop_server($srv);
?>
--EXPECT--
== dispatch_mode 2
connections on both workers: true
one connection, one worker: true
worker 1's connections meanwhile: 100 of 100 echoes
worker 0 restarted: true
worker 0's connection 0 still open, served by a new worker 0: true
worker 0's connection 1 still open, served by a new worker 0: true
reload true
during the reload: 120 of 120 echoes
after shutdown: close code=1001 reason=
after shutdown: close code=1001 reason=
after shutdown: close code=1001 reason=
after shutdown: close code=1001 reason=
connect events: 4
close events: 4
start in master: true
shutdown: true
== dispatch_mode 1
round robin: true
connect/close events: 0
== dispatch_mode 3
while one worker is busy: the other one answers
unblocked
== dispatch_mode 4
one client address, one worker: true
