--TEST--
Server: task workers (task_worker_num): task() to onTask, results to onFinish or task()'s callback, finish(), taskwait() with timeout; errors
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2, 'task_worker_num' => 2]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('workerStart', function (Server $s, int $id) {
    echo "workerStart $id taskworker=" . var_export($s->taskworker, true) . "\n";
});
$server->on('message', function (Server $s, $f) {
    [$cmd, $arg] = array_pad(explode(':', $f->data, 2), 2, '');
    switch ($cmd) {
    case 'task':  // result through onFinish
        $id = $s->task(['fd' => $f->fd, 'n' => (int) $arg]);
        $s->push($f->fd, 'task id ' . gettype($id));
        break;
    case 'cb':  // result through the callback given to task(), to task worker #1
        $s->task("str:$arg", 1, function (Server $s, int $id, $result) use ($f) {
            $s->push($f->fd, "callback got " . json_encode($result));
        });
        break;
    case 'wait':  // blocking, with the result as the return value
        $s->push($f->fd, 'taskwait ' . json_encode($s->taskwait(['fd' => $f->fd, 'n' => (int) $arg], 2.0, 0)));
        break;
    case 'slow':  // the task worker takes longer than the timeout: false, and the late result is dropped
        $t = microtime(true);
        $r = $s->taskwait('sleep', 0.2);
        $s->push($f->fd, 'slow ' . json_encode($r) . ' waited_ok=' . var_export(microtime(true) - $t < 1.0, true));
        break;
    case 'errors':
        $r = [$s->task('x', 5), $s->taskwait('x', 0.5, 7)];
        $s->push($f->fd, json_encode($r));
        break;
    case 'stats':
        $s->push($f->fd, 'task_worker_num=' . $s->stats()['task_worker_num']);
        break;
    }
});
$server->on('task', function (Server $s, int $task_id, int $src, $data) {
    if ($data === 'sleep') {
        usleep(600000);
        return 'late';
    }
    if (is_string($data)) {
        // finish() sends the result now; the return value is then ignored.
        $s->finish(strtoupper($data) . ' from task worker ' . ($s->getWorkerId() - 2));
        var_dump($s->task('nested'));
        return 'ignored';
    }
    return ['fd' => $data['fd'], 'double' => $data['n'] * 2, 'taskworker' => $s->taskworker, 'src_ok' => $src >= 0 && $src < 2];
});
$server->on('finish', function (Server $s, int $task_id, $result) {
    $s->push($result['fd'], 'finish ' . json_encode($result));
});
$server->start();
PHP);
$srv = ws_start_server($script);
for ($i = 0; $i < 4; $i++) ws_server_wait_output($srv, "workerStart $i");
$c = WsTestClient::connect($srv['port']);
$ask = function (string $m, int $replies = 1) use ($c) {
    $c->send($m);
    for ($i = 0; $i < $replies; $i++) echo "$m -> ", $c->recv(3.0)['payload'] ?? 'none', "\n";
};
$ask('task:21', 2);
$ask('cb:abc', 1);
$ask('wait:8');
$ask('slow');
usleep(700000);  // the late result arrives, and must not reach onFinish
$ask('errors');
$ask('stats');
$out = ws_stop_server($srv);
$lines = array_values(array_filter(explode("\n", $out), fn ($l) => $l !== ''));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECTF--
task:21 -> task id integer
task:21 -> finish {"fd":1,"double":42,"taskworker":true,"src_ok":true}
cb:abc -> callback got "STR:ABC from task worker 1"
wait:8 -> taskwait {"fd":1,"double":16,"taskworker":true,"src_ok":true}
slow -> slow false waited_ok=true
errors -> [false,false]
stats -> task_worker_num=2
WARNING: Swoole\Server::task(): task method can't be executed in the task worker
WARNING: Swoole\Server::task(): worker_id must be less than task_worker_num[2]
WARNING: Swoole\Server::taskwait(): taskwait(%d) timeout
WARNING: Swoole\Server::taskwait(): worker_id must be less than task_worker_num[2]
bool(false)
workerStart 0 taskworker=false
workerStart 1 taskworker=false
workerStart 2 taskworker=true
workerStart 3 taskworker=true
