--TEST--
Server: taskWaitMulti() and taskCo(): results keyed and ordered as the tasks, a task past the timeout left out (taskWaitMulti) or false (taskCo), its late result dropped; messages that arrive during the wait are delivered after it; errors
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 1, 'task_worker_num' => 2]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('message', function (Server $s, $f) {
    switch ($f->data) {
    case 'multi':  // the first task finishes last: the keys still come in the tasks' order
        $r = $s->taskWaitMulti([['ms' => 300, 'v' => 'first'], 'second', ['ms' => 0, 'v' => [1, 2]]], 3.0);
        $s->push($f->fd, 'multi ' . json_encode($r));
        break;
    case 'keys':
        $r = $s->taskCo(['b' => 'x', 7 => 'y', 'a' => ['ms' => 0, 'v' => 0]], 3.0);
        $s->push($f->fd, 'keys ' . json_encode($r));
        break;
    case 'slow':
        // Its result arrives while taskWaitMulti() waits: the callback runs after this one.
        $s->task('quick', -1, function (Server $s, int $id, $result) use ($f) {
            $s->push($f->fd, "callback after the wait: $result");
        });
        $r = $s->taskWaitMulti(['a', 'sleep', 'b'], 0.3);
        $s->push($f->fd, 'slow taskWaitMulti ' . json_encode($r));
        break;
    case 'slowco':  // round robin: 'd' goes to the task worker of 'c', not the sleeping one
        $r = $s->taskCo(['c', 'sleep', 'd'], 0.3);
        $s->push($f->fd, 'slow taskCo ' . json_encode($r));
        break;
    case 'errors':
        $r = [$s->taskWaitMulti([]), $s->getLastError(), $s->taskCo(array_fill(0, 1024, 'x'))];
        $s->push($f->fd, 'errors ' . json_encode($r));
        break;
    case 'intask':
        $s->task('intask');
        break;
    }
});
$server->on('task', function (Server $s, int $task_id, int $src, $data) {
    if ($data === 'sleep') {
        usleep(1000000);
        return 'late';
    }
    if ($data === 'intask') {
        var_dump($s->taskWaitMulti(['x']), $s->taskCo(['x']));
        return null;
    }
    if (is_array($data)) {
        usleep($data['ms'] * 1000);
        return $data['v'];
    }
    return strtoupper($data);
});
$server->on('finish', function (Server $s, int $task_id, $result) {
    echo "onFinish must not see $result\n";
});
$server->start();
PHP);
$srv = ws_start_server($script);
for ($i = 0; $i < 3; $i++) ws_server_wait_output($srv, "workerStart $i");
$c = WsTestClient::connect($srv['port']);
$ask = function (string $m, int $replies = 1) use ($c) {
    $c->send($m);
    for ($i = 0; $i < $replies; $i++) echo $c->recv(5.0)['payload'] ?? 'none', "\n";
};
$ask('multi');
$ask('keys');
$ask('slow', 2);
usleep(1200000);  // the late result arrives, and must reach neither onFinish nor a later wait
$ask('slowco');
usleep(1200000);
$ask('multi');
$ask('errors');
$c->send('intask');
ws_server_wait_output($srv, 'bool(false)');
$out = ws_stop_server($srv);
$lines = array_values(array_filter(explode("\n", $out), fn ($l) => $l !== ''));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
multi ["first","SECOND",[1,2]]
keys {"b":"X","7":"Y","a":0}
slow taskWaitMulti {"0":"A","2":"B"}
callback after the wait: QUICK
slow taskCo ["C",false,"D"]
multi ["first","SECOND",[1,2]]
errors [false,2002,false]
WARNING: Swoole\Server::taskCo(): taskCo method can't be executed in the task worker
WARNING: Swoole\Server::taskCo(): too many concurrent tasks
WARNING: Swoole\Server::taskWaitMulti(): taskWaitMulti method can't be executed in the task worker
bool(false)
bool(false)
workerStart 0
workerStart 1
workerStart 2
