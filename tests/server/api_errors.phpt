--TEST--
Server: constructor (properties, bind error, unsupported modes), on(), set(), start() checks, GC
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
use Swoole\WebSocket\Server;

// A port that is in use: the constructor binds at once and throws.
$busy = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) explode(':', stream_socket_get_name($busy, false))[1];
try {
    new Server('127.0.0.1', $port);
} catch (Swoole\Exception $e) {
    echo get_class($e), ' ', str_replace((string) $port, 'PORT', $e->getMessage()), ' code=', $e->getCode(), "\n";
}
var_dump(is_subclass_of('Swoole\Exception', 'Exception'));
foreach ([[7, SWOOLE_SOCK_TCP], [SWOOLE_BASE, SWOOLE_SOCK_UDP | SWOOLE_SSL], [SWOOLE_BASE, SWOOLE_SOCK_UDP]] as [$mode, $type]) {
    try {
        new Server('127.0.0.1', 0, $mode, $type);
    } catch (Swoole\Exception $e) {
        echo $e->getMessage(), "\n";
    }
}

$srv = new Server('127.0.0.1');
var_dump($srv->host, $srv->port > 0 && $srv->port < 65536, $srv->mode === SWOOLE_BASE, $srv->type === SWOOLE_SOCK_TCP);
var_dump($srv->connections instanceof Swoole\Connection\Iterator, count($srv->connections), iterator_to_array($srv->connections));
var_dump($srv->getManagerPid(), $srv->getMasterPid() === getmypid());

// push()/ping()/isEstablished() before start(), as Swoole.
[$r, $errors] = ws_capture(fn () => [$srv->push(1, 'x'), $srv->ping(1), $srv->isEstablished(1)]);
var_dump($r, $errors);

// on(): case-insensitive names; unknown names warn.
[$r, $errors] = ws_capture(fn () => $srv->on('foo', fn () => 1));
var_dump($r, $errors);
var_dump($srv->on('MESSAGE', fn () => 1), $srv->getCallback('message') instanceof Closure, $srv->getCallback('open'));
try {
    $srv->on('open', 'no_such_function');
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

// set(): bad types name the key; unknown keys are kept in $setting but ignored.
[$r, $errors] = ws_capture(fn () => $srv->set(['package_max_length' => 'abc']));
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $srv->set(['websocket_compression' => []]));
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $srv->set(['websocket_subprotocol' => 5]));
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $srv->set(['worker_num' => PHP_INT_MAX]));
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $srv->set(['max_connection' => 0]));
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $srv->set(['worker_num' => 4]));
var_dump($r, $errors);
var_dump($srv->set(['package_max_length' => 1024, 'foo' => 'bar']));
var_dump($srv->setting);

// start() without onMessage.
$s2 = new Server('127.0.0.1');
[$r, $errors] = ws_capture(fn () => $s2->start());
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => $s2->stop());
var_dump($r, $errors);

// Http\Server needs onRequest, a plain Server onReceive.
[$r, $errors] = ws_capture(fn () => (new Swoole\Http\Server('127.0.0.1'))->start());
var_dump($r, $errors);
[$r, $errors] = ws_capture(fn () => (new Swoole\Server('127.0.0.1'))->start());
var_dump($r, $errors);
$s3 = new Server('127.0.0.1');
$s3->on('message', fn () => 1);
$s3->on('packet', fn () => 1);  // UDP: not there
[$r, $errors] = ws_capture(fn () => $s3->start());
var_dump($r, $errors);

// A closure that captures the server does not leak it.
$w = WeakReference::create($s2);
$s2->on('open', function () use ($s2) {});
unset($s2);
gc_collect_cycles();
var_dump($w->get());
?>
--EXPECTF--
Swoole\Exception bind(127.0.0.1:PORT) failed: Address already in use code=98
bool(true)
invalid server mode 7
socket type 514 is not supported (SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6)
socket type 2 is not supported (SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6)
string(9) "127.0.0.1"
bool(true)
bool(true)
bool(true)
bool(true)
int(0)
array(0) {
}
int(0)
bool(true)
array(3) {
  [0]=>
  bool(false)
  [1]=>
  bool(false)
  [2]=>
  bool(false)
}
array(3) {
  [0]=>
  string(%d) "E_WARNING: Swoole\WebSocket\Server::push(): server is not running"
  [1]=>
  string(%d) "E_WARNING: Swoole\WebSocket\Server::ping(): server is not running"
  [2]=>
  string(%d) "E_WARNING: Swoole\WebSocket\Server::isEstablished(): server is not running"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::on(): unknown event types[foo]"
}
bool(true)
bool(true)
NULL
TypeError: Swoole\Server::on(): Argument #2 ($callback) must be a valid callback
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::set(): setting 'package_max_length' must be of type int, string given"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::set(): setting 'websocket_compression' must be of type bool, array given"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::set(): setting 'websocket_subprotocol' must be of type string, int given"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::set(): worker_num=%d is too large (at most %d)"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::set(): setting 'max_connection' must be between 1 and 16777216"
}
bool(true)
array(0) {
}
bool(true)
array(3) {
  ["worker_num"]=>
  int(4)
  ["package_max_length"]=>
  int(1024)
  ["foo"]=>
  string(3) "bar"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::start(): require onMessage callback"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::stop(): server is not running"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::start(): require onRequest callback"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::start(): require onReceive callback"
}
bool(false)
array(1) {
  [0]=>
  string(%d) "E_WARNING: Swoole\Server::start(): the packet event is not implemented yet"
}
NULL
