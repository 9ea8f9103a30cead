--TEST--
Server: 10,000 concurrent WebSocket connections (BASE, worker_num 1 and 2) open, echo, close; every open and close event delivered once
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!is_executable('/usr/bin/python3')) die('skip /usr/bin/python3 not found');
if (!is_executable('/bin/sh')) die('skip /bin/sh not found');
// The fd limit is raised for the server (sh -c 'ulimit -n ...') and by the client itself
// (setrlimit up to the hard limit); neither can go above the hard limit we inherit.
$hard = trim((string) shell_exec("/bin/sh -c 'ulimit -Hn' 2>/dev/null"));
if ($hard === '') die('skip cannot read the hard fd limit (ulimit -Hn)');
if ($hard !== 'unlimited' && (int) $hard < 10512) die("skip hard fd limit (ulimit -Hn) is $hard, 10,000 connections need about 10,512");
$n = $hard === 'unlimited' || (int) $hard >= 25000 ? 25000 : (int) $hard;
exec("/bin/sh -c 'ulimit -n $n' 2>&1", $out, $rc);
if ($rc !== 0) die("skip ulimit -n $n failed: " . implode(' ', $out));
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

const CONNECTIONS = 10000;

// The fd limit for the server: 25000 as asked, or the hard limit when that is lower (the
// SKIPIF made sure it is at least 10,512: 10,000 connections plus the server's own fds).
function nofile_limit(): int
{
    $hard = trim((string) shell_exec("/bin/sh -c 'ulimit -Hn' 2>/dev/null"));
    return $hard === 'unlimited' || (int) $hard >= 25000 ? 25000 : (int) $hard;
}

// ws_start_server() with the server behind `sh -c 'ulimit -n N && exec php ...'`: exec keeps
// sh's pid, so $srv['pid'] is the php process and ws_stop_server() can SIGTERM it.
function start_server_with_nofile(string $script, int $nofile, float $timeout = 5.0): array
{
    $cmd = ['/bin/sh', '-c', 'ulimit -n ' . $nofile . ' && exec "$0" "$@"',
        PHP_BINARY, '-n', '-d', 'extension=' . ws_extension_path(), '-d', 'display_errors=1', '-d', 'error_reporting=-1', $script];
    $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    if (!is_resource($proc)) {
        throw new RuntimeException('proc_open failed');
    }
    fclose($pipes[0]);
    stream_set_blocking($pipes[1], false);
    $srv = ['proc' => $proc, 'pid' => proc_get_status($proc)['pid'], 'port' => null, 'stdout' => $pipes[1], 'out' => ''];
    $deadline = microtime(true) + $timeout;
    while (microtime(true) < $deadline) {
        if (preg_match('~^PORT (\d+)\n~', $srv['out'], $m)) {
            $srv['port'] = (int) $m[1];
            $srv['out'] = substr($srv['out'], strlen($m[0]));
            return $srv;
        }
        ws_server_read($srv, 0.05);
        if (!proc_get_status($proc)['running']) {
            ws_server_read($srv, 0.05);
            throw new RuntimeException("server exited early:\n" . $srv['out']);
        }
    }
    posix_kill($srv['pid'], SIGKILL);
    proc_close($proc);
    throw new RuntimeException("server did not start:\n" . $srv['out']);
}

