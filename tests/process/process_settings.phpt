--TEST--
Server: set() checks max_request, task_max_request, daemonize, pid_file, log_file, log_level, user, group; start() refuses a log_file or pid_file it cannot write; getWorkerStatus() before start()
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
use Swoole\WebSocket\Server;

$srv = new Server('127.0.0.1', 0);
$cases = [
    ['max_request' => 'many'],
    ['max_request' => -1],
    ['max_request' => 5000000000],
    ['max_request_grace' => []],
    ['task_max_request' => 1.5e10],
    ['task_max_request_grace' => -3],
    ['daemonize' => 'yes'],
    ['pid_file' => 12],
    ['log_file' => null],
    ['log_level' => 7],
    ['log_level' => 'debug'],
    ['user' => 0],
    ['group' => []],
    ['user' => "no\0body"],
];
foreach ($cases as $settings) {
    [$r, $errors] = ws_capture(fn () => $srv->set($settings));
    echo json_encode($settings), ' -> ', var_export($r, true), ' ', implode(' | ', $errors), "\n";
}
echo "accepted: ";
var_dump($srv->set([
    'max_request' => 1000, 'max_request_grace' => 0, 'task_max_request' => 10, 'task_max_request_grace' => 2,
    'daemonize' => false, 'pid_file' => '', 'log_file' => '', 'log_level' => SWOOLE_LOG_WARNING,
    'user' => '', 'group' => '',
]));
echo "in \$server->setting: ", $srv->setting['max_request'], ' ', $srv->setting['log_level'], "\n";
echo "constants: ", SWOOLE_WORKER_BUSY, SWOOLE_WORKER_IDLE, SWOOLE_WORKER_EXIT, ' ',
    SWOOLE_LOG_DEBUG, SWOOLE_LOG_TRACE, SWOOLE_LOG_INFO, SWOOLE_LOG_NOTICE, SWOOLE_LOG_WARNING, SWOOLE_LOG_ERROR, SWOOLE_LOG_NONE, "\n";

[$r, $errors] = ws_capture(fn () => $srv->getWorkerStatus());
echo 'getWorkerStatus() before start: ', var_export($r, true), ' ', implode(' | ', $errors), "\n";

foreach (['log_file' => '/nonexistent-dir-wsserver/server.log', 'pid_file' => '/nonexistent-dir-wsserver/server.pid'] as $key => $path) {
    $s = new Server('127.0.0.1', 0);
    $s->set([$key => $path]);
    $s->on('message', function () {});
    $s->on('workerStart', function () { echo "must not start\n"; });
    [$r, $errors] = ws_capture(fn () => $s->start());
    echo "start() with a bad $key: ", var_export($r, true), ' ', implode(' | ', $errors), "\n";
}
?>
--EXPECT--
{"max_request":"many"} -> false E_WARNING: Swoole\Server::set(): setting 'max_request' must be of type int, string given
{"max_request":-1} -> false E_WARNING: Swoole\Server::set(): setting 'max_request' must be greater than or equal to 0
{"max_request":5000000000} -> false E_WARNING: Swoole\Server::set(): setting 'max_request' is too large (at most 4294967295)
{"max_request_grace":[]} -> false E_WARNING: Swoole\Server::set(): setting 'max_request_grace' must be of type int, array given
{"task_max_request":15000000000} -> false E_WARNING: Swoole\Server::set(): setting 'task_max_request' is too large (at most 4294967295)
{"task_max_request_grace":-3} -> false E_WARNING: Swoole\Server::set(): setting 'task_max_request_grace' must be greater than or equal to 0
{"daemonize":"yes"} -> false E_WARNING: Swoole\Server::set(): setting 'daemonize' must be of type bool, string given
{"pid_file":12} -> false E_WARNING: Swoole\Server::set(): setting 'pid_file' must be of type string, int given
{"log_file":null} -> false E_WARNING: Swoole\Server::set(): setting 'log_file' must be of type string, null given
{"log_level":7} -> false E_WARNING: Swoole\Server::set(): setting 'log_level' must be between SWOOLE_LOG_DEBUG (0) and SWOOLE_LOG_NONE (6)
{"log_level":"debug"} -> false E_WARNING: Swoole\Server::set(): setting 'log_level' must be of type int, string given
{"user":0} -> false E_WARNING: Swoole\Server::set(): setting 'user' must be of type string, int given
{"group":[]} -> false E_WARNING: Swoole\Server::set(): setting 'group' must be of type string, array given
{"user":"no\u0000body"} -> false E_WARNING: Swoole\Server::set(): setting 'user' must not contain NUL bytes
accepted: bool(true)
in $server->setting: 1000 4
constants: 123 0123456
getWorkerStatus() before start: false E_WARNING: Swoole\Server::getWorkerStatus(): server is not running
start() with a bad log_file: false E_WARNING: Swoole\Server::start(): open('/nonexistent-dir-wsserver/server.log') failed: No such file or directory
start() with a bad pid_file: false E_WARNING: Swoole\Server::start(): open('/nonexistent-dir-wsserver/server.pid') failed: No such file or directory
