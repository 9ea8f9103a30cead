--TEST--
Server: task_max_request: a task worker leaves after N tasks (pipe messages do not count) and is replaced; getWorkerStatus() of a task worker
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_max_request' => 2, 'task_max_request_grace' => 0]);
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) {
    echo "workerStart $id pid=" . getmypid() . ($s->taskworker ? " task" : "") . "\n";
});
$server->on('task', function (Server $s, int $task_id, int $src, $data) {
    return "task pid=" . getmypid() . " status=" . $s->getWorkerStatus();
});
$server->on('pipeMessage', function (Server $s, int $src, $data) {
    echo "pipe in " . getmypid() . "\n";
});
$server->on('message', function (Server $s, $f) {
    if ($f->data === 'pipe') {
        $s->sendMessage('hello', 1);
        $s->push($f->fd, 'piped');
        return;
    }
    $r = $s->taskwait('x', 3.0);
    $s->push($f->fd, "$r tw=" . $s->getWorkerStatus(1));
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

function task_pid(WsTestClient $c, &$line = null): int
{
    $c->send('task');
    $f = $c->recv(5.0);
    $line = $f['payload'] ?? '';
    return preg_match('~task pid=(\d+) status=(\d) tw=(\d)~', $line, $m) ? (int) $m[1] : 0;
}

echo "started: ", var_export(wait_count($srv, ' task', 1) && wait_count($srv, 'workerStart', 2), true), "\n";
$c = WsTestClient::connect($srv['port']);
// Pipe messages to the task worker are no tasks: they do not count.
for ($i = 0; $i < 3; $i++) {
    $c->send('pipe');
    $c->recv(3.0);
}
echo "pipe messages delivered: ", var_export(wait_count($srv, 'pipe in', 3), true), "\n";
$p1 = task_pid($c, $line);
echo "in onTask the task worker is busy, seen from the worker it is busy too: ",
    var_export((bool) preg_match('~status=1 tw=[12]$~', $line), true), "\n";
$p2 = task_pid($c);
echo "first two tasks, one task worker: ", var_export($p1 > 0 && $p1 === $p2, true), "\n";
echo "replaced: ", var_export(wait_count($srv, ' task', 2), true), "\n";
$p3 = task_pid($c);
$p4 = task_pid($c);
echo "next two tasks, a new task worker: ", var_export($p3 > 0 && $p3 !== $p1 && $p3 === $p4, true), "\n";
echo "replaced again: ", var_export(wait_count($srv, ' task', 3), true), "\n";
$c->sendClose(1000);
$c->close();
$out = ws_stop_server($srv);
echo "event worker never restarted: ", var_export(preg_match_all('~^workerStart 0 ~m', $out) === 1, true), "\n";
echo "no error: ", var_export(strpos($out, 'abnormal') === false && strpos($out, 'Warning') === false, true), "\n";
?>
--EXPECT--
started: true
pipe messages delivered: true
in onTask the task worker is busy, seen from the worker it is busy too: true
first two tasks, one task worker: true
replaced: true
next two tasks, a new task worker: true
replaced again: true
event worker never restarted: true
no error: true
