--TEST--
Conformance over TLS: the whole wsconform.py suite through wss:// (SWOOLE_SSL, self-signed certificate made at test time), SWOOLE_BASE worker_num 1 and SWOOLE_PROCESS with 2 workers
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('openssl_pkey_new')) die('skip the openssl extension makes the test certificate');
if (!is_executable('/usr/bin/python3') || trim((string) shell_exec("/usr/bin/python3 -c 'import ssl; print(1)' 2>/dev/null")) !== '1') die('skip /usr/bin/python3 with ssl needed');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

// The TLS layer (every read fed to the TLS session, every write encrypted) must not
// change any protocol outcome: the same cases, the same bytes (sent through the TLS
// socket, byte-by-byte ones one TLS record per byte), the same summary as
// tests/conformance/conformance.phpt. All cases run, the 16 MiB ones included.
$dir = sys_get_temp_dir() . '/wsserver_conformance_tls_' . getmypid();
@mkdir($dir);
$key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
$csr = openssl_csr_new(['commonName' => 'localhost'], $key, ['digest_alg' => 'sha256']);
$cert = openssl_csr_sign($csr, null, $key, 1, ['digest_alg' => 'sha256']);
openssl_x509_export_to_file($cert, "$dir/cert.pem");
openssl_pkey_export_to_file($key, "$dir/key.pem");
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });

// tests/conformance/echo_server.inc: argv [port, worker_num, cert, key] -> SWOOLE_SSL.
$echo = __DIR__ . '/echo_server.inc';
$client = __DIR__ . '/wsconform.py';
foreach ([['base', 1], ['process', 2]] as [$mode, $workers]) {
    echo "== $mode worker_num=$workers\n";
    $wrapper = ws_server_script('<?php $argv = [__FILE__, "0", "' . $workers . '", ' . var_export("$dir/cert.pem", true)
        . ', ' . var_export("$dir/key.pem", true) . ', "' . $mode . '"]; $argc = 6; require ' . var_export($echo, true) . ";\n");
    $srv = ws_start_server($wrapper);
    // The client bounds itself (--budget, then every case left is reported as not run);
    // timeout(1) is the last resort. A clean environment: no LD_PRELOAD / sanitizer options.
    $cmd = ['timeout', '-k', '2', '55', '/usr/bin/python3', $client, (string) $srv['port'], '--tls', '--budget', '45'];
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
