--TEST--
Server: task_enable_coroutine runs onTask in a coroutine with ($server, Swoole\Server\Task): tasks that wait overlap in one task worker, $task->finish() or the return value answers each; task_object without coroutines; Task::pack()/unpack()
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

$code = <<<'PHP'
<?php
use Swoole\Coroutine;
use Swoole\Server\Task;
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING] + SETTINGS);
echo "PORT {$server->port}\n";
$server->on('task', function (Server $s, Task $task) {
    $where = Coroutine::getCid() > 0 ? 'coroutine' : 'no coroutine';
    ['n' => $n, 'how' => $how] = $task->data;
    $fields = get_class($task) . " id={$task->id} worker_id={$task->worker_id} " . (is_float($task->dispatch_time) && $task->dispatch_time > 1e9 ? 'dispatch_time ok' : 'bad dispatch_time');
    static $chan = null;
    if ($where === 'coroutine') {
        // Task 1 (sent first) waits until task 2 runs in the same task worker: they overlap.
        $chan ??= new Coroutine\Channel(1);
        if ($n === 1) $where .= $chan->pop(10) === 'from 2' ? ', woken by task 2' : ', not woken';
        else $chan->push('from 2');
    }
    if ($how === 'finish') {
        var_dump($task->finish("task $n ($how, $where) $fields"));
        return 'ignored: already finished';
    }
    return "task $n ($how, $where) $fields";
});
$server->on('finish', function () {});
$server->on('message', function (Server $s, $f) {
    $results = [];
    $wg = new Coroutine\WaitGroup();
    foreach ([1 => 'finish', 2 => 'return'] as $n => $how) {
        $wg->add();
        $s->task(['n' => $n, 'how' => $how], -1, function ($s, $id, $result) use (&$results, $wg) {
            $results[] = $result;
            $wg->done();
        });
    }
    $wg->wait(10);
    sort($results);
    $s->push($f->fd, implode("\n", $results));
});
$server->start();
PHP;

foreach (["['task_enable_coroutine' => true]", "['task_object' => true]"] as $settings) {
    echo "== $settings\n";
    $srv = ws_start_server(ws_server_script(str_replace('SETTINGS', $settings, $code)));
    $c = WsTestClient::connect($srv['port'], '/', 10.0);
    $c->send('go');
    echo ws_frame_line($c->recv(20)), "\n";
    $c->close();
    $out = ws_stop_server($srv);
    echo "finish() returned: ", substr_count($out, 'bool(true)'), " true\n";
    if (preg_match('~Warning|Fatal~', $out)) echo $out;
}

$packed = Swoole\Server\Task::pack(['a' => 1]);
var_dump(is_string($packed), Swoole\Server\Task::unpack($packed), Swoole\Server\Task::unpack(Swoole\Server\Task::pack('text')));
var_dump(Swoole\Server\Task::unpack('nonsense'));
?>
--EXPECTF--
== ['task_enable_coroutine' => true]
opcode=1 fin=1 payload=task 1 (finish, coroutine, woken by task 2) Swoole\Server\Task id=0 worker_id=0 dispatch_time ok
task 2 (return, coroutine) Swoole\Server\Task id=1 worker_id=0 dispatch_time ok
finish() returned: 1 true
== ['task_object' => true]
opcode=1 fin=1 payload=task 1 (finish, no coroutine) Swoole\Server\Task id=0 worker_id=0 dispatch_time ok
task 2 (return, no coroutine) Swoole\Server\Task id=1 worker_id=0 dispatch_time ok
finish() returned: 1 true
bool(true)
array(1) {
  ["a"]=>
  int(1)
}
string(4) "text"

Warning: Swoole\Server\Task::unpack(): invalid task package in %s on line %d
bool(false)
