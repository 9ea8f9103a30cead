--TEST--
Server: log_file receives the server's own log lines (not the script's output when not daemonized); log_level filters them
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Starts a server with $settings, crashes one worker (exit(7) in onMessage), waits for its replacement, stops it. */
function crash_once(array $settings): string
{
    $script = ws_server_script(str_replace('SETTINGS', var_export($settings, true), <<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2] + SETTINGS);
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('message', function (Server $s, $f) { echo "exiting\n"; exit(7); });
$server->start();
PHP));
    $srv = ws_start_server($script);
    ws_server_wait_output($srv, "workerStart 1\n") && ws_server_wait_output($srv, "workerStart 0\n");
    $c = WsTestClient::connect($srv['port']);
    $c->send('bye');
    $c->waitEof(3.0);
    $c->close();
    // The replacement comes after a 1 s delay (it crashed young); up to 5 s.
    $deadline = microtime(true) + 5;
    while (substr_count($srv['out'], 'workerStart') < 3 && microtime(true) < $deadline) ws_server_read($srv, 0.05);
    return ws_stop_server($srv);
}

$log = sys_get_temp_dir() . '/wsserver_log_' . getmypid() . '.log';
@unlink($log);

echo "-- default level (SWOOLE_LOG_INFO), log_file\n";
$out = crash_once(['log_file' => $log]);
$text = (string) @file_get_contents($log);
echo "replaced: ", var_export(substr_count($out, 'workerStart') === 3, true), "\n";
echo "logged in Swoole's format: ", var_export((bool) preg_match(
    '~^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \$\d+\.0\]\tWARNING\tworker\(pid=\d+, id=[01]\) abnormal exit, status=7, signal=0\n$~', $text), true), "\n";
echo "not on stdout: ", var_export(strpos($out, 'abnormal') === false, true), "\n";
echo "script output stays on stdout: ", var_export(strpos($out, "exiting\n") !== false && strpos($text, 'exiting') === false, true), "\n";

echo "-- log_level SWOOLE_LOG_ERROR: the warning is filtered\n";
@unlink($log);
$out = crash_once(['log_file' => $log, 'log_level' => SWOOLE_LOG_ERROR]);
echo "replaced: ", var_export(substr_count($out, 'workerStart') === 3, true), "\n";
echo "log file empty: ", var_export((string) @file_get_contents($log) === '', true), "\n";

echo "-- no log_file: standard output, as Swoole\n";
$out = crash_once(['log_level' => SWOOLE_LOG_WARNING]);
echo "on stdout: ", var_export((bool) preg_match('~\tWARNING\tworker\(pid=\d+, id=[01]\) abnormal exit, status=7, signal=0$~m', $out), true), "\n";
echo "-- SWOOLE_LOG_NONE\n";
$out = crash_once(['log_level' => SWOOLE_LOG_NONE]);
echo "silent: ", var_export(strpos($out, 'abnormal') === false && substr_count($out, 'workerStart') === 3, true), "\n";
@unlink($log);
?>
--EXPECT--
-- default level (SWOOLE_LOG_INFO), log_file
replaced: true
logged in Swoole's format: true
not on stdout: true
script output stays on stdout: true
-- log_level SWOOLE_LOG_ERROR: the warning is filtered
replaced: true
log file empty: true
-- no log_file: standard output, as Swoole
on stdout: true
-- SWOOLE_LOG_NONE
silent: true
