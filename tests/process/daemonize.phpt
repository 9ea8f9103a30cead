--TEST--
Server: daemonize with pid_file and log_file: the caller exits 0, the server runs detached (own session, cwd /), workers' output and the server's log lines go to the log file, SIGTERM via the pid file stops it and removes the file
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$dir = sys_get_temp_dir() . '/wsserver_daemon_' . getmypid();
@mkdir($dir);
$pidFile = "$dir/server.pid";
$logFile = "$dir/server.log";
@unlink($pidFile);
@unlink($logFile);
$script = ws_server_script(str_replace('DIR', var_export($dir, true), <<<'PHP'
<?php
use Swoole\WebSocket\Server;
chdir(DIR);  // relative pid_file and log_file: resolved here, before daemonize moves to /
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 2, 'daemonize' => true, 'pid_file' => 'server.pid', 'log_file' => 'server.log']);
echo "PORT {$server->port}\n";
echo "caller pid=" . getmypid() . "\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id cwd=" . getcwd() . "\n"; });
$server->on('message', function (Server $s, $f) {
    if ($f->data === 'crash') {
        echo "crashing\n";
        exit(3);
    }
    $s->push($f->fd, "pid=" . getmypid() . " manager=" . $s->getManagerPid() . " master=" . $s->getMasterPid()
        . " sid=" . explode(' ', preg_replace('~^.*\) ~s', '', file_get_contents('/proc/self/stat')))[3]);
});
$server->on('shutdown', function (Server $s) { echo "shutdown\n"; });
$server->start();
PHP));

// The caller prints PORT and exits once the server is detached: run it to completion, then
// read. The bounds below only guard against a hang: under ASan on a busy machine the caller
// took more than 5 s to get that far, was killed, and never wrote the pid file.
$proc = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . ws_extension_path(), '-d', 'display_errors=1', $script],
    [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
fclose($pipes[0]);
stream_set_blocking($pipes[1], false);
$out = '';
$exit = null;
$deadline = microtime(true) + 30;
while (microtime(true) < $deadline) {
    $out .= (string) fread($pipes[1], 4096);
    $st = proc_get_status($proc);
    if (!$st['running']) {
        $exit = $st['exitcode'];
        break;
    }
    usleep(20000);
}
$out .= (string) fread($pipes[1], 4096);
fclose($pipes[1]);
if ($exit === null) proc_terminate($proc, SIGKILL);
proc_close($proc);
echo "caller exited with: ", var_export($exit, true), "\n";
preg_match('~caller pid=(\d+)~', $out, $m);
$caller = (int) ($m[1] ?? 0);
preg_match('~PORT (\d+)~', $out, $m);
$port = (int) ($m[1] ?? 0);

function wait_for(callable $cond, float $timeout = 30.0): bool
{
    $deadline = microtime(true) + $timeout;
    while (!$cond()) {
        if (microtime(true) >= $deadline) return false;
        usleep(20000);
    }
    return true;
}
/** Running (a zombie or a missing /proc entry is gone). */
function alive(int $pid): bool
{
    $stat = @file_get_contents("/proc/$pid/stat");
    return is_string($stat) && !preg_match('~^\d+ \(.*\) Z~s', $stat);
}

echo "pid file written: ", var_export(wait_for(fn () => is_file($pidFile) && filesize($pidFile) > 0), true), "\n";
$master = (int) file_get_contents($pidFile);
// Whatever happens below, the detached server (not our child) must not outlive the test.
register_shutdown_function(function () use ($master) {
    if ($master <= 0 || !alive($master)) return;
    posix_kill($master, SIGTERM);
    wait_for(fn () => !alive($master), 5.0);
    if (alive($master)) posix_kill($master, SIGKILL);
});
echo "pid file holds only digits: ", var_export((bool) preg_match('~^\d+$~', file_get_contents($pidFile)), true), "\n";
echo "master is a new process: ", var_export($master > 0 && $master !== $caller && alive($master), true), "\n";

// The port is bound before the fork, so a connection is accepted by the kernel at once; but the
// handshake waits for a worker, and under ASan on a loaded machine starting both took longer
// than the client's 2 s read timeout. Wait for the workers, then bound the reads only as hang guards.
echo "workers started: ", var_export(wait_for(fn () => preg_match_all('~^workerStart \d ~m', (string) @file_get_contents($logFile)) >= 2), true), "\n";
$c = WsTestClient::connect($port, '/', 30.0);
$c->send('who');
$f = $c->recv(30.0);
preg_match('~pid=(\d+) manager=(\d+) master=(\d+) sid=(\d+)~', $f['payload'] ?? '', $w);
echo "served by a worker of that master: ", var_export($w && (int) $w[2] === $master && (int) $w[3] === $master && (int) $w[1] !== $master, true), "\n";
echo "own session: ", var_export($w && (int) $w[4] !== posix_getsid(0), true), "\n";

$c2 = WsTestClient::connect($port, '/', 30.0);
$c2->send('crash');
echo "crash logged: ", var_export(wait_for(fn () => strpos((string) @file_get_contents($logFile), 'abnormal exit') !== false), true), "\n";
$c2->close();
$c->close();

posix_kill($master, SIGTERM);
echo "stopped: ", var_export(wait_for(fn () => !alive($master), 10.0), true), "\n";
echo "pid file removed: ", var_export(wait_for(fn () => !file_exists($pidFile)), true), "\n";
if (alive($master)) posix_kill($master, SIGKILL);

$log = file_get_contents($logFile);
echo "workers run in /: ", var_export(preg_match_all('~^workerStart \d cwd=/$~m', $log) >= 2 && strpos($log, 'cwd=' . $dir) === false, true), "\n";
echo "worker output in the log: ", var_export(strpos($log, "crashing\n") !== false && strpos($log, "shutdown\n") !== false, true), "\n";
echo "Swoole's line format: ", var_export((bool) preg_match(
    '~^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \$' . $master . '\.0\]\tWARNING\tworker\(pid=\d+, id=[01]\) abnormal exit, status=3, signal=0$~m', $log), true), "\n";
echo "nothing printed before start in the log: ", var_export(strpos($log, 'caller pid') === false, true), "\n";
@unlink($logFile);
@rmdir($dir);
?>
--EXPECT--
caller exited with: 0
pid file written: true
pid file holds only digits: true
master is a new process: true
workers started: true
served by a worker of that master: true
own session: true
crash logged: true
stopped: true
pid file removed: true
workers run in /: true
worker output in the log: true
Swoole's line format: true
nothing printed before start in the log: true
