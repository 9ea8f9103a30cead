--TEST--
Server: listen()/addlistener() API: Port properties (IPv4 and IPv6), $server->ports, Port::on()/getCallback()/set(), bad arguments and bind errors, start() refusing a port without the callback its protocol needs
--FILE--
<?php
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$s = new Swoole\WebSocket\Server("127.0.0.1", 0);
$p = $s->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
var_dump($p instanceof Swoole\Server\Port, count($s->ports), $s->ports[1] === $p);
$main = $s->ports[0];
var_dump($main->port === $s->port, $main->host, $main->type === SWOOLE_SOCK_TCP, $main->sock > 0);
var_dump($p->host, $p->port > 0 && $p->port !== $s->port, $p->type === SWOOLE_SOCK_TCP, $p->sock > 0 && $p->sock !== $main->sock, $p->ssl, $p->setting);
var_dump($p->connections instanceof Swoole\Connection\Iterator, $p->connections !== $s->connections, count($p->connections));

$p6 = $s->addlistener("::1", 0, SWOOLE_SOCK_TCP6);
var_dump($p6 === false ? 'no IPv6' : [$p6->host, $p6->type === SWOOLE_SOCK_TCP6, $p6->port > 0]);

echo "-- on/getCallback\n";
$f = function () {};
var_dump($p->on('Receive', $f), $p->getCallback('receive') === $f, $p->getCallback('message'), $s->getCallback('receive'));
var_dump($p->on('workerStart', $f), $p->getCallback('workerStart'));
var_dump($main->on('message', $f), $s->getCallback('message') === $f);  // port 0 is the server's own
try { $p->on('close', 'no_such_function'); } catch (TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }

echo "-- set\n";
$p->set(['open_websocket_protocol' => false, 'package_max_length' => 1024]);
$p->set(['open_http_protocol' => 0]);
var_dump($p->setting);
$p->set(['package_max_length' => 'lots']);
$p->set(['open_http_protocol' => 'yes']);
$main->set(['worker_num' => 1]);
$s->set(['package_max_length' => 4096]);
var_dump($s->setting, $main->setting);

echo "-- errors\n";
var_dump($s->listen("127.0.0.1", $p->port, SWOOLE_SOCK_TCP));
var_dump($s->getLastError() === 98);  // EADDRINUSE
var_dump($s->listen("127.0.0.1", 70000, SWOOLE_SOCK_TCP));
var_dump($s->listen("127.0.0.1", 0, SWOOLE_SOCK_UDP));
var_dump($s->listen("not an address", 0, SWOOLE_SOCK_TCP));
var_dump(count($s->ports));
try { new Swoole\Server\Port(); } catch (Error $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }

echo "-- start\n";
// This raw port has no onReceive, on itself or on the server.
$q = $s->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
$q->set(['open_http_protocol' => false]);
var_dump($s->start() === false ? 'start refused' : 'started');
$h = new Swoole\Http\Server("127.0.0.1", 0);
$h->on('request', function () {});
$r = $h->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP);
$r->set(['open_websocket_protocol' => true]);
var_dump($h->start() === false ? 'start refused' : 'started');
?>
--EXPECTF--
bool(true)
int(2)
bool(true)
bool(true)
string(9) "127.0.0.1"
bool(true)
bool(true)
string(9) "127.0.0.1"
bool(true)
bool(true)
bool(true)
bool(false)
NULL
bool(true)
bool(true)
int(0)
array(3) {
  [0]=>
  string(3) "::1"
  [1]=>
  bool(true)
  [2]=>
  bool(true)
}
-- on/getCallback
bool(true)
bool(true)
NULL
NULL
WARNING: Swoole\Server\Port::on(): unknown event types[workerStart]
bool(false)
NULL
bool(true)
bool(true)
TypeError: Swoole\Server\Port::on(): Argument #2 ($callback) must be a valid callback
-- set
array(3) {
  ["open_websocket_protocol"]=>
  bool(false)
  ["package_max_length"]=>
  int(1024)
  ["open_http_protocol"]=>
  int(0)
}
WARNING: Swoole\Server\Port::set(): setting 'package_max_length' must be of type int, string given
WARNING: Swoole\Server\Port::set(): setting 'open_http_protocol' must be of type bool, string given
array(2) {
  ["worker_num"]=>
  int(1)
  ["package_max_length"]=>
  int(4096)
}
array(2) {
  ["worker_num"]=>
  int(1)
  ["package_max_length"]=>
  int(4096)
}
-- errors
WARNING: Swoole\Server::listen(): bind(127.0.0.1:%d) failed: Address already in use
bool(false)
bool(true)
WARNING: Swoole\Server::listen(): invalid port [70000]
bool(false)
WARNING: Swoole\Server::listen(): socket type 2 is not supported (SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6)
bool(false)
WARNING: Swoole\Server::listen(): %s
bool(false)
int(3)
Error: Call to private Swoole\Server\Port::__construct() from global scope
-- start
WARNING: Swoole\Server::start(): require onReceive callback (port %d)
string(13) "start refused"
WARNING: Swoole\Server::start(): require onMessage callback (port %d)
string(13) "start refused"
