--TEST--
Server: SIGTERM is handled (graceful stop) only while start() runs; a constructed server leaves it alone
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
$s = new Swoole\WebSocket\Server('127.0.0.1', 0);
posix_kill(getmypid(), SIGTERM);
usleep(500000);
echo "still alive\n";
PHP);
$p = proc_open([PHP_BINARY, '-d', 'extension=' . ws_extension_path(), $script], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
fclose($pipes[1]);
fclose($pipes[2]);
$deadline = microtime(true) + 3;
do {
    $st = proc_get_status($p);
    usleep(10000);
} while ($st['running'] && microtime(true) < $deadline);
proc_close($p);
var_dump($out, $st['signaled'], $st['termsig'] === SIGTERM);
?>
--EXPECT--
string(0) ""
bool(true)
bool(true)
