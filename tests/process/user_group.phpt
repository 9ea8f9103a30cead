--TEST--
Server: user/group: workers and task workers switch to them after the fork (the manager stays root); an unknown user or group stops start()
--SKIPIF--
<?php
if (!function_exists('posix_getpwnam') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (posix_geteuid() !== 0) die('skip needs root');
if (!posix_getpwnam('nobody') || !posix_getgrnam('nogroup')) die('skip needs user nobody and group nogroup');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$nobody = posix_getpwnam('nobody')['uid'];
$nogroup = posix_getgrnam('nogroup')['gid'];

$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
// posix is not loaded in this child (php -n): ids from /proc.
function ids(): string
{
    $s = file_get_contents('/proc/self/status');
    preg_match('~^Uid:\s+(\d+)\s+(\d+)~m', $s, $u);
    preg_match('~^Gid:\s+(\d+)\s+(\d+)~m', $s, $g);
    preg_match('~^Groups:\s*(.*)$~m', $s, $gs);
    return "uid=$u[1] euid=$u[2] gid=$g[1] egid=$g[2] groups=" . trim($gs[1]);
}
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2, 'task_worker_num' => 1, 'user' => 'nobody', 'group' => 'nogroup']);
echo "PORT {$server->port}\n";
$server->on('managerStart', function (Server $s) { echo "manager " . ids() . "\n"; });
$server->on('workerStart', function (Server $s, int $id) { echo "worker $id " . ids() . "\n"; });
$server->on('task', function () {});
$server->on('message', function (Server $s, $f) { $s->push($f->fd, ids()); });
$server->start();
PHP);
$srv = ws_start_server($script);
$deadline = microtime(true) + 5;
while (substr_count($srv['out'], 'worker ') < 3 && microtime(true) < $deadline) ws_server_read($srv, 0.05);
$c = WsTestClient::connect($srv['port']);
$c->send('x');
$f = $c->recv(3.0);
$c->close();
$out = ws_stop_server($srv);
$want = "uid=$nobody euid=$nobody gid=$nogroup egid=$nogroup groups=$nogroup";
echo "manager root: ", var_export((bool) preg_match('~^manager uid=0 euid=0 gid=0 ~m', $out), true), "\n";
foreach ([0, 1, 2] as $id) {
    echo "worker $id: ", var_export(strpos($out, "worker $id $want\n") !== false, true), "\n";
}
echo "callback runs as nobody: ", var_export(($f['payload'] ?? '') === $want, true), "\n";

echo "-- unknown names\n";
foreach ([['user' => 'no-such-user-wsserver'], ['group' => 'no-such-group-wsserver']] as $settings) {
    $server = new Swoole\WebSocket\Server('127.0.0.1', 0);
    $server->set($settings);
    $server->on('message', function () {});
    [$r, $errors] = ws_capture(fn () => $server->start());
    var_dump($r);
    foreach ($errors as $e) echo $e, "\n";
}
?>
--EXPECT--
manager root: true
worker 0: true
worker 1: true
worker 2: true
callback runs as nobody: true
-- unknown names
bool(false)
E_WARNING: Swoole\Server::start(): get user [no-such-user-wsserver] info failed
bool(false)
E_WARNING: Swoole\Server::start(): get group [no-such-group-wsserver] info failed