// Per worker: opens and closes counted per fd; a 200 ms tick prints the counts when they
// changed (so the test knows when every close arrived); at workerStop one summary line and
// the fd sets in a file (for the checks across workers). One echo per line: processes share
// the pipe, and one write per line keeps lines whole.
$code = <<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server('127.0.0.1', 0);
$server->set(['worker_num' => WORKER_NUM, 'backlog' => 4096]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$opens = [];
$closes = [];
$pushFailed = 0;
$server->on('workerStart', function (Server $s, int $id) use (&$opens, &$closes) {
    $last = '';
    $s->tick(200, function () use ($id, &$opens, &$closes, &$last) {
        $line = "progress w=$id opens=" . count($opens) . ' closes=' . count($closes) . "\n";
        if ($line !== $last) {
            echo $line;
            $last = $line;
        }
    });
    echo "ready w=$id\n";
});
$server->on('open', function (Server $s, $req) use (&$opens) {
    $opens[$req->fd] = ($opens[$req->fd] ?? 0) + 1;
});
$server->on('message', function (Server $s, $f) use (&$pushFailed) {
    if (!$s->push($f->fd, $f->data)) {
        $pushFailed++;
    }
});
$server->on('close', function (Server $s, int $fd) use (&$closes) {
    $closes[$fd] = ($closes[$fd] ?? 0) + 1;
});
$server->on('workerStop', function (Server $s, int $id) use (&$opens, &$closes, &$pushFailed) {
    $o = array_keys($opens);
    $c = array_keys($closes);
    sort($o);
    sort($c);
    echo "summary w=$id opens=" . array_sum($opens) . ' closes=' . array_sum($closes)
        . ' dup_opens=' . count(array_filter($opens, fn ($n) => $n > 1))
        . ' dup_closes=' . count(array_filter($closes, fn ($n) => $n > 1))
        . ' sets_equal=' . ($o === $c ? 'yes' : 'no')
        . ' open_not_closed=' . count(array_diff($o, $c)) . ' closed_not_opened=' . count(array_diff($c, $o))
        . " push_failed=$pushFailed\n";
    file_put_contents(STATE_DIR . "/w$id.json", json_encode(['opens' => $o, 'closes' => $c]));
});
$server->start();
PHP;

$stateRoot = sys_get_temp_dir() . '/wsserver_10k_' . getmypid() . '_' . bin2hex(random_bytes(4));
register_shutdown_function(function () use ($stateRoot) {
    foreach (glob("$stateRoot/*/*.json") ?: [] as $f) @unlink($f);
    foreach (glob("$stateRoot/*") ?: [] as $d) @rmdir($d);
    @rmdir($stateRoot);
});

$client = __DIR__ . '/../include/many_clients.py';
$nofile = nofile_limit();
foreach ([1, 2] as $workers) {
    echo "== worker_num=$workers\n";
    $dir = "$stateRoot/w$workers";
    @mkdir($dir, 0700, true);
    $script = ws_server_script(strtr($code, ['WORKER_NUM' => (string) $workers, 'STATE_DIR' => var_export($dir, true)]));
    $srv = start_server_with_nofile($script, $nofile);
    $ready = 0;
    for ($i = 0; $i < 100 && ($ready = substr_count($srv['out'], 'ready w=')) < $workers; $i++) {
        ws_server_read($srv, 0.05);
    }
    echo "workers ready: $ready\n";

    // The client bounds itself (25 s); timeout(1) is the last resort. A clean environment:
    // no LD_PRELOAD / sanitizer options of the ASan phpt run.
    $cmd = ['timeout', '-k', '2', '30', '/usr/bin/python3', $client, (string) $srv['port'], (string) CONNECTIONS, '500'];
    $env = ['PATH' => getenv('PATH') ?: '/usr/bin:/bin', 'MANY_CLIENTS_TIMEOUT' => '25'];
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    stream_set_blocking($pipes[1], false);
    stream_set_blocking($pipes[2], false);
    // Read the client and drain the server's pipe together, so a chatty server cannot block.
    $cout = $cerr = '';
    $open = [1 => true, 2 => true];
    $srvOpen = true;  // false once the server's pipe is at EOF (it exited): no busy loop
    $deadline = microtime(true) + 40;
    while ($open && microtime(true) < $deadline) {
        $r = $srvOpen ? [$srv['stdout']] : [];
        foreach ($open as $k => $_) $r[] = $pipes[$k];
        $w = $e = null;
        if (!@stream_select($r, $w, $e, 0, 200000)) continue;
        foreach ($r as $s) {
            $d = fread($s, 65536);
            if ($s === $srv['stdout']) {
                if (is_string($d)) $srv['out'] .= $d;
                if (($d === '' || $d === false) && feof($s)) $srvOpen = false;
                continue;
            }
            $k = $s === $pipes[1] ? 1 : 2;
            if ($d === '' || $d === false) {
                if (feof($s)) unset($open[$k]);
                continue;
            }
            if ($k === 1) $cout .= $d; else $cerr .= $d;
        }
    }
    fclose($pipes[1]);
    fclose($pipes[2]);
    $rc = proc_close($p);
    foreach (explode("\n", trim($cout)) as $l) echo "client: $l\n";
    echo "client exit $rc\n";

    // Every close the client finished must reach onClose; wait (at most 8 s, and at most 2 s
    // without any change of the counts) for them before SIGTERM.
    $closes = function () use (&$srv): int {
        preg_match_all('~progress w=(\d+) opens=\d+ closes=(\d+)~', $srv['out'], $m, PREG_SET_ORDER);
        $last = [];
        foreach ($m as $x) $last[$x[1]] = (int) $x[2];
        return array_sum($last);
    };
    $deadline = microtime(true) + 8.0;
    $seen = -1;
    $changed = microtime(true);
    while (($now = microtime(true)) < $deadline && ($n = $closes()) < CONNECTIONS) {
        if ($n !== $seen) {
            [$seen, $changed] = [$n, $now];
        } elseif ($now - $changed > 2.0) {
            break;
        }
        ws_server_read($srv, 0.05);
    }
    $out = ws_stop_server($srv, 10.0);

    preg_match_all('~^summary w=(\d+) opens=(\d+) closes=(\d+) dup_opens=(\d+) dup_closes=(\d+) sets_equal=(\w+) '
        . 'open_not_closed=(\d+) closed_not_opened=(\d+) push_failed=(\d+)$~m', $out, $sm, PREG_SET_ORDER);
    $sum = ['opens' => 0, 'closes' => 0, 'dup_opens' => 0, 'dup_closes' => 0, 'open_not_closed' => 0, 'closed_not_opened' => 0, 'push_failed' => 0];
    $equal = count($sm) > 0;
    foreach ($sm as $x) {
        [$sum['opens'], $sum['closes'], $sum['dup_opens'], $sum['dup_closes']] =
            [$sum['opens'] + $x[2], $sum['closes'] + $x[3], $sum['dup_opens'] + $x[4], $sum['dup_closes'] + $x[5]];
        $sum['open_not_closed'] += $x[7];
        $sum['closed_not_opened'] += $x[8];
        $sum['push_failed'] += $x[9];
        $equal = $equal && $x[6] === 'yes';
    }
    echo 'server: summary lines ', count($sm), "\n";
    echo "server: opens {$sum['opens']} closes {$sum['closes']}\n";
    echo "server: fds opened more than once {$sum['dup_opens']}, closed more than once {$sum['dup_closes']}\n";
    echo "server: open set equals close set in every worker: ", $equal ? 'yes' : 'no',
        " (opened not closed {$sum['open_not_closed']}, closed not opened {$sum['closed_not_opened']})\n";
    echo "server: failed pushes {$sum['push_failed']}\n";

    // Across workers: no fd in two workers' open (or close) sets, and the union sets equal.
    $allOpens = $allCloses = [];
    $files = glob("$dir/w*.json") ?: [];
    foreach ($files as $f) {
        $j = json_decode((string) file_get_contents($f), true);
        $allOpens = array_merge($allOpens, $j['opens'] ?? []);
        $allCloses = array_merge($allCloses, $j['closes'] ?? []);
    }
    $uo = array_unique($allOpens);
    $uc = array_unique($allCloses);
    sort($uo);
    sort($uc);
    echo 'server: state files ', count($files), ', distinct fds opened ', count($uo), ', fds in two workers ',
        (count($allOpens) - count($uo)) + (count($allCloses) - count($uc)), ', union sets equal ', $uo === $uc ? 'yes' : 'no', "\n";

    // Anything else the server printed (warnings, errors, [killed]) shows up here.
    $other = preg_grep('~^(summary|progress|ready) w=\d+( |$)~', array_filter(explode("\n", $out), 'strlen'), PREG_GREP_INVERT);
    echo 'server: other output: ', $other ? "\n" . implode("\n", array_slice($other, 0, 20)) : 'none', "\n";
}
?>
--EXPECT--
== worker_num=1
workers ready: 1
client: opened 10000
client: echoed 10000
client: closed 10000
client exit 0
server: summary lines 1
server: opens 10000 closes 10000
server: fds opened more than once 0, closed more than once 0
server: open set equals close set in every worker: yes (opened not closed 0, closed not opened 0)
server: failed pushes 0
server: state files 1, distinct fds opened 10000, fds in two workers 0, union sets equal yes
server: other output: none
== worker_num=2
workers ready: 2
client: opened 10000
client: echoed 10000
client: closed 10000
client exit 0
server: summary lines 2
server: opens 10000 closes 10000
server: fds opened more than once 0, closed more than once 0
server: open set equals close set in every worker: yes (opened not closed 0, closed not opened 0)
server: failed pushes 0
server: state files 2, distinct fds opened 10000, fds in two workers 0, union sets equal yes
server: other output: none
