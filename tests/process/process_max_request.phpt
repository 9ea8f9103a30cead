--TEST--
Server: max_request in SWOOLE_PROCESS: the worker is replaced after N requests while its connection stays open in the master and keeps being served
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0, SWOOLE_PROCESS);
$server->set(['worker_num' => 1, 'max_request' => 3, 'max_request_grace' => 0]);
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('message', function (Server $s, $f) { $s->push($f->fd, "pid=" . getmypid() . " n={$f->data}"); });
$server->start();
PHP));
ws_server_wait_output($srv, 'workerStart 0', 10.0);
$c = WsTestClient::connect($srv['port']);
$pids = [];
$answered = 0;
for ($i = 0; $i < 9; $i++) {
    $c->send((string) $i);
    $f = $c->recv(10.0);
    if (preg_match('~^pid=(\d+) n=' . $i . '$~', $f['payload'] ?? '', $m)) {
        $answered++;
        $pids[$m[1]] = true;
    }
}
echo "answered: $answered of 9 on one connection\n";
echo "served by several workers in turn: ", var_export(count($pids) >= 3, true), "\n";
$out = ws_stop_server($srv);
echo "workers started: ", substr_count($out, 'workerStart 0') >= 3 ? 'several' : 'too few', "\n";
if (preg_match_all('~(Warning|Fatal|Notice).*~', $out, $bad)) echo implode("\n", $bad[0]), "\n";
?>
--EXPECT--
answered: 9 of 9 on one connection
served by several workers in turn: true
workers started: several
