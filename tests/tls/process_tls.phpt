--TEST--
Server: SWOOLE_PROCESS | SWOOLE_SSL: wss:// and https:// on one port, TLS done by the master's reactor threads, echoes of every size class from the workers
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('openssl_pkey_new')) die('skip the openssl extension makes the test certificate');
if (!is_executable('/usr/bin/python3') || trim((string) shell_exec("/usr/bin/python3 -c 'import websockets, ssl; print(1)' 2>/dev/null")) !== '1') die('skip /usr/bin/python3 with websockets needed');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$dir = sys_get_temp_dir() . '/wsserver_process_tls_' . getmypid();
@mkdir($dir);
$key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
$csr = openssl_csr_new(['commonName' => 'localhost'], $key, ['digest_alg' => 'sha256']);
$cert = openssl_csr_sign($csr, null, $key, 1, ['digest_alg' => 'sha256']);
openssl_x509_export_to_file($cert, "$dir/cert.pem");
openssl_pkey_export_to_file($key, "$dir/key.pem");
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });

$srv = ws_start_server(ws_server_script(str_replace('@DIR@', $dir, <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, SWOOLE_PROCESS, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$server->set(['ssl_cert_file' => '@DIR@/cert.pem', 'ssl_key_file' => '@DIR@/key.pem', 'websocket_compression' => true,
              'worker_num' => 2, 'reactor_num' => 2]);
echo "PORT {$server->port}\n";
$server->on('workerStart', function ($s, $id) { echo "workerStart $id\n"; });
$server->on('message', function ($s, $f) {
    $s->push($f->fd, "echo " . strlen($f->data) . " " . md5($f->data), WEBSOCKET_OPCODE_TEXT,
             SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS);
});
$server->on('request', function ($req, $res) { $res->end("https ok " . $req->server['request_uri']); });
$server->start();
PHP)));
ws_server_wait_output($srv, 'workerStart 1', 10.0);
$client = <<<'PY'
import asyncio, hashlib, ssl, sys, urllib.request, websockets
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
async def one(k):
    async with websockets.connect(f"wss://127.0.0.1:{port}/", ssl=ctx, max_size=None) as ws:
        ok = True
        for n in (0, 5, 70000, 1500000):
            data = "ab" * (n // 2) + "c" * (n % 2)
            await ws.send(data)
            ok = ok and await asyncio.wait_for(ws.recv(), 10) == f"echo {n} {hashlib.md5(data.encode()).hexdigest()}"
        await ws.close(4000, "bye")
        return ok and ws.close_code == 4000
async def main():
    print("4 wss clients at once:", await asyncio.gather(*(one(k) for k in range(4))))
asyncio.run(asyncio.wait_for(main(), 30))
print(urllib.request.urlopen(f"https://127.0.0.1:{port}/hello", context=ctx, timeout=5).read().decode())
PY;
file_put_contents("$dir/client.py", $client);
echo shell_exec('timeout -k 2 40 /usr/bin/python3 ' . escapeshellarg("$dir/client.py") . ' ' . $srv['port'] . ' 2>&1');
$out = ws_stop_server($srv);
if (preg_match_all('~(Warning|Fatal|Notice).*~', $out, $bad)) echo implode("\n", $bad[0]), "\n";
?>
--EXPECT--
4 wss clients at once: [True, True, True, True]
https ok /hello
