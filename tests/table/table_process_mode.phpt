--TEST--
Swoole\Table, Atomic and Lock in PROCESS mode: created before start(), shared by the master, 4 workers and a task worker; 4 x 100,000 incr() exact
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
use Swoole\Table;
use Swoole\Atomic;
use Swoole\Lock;

$table = new Table(256);
$table->column('n', Table::TYPE_INT);
$table->column('f', Table::TYPE_FLOAT);
$table->column('who', Table::TYPE_STRING, 16);
$table->create();
$started = new Atomic(0);
$long = new Atomic\Long(0);
$lock = new Lock(SWOOLE_RWLOCK);

$server = new Server('127.0.0.1', 0, SWOOLE_PROCESS);
$server->set(['worker_num' => 4, 'task_worker_num' => 1]);
echo "PORT {$server->port}\n";
$server->on('start', function (Server $s) use ($table) {
    $table->set('master', ['n' => getmypid(), 'who' => 'master']);
    echo "master wrote\n";
});
$server->on('workerStart', function (Server $s, int $id) use ($table, $started, $long, $lock) {
    if ($s->taskworker) {
        $table->set('task', ['n' => getmypid(), 'who' => 'task']);
        echo "task ready\n";
        return;
    }
    for ($i = 0; $i < 100000; $i++) {
        $table->incr('hits', 'n');
        $table->incr('hits', 'f', 0.5);
    }
    $lock->lock();
    $long->add(1 << 33);  // beyond 32 bits
    $lock->unlock();
    $started->add();
    echo "incr done $id\n";
});
$server->on('task', function (Server $s, int $task_id, int $src, $data) { return $data; });
$server->on('finish', function (Server $s, int $task_id, $result) {});
$server->on('message', function (Server $s, $frame) use ($table, $started, $long, $lock) {
    $lock->lock(LOCK_SH);
    $shared = $lock->lock(LOCK_SH | LOCK_NB);  // readers share a RWLOCK
    $lock->unlock();
    $lock->unlock();
    $hits = $table->get('hits');
    $hits['f'] = var_export($hits['f'], true);  // the type survives json
    $s->push($frame->fd, json_encode([
        'hits' => $hits,
        'master' => $table->get('master', 'who'),
        'task' => $table->get('task', 'who'),
        'started' => $started->get(),
        'long' => $long->get(),
        'shared' => $shared,
        'count' => count($table),
    ]));
});
$server->start();
PHP);
$srv = ws_start_server($script);
try {
    var_dump(ws_server_wait_line($srv, 'master wrote', 20.0) !== null);
    var_dump(ws_server_wait_line($srv, 'task ready', 20.0) !== null);
    for ($i = 0; $i < 4; $i++) {
        $m = ws_server_wait_line($srv, 'incr done (\d)', 60.0);
        $srv['out'] = str_replace($m[0] . "\n", '', $srv['out']);
    }
    echo "4 workers incremented\n";
    $c = WsTestClient::connect($srv['port']);
    $c->send('stats');
    $f = $c->recv(10.0);
    var_dump(json_decode($f['payload'] ?? 'null', true));
    $c->close();
} finally {
    ws_stop_server($srv);
}
?>
--EXPECT--
bool(true)
bool(true)
4 workers incremented
array(7) {
  ["hits"]=>
  array(3) {
    ["n"]=>
    int(400000)
    ["f"]=>
    string(8) "200000.0"
    ["who"]=>
    string(0) ""
  }
  ["master"]=>
  string(6) "master"
  ["task"]=>
  string(4) "task"
  ["started"]=>
  int(4)
  ["long"]=>
  int(34359738368)
  ["shared"]=>
  bool(true)
  ["count"]=>
  int(3)
}
