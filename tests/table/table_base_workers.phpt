--TEST--
Swoole\Table in BASE mode with 4 workers and a task worker: rows written by one worker read by another, 4 x 100,000 incr() exact, iteration while a worker writes, a writer SIGKILLed mid-write leaves no torn row and no stuck lock
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

$table = new Table(1024);
$table->column('n', Table::TYPE_INT);
$table->column('pid', Table::TYPE_INT);
$table->column('text', Table::TYPE_STRING, 32);
$table->create();
$restarted = new Atomic(0);
$lock = new Lock();

$server = new Server('127.0.0.1', 0, SWOOLE_BASE);
$server->set(['worker_num' => 4, 'task_worker_num' => 1]);
echo "PORT {$server->port}\n";

// Worker 3 writes rows whose text is derived from their n, so a torn row shows.
function whole(?array $row): bool
{
    return is_array($row) && $row['text'] === str_repeat(chr(65 + $row['n'] % 26), 32);
}

$server->on('workerStart', function (Server $s, int $id) use ($table, $restarted, $lock) {
    if ($s->taskworker) {
        $table->set('task', ['pid' => getmypid()]);
        echo "task ready\n";
        return;
    }
    if ($id === 3 && $restarted->get() === 1) {
        // The replacement of the killed writer: the lock and the row it held are free.
        $locked = $lock->lock(LOCK_EX, 5);
        $whole = whole($table->get('torn') ?: null);
        $lock->unlock();
        echo "restarted lock=" . var_export($locked, true) . " whole=" . var_export($whole, true) . "\n";
        return;
    }
    $table->set("worker$id", ['pid' => getmypid()]);
    for ($i = 0; $i < 100000; $i++) {
        $table->incr('hits', 'n');
    }
    echo "incr done $id\n";
    if ($id === 3) {
        $restarted->set(1);
        $lock->lock();
        echo "writer " . getmypid() . "\n";
        $deadline = microtime(true) + 30;  // killed by the test long before
        for ($i = 0; microtime(true) < $deadline; $i++) {
            $table->set('torn', ['n' => $i, 'text' => str_repeat(chr(65 + $i % 26), 32)]);
        }
    }
});
$server->on('task', function (Server $s, int $task_id, int $src, $data) { return $data; });
$server->on('finish', function (Server $s, int $task_id, $result) {});
$server->on('message', function (Server $s, $frame) use ($table) {
    $rows = 0;
    $torn = 0;
    $seen_torn = 0;
    for ($pass = 0; $pass < 20; $pass++) {  // iterate while worker 3 keeps writing
        foreach ($table as $key => $row) {
            $rows++;
            if ($key === 'torn') {
                $seen_torn++;
                $torn += whole($row) ? 0 : 1;
            }
        }
    }
    $workers = 0;
    for ($i = 0; $i < 4; $i++) {
        $workers += $table->exists("worker$i") && $table->get("worker$i", 'pid') > 0 ? 1 : 0;
    }
    $s->push($frame->fd, json_encode([
        'hits' => $table->get('hits', 'n'),
        'workers' => $workers,
        'task' => $table->get('task', 'pid') > 0,
        'mine' => $table->get('worker' . $s->getWorkerId(), 'pid') === getmypid(),
        'count' => count($table),
        'iterated' => $rows,
        'torn_seen' => $seen_torn > 0,
        'torn_bad' => $torn,
    ]));
});
$server->start();
PHP);
$srv = ws_start_server($script);
try {
    for ($i = 0; $i < 4; $i++) {
        $m = ws_server_wait_line($srv, 'incr done (\d)', 60.0);
        $srv['out'] = str_replace($m[0] . "\n", '', $srv['out']);
    }
    echo "4 workers incremented\n";
    var_dump(ws_server_wait_line($srv, 'task ready') !== null);
    $writer = ws_server_wait_line($srv, 'writer (\d+)');
    var_dump($writer !== null);

    $c = WsTestClient::connect($srv['port']);
    $c->send('stats');
    $f = $c->recv(20.0);
    $stats = json_decode($f['payload'] ?? 'null', true);
    var_dump($stats);
    $c->close();

    posix_kill((int) $writer[1], SIGKILL);  // a grandchild this test started, mid-write
    var_dump(ws_server_wait_line($srv, 'restarted lock=(\w+) whole=(\w+)', 20.0));
} finally {
    $out = ws_stop_server($srv);
}
?>
--EXPECT--
4 workers incremented
bool(true)
bool(true)
array(8) {
  ["hits"]=>
  int(400000)
  ["workers"]=>
  int(4)
  ["task"]=>
  bool(true)
  ["mine"]=>
  bool(true)
  ["count"]=>
  int(7)
  ["iterated"]=>
  int(140)
  ["torn_seen"]=>
  bool(true)
  ["torn_bad"]=>
  int(0)
}
array(3) {
  [0]=>
  string(30) "restarted lock=true whole=true"
  [1]=>
  string(4) "true"
  [2]=>
  string(4) "true"
}
