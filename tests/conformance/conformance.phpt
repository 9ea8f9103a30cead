--TEST--
Conformance: our own RFC 6455 / RFC 7692 protocol client (tests/conformance/wsconform.py) against the echo server: SWOOLE_BASE with worker_num 1 and 2, SWOOLE_PROCESS with 2 workers (2 reactor threads)
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!is_executable('/usr/bin/python3')) die('skip /usr/bin/python3 not found');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

// tests/conformance/echo_server.inc pushes every message back with FIN | COMPRESS,
// package_max_length 64 MiB; its argv is [port, worker_num, cert, key, mode], given here
// by a wrapper. In PROCESS mode the master's threads do the protocol work and the echo
// comes from a worker: the replies must still come in the same order.
$echo = __DIR__ . '/echo_server.inc';
$client = __DIR__ . '/wsconform.py';

foreach ([['base', 1], ['base', 2], ['process', 2]] as [$mode, $workers]) {
    echo "== $mode worker_num=$workers\n";
    $wrapper = ws_server_script('<?php $argv = [__FILE__, "0", "' . $workers . '", "", "", "' . $mode
        . '"]; $argc = 6; require ' . var_export($echo, true) . ";\n");
    $srv = ws_start_server($wrapper);
    // The client bounds itself (--budget, then every case is reported as not run);
    // timeout(1) is the last resort. A clean environment: no LD_PRELOAD / sanitizer
    // options of the ASan phpt run reach Python.
    $cmd = ['timeout', '-k', '2', '75', '/usr/bin/python3', $client, (string) $srv['port'], '--budget', '55'];
    $env = ['PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    $rc = proc_close($p);
    echo $out, "exit $rc\n";
    $log = trim(preg_replace('~^PORT \d+\n~', '', ws_stop_server($srv)));
    if ($log !== '') {
        echo "server output:\n$log\n";
    }
}
?>
--EXPECT--
== base worker_num=1
1.x framing: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
2.x ping/pong: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
3.x reserved bits: 44 cases, 44 OK, 0 NON-STRICT, 0 FAILED
4.x opcodes: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
5.x fragmentation: 30 cases, 30 OK, 0 NON-STRICT, 0 FAILED
6.x UTF-8: 125 cases, 125 OK, 0 NON-STRICT, 0 FAILED
7.x close handling: 62 cases, 62 OK, 0 NON-STRICT, 0 FAILED
9.x large messages: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
12.x deflate messages: 43 cases, 43 OK, 0 NON-STRICT, 0 FAILED
13.x deflate negotiation: 64 cases, 64 OK, 0 NON-STRICT, 0 FAILED
total: 484 cases, 484 OK, 0 NON-STRICT, 0 FAILED
exit 0
== base worker_num=2
1.x framing: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
2.x ping/pong: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
3.x reserved bits: 44 cases, 44 OK, 0 NON-STRICT, 0 FAILED
4.x opcodes: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
5.x fragmentation: 30 cases, 30 OK, 0 NON-STRICT, 0 FAILED
6.x UTF-8: 125 cases, 125 OK, 0 NON-STRICT, 0 FAILED
7.x close handling: 62 cases, 62 OK, 0 NON-STRICT, 0 FAILED
9.x large messages: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
12.x deflate messages: 43 cases, 43 OK, 0 NON-STRICT, 0 FAILED
13.x deflate negotiation: 64 cases, 64 OK, 0 NON-STRICT, 0 FAILED
total: 484 cases, 484 OK, 0 NON-STRICT, 0 FAILED
exit 0
== process worker_num=2
1.x framing: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
2.x ping/pong: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
3.x reserved bits: 44 cases, 44 OK, 0 NON-STRICT, 0 FAILED
4.x opcodes: 22 cases, 22 OK, 0 NON-STRICT, 0 FAILED
5.x fragmentation: 30 cases, 30 OK, 0 NON-STRICT, 0 FAILED
6.x UTF-8: 125 cases, 125 OK, 0 NON-STRICT, 0 FAILED
7.x close handling: 62 cases, 62 OK, 0 NON-STRICT, 0 FAILED
9.x large messages: 36 cases, 36 OK, 0 NON-STRICT, 0 FAILED
12.x deflate messages: 43 cases, 43 OK, 0 NON-STRICT, 0 FAILED
13.x deflate negotiation: 64 cases, 64 OK, 0 NON-STRICT, 0 FAILED
total: 484 cases, 484 OK, 0 NON-STRICT, 0 FAILED
exit 0
