--TEST--
Server: SWOOLE_SSL (wss:// and https:// on one port) with a self-signed certificate made at test time; TLS errors
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('openssl_pkey_new')) die('skip the openssl extension makes the test certificate');
if (!is_executable('/usr/bin/python3') || trim((string) shell_exec("/usr/bin/python3 -c 'import websockets, ssl; print(1)' 2>/dev/null")) !== '1') die('skip /usr/bin/python3 with websockets needed');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$dir = sys_get_temp_dir() . '/wsserver_tls_' . getmypid();
@mkdir($dir);
$key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
$csr = openssl_csr_new(['commonName' => 'localhost'], $key, ['digest_alg' => 'sha256']);
$cert = openssl_csr_sign($csr, null, $key, 1, ['digest_alg' => 'sha256']);
openssl_x509_export_to_file($cert, "$dir/cert.pem");
openssl_pkey_export_to_file($key, "$dir/key.pem");
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });

$script = ws_server_script(str_replace('@DIR@', $dir, <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$server->set(['ssl_cert_file' => '@DIR@/cert.pem', 'ssl_key_file' => '@DIR@/key.pem', 'websocket_compression' => true,
              'ssl_protocols' => SWOOLE_SSL_TLSv1_2 | SWOOLE_SSL_TLSv1_3]);
echo "PORT {$server->port}\n";
$server->on('open', function ($s, $req) { echo "open {$req->fd}\n"; });
$server->on('message', function ($s, $f) {
    $s->push($f->fd, "echo " . strlen($f->data) . " " . md5($f->data), WEBSOCKET_OPCODE_TEXT,
             SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS);
});
$server->on('request', function ($req, $res) { $res->end("https ok " . $req->server['request_uri']); });
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->start();
PHP));
$srv = ws_start_server($script);
$client = <<<'PY'
import asyncio, hashlib, ssl, sys, urllib.request, websockets
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
async def main():
    async with websockets.connect(f"wss://127.0.0.1:{port}/", ssl=ctx, max_size=None, compression=None) as ws:
        print("tls", ws.transport.get_extra_info("ssl_object").version() in ("TLSv1.2", "TLSv1.3"))
        for n in (0, 5, 70000, 1500000):
            data = "ab" * (n // 2) + "c" * (n % 2)
            await ws.send(data)
            print(await asyncio.wait_for(ws.recv(), 5) == f"echo {n} {hashlib.md5(data.encode()).hexdigest()}")
        await ws.close(4000, "bye")
        print("closed", ws.close_code)
asyncio.run(asyncio.wait_for(main(), 10))
print(urllib.request.urlopen(f"https://127.0.0.1:{port}/hello", context=ctx, timeout=5).read().decode())
PY;
file_put_contents("$dir/client.py", $client);
echo shell_exec('timeout -k 2 20 /usr/bin/python3 ' . escapeshellarg("$dir/client.py") . ' ' . $srv['port'] . ' 2>&1');
// Plain text on the TLS port: the handshake fails and the connection is closed.
$s = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2);
stream_set_timeout($s, 2);
fwrite($s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
$reply = fread($s, 1024);
echo "plain text: ", var_export($reply === '' || $reply === false || !str_starts_with($reply, 'HTTP'), true), ", eof: ", var_export(fread($s, 1) === '' && feof($s), true), "\n";
fclose($s);
// The wss and https connections; the plain-text one failed its TLS handshake, so (as in
// Swoole) PHP never hears of it.
ws_server_wait_output($srv, 'close 2');
echo ws_stop_server($srv);

// Settings errors: start() warns and returns false.
foreach (["[]" => 'no files', "['ssl_cert_file' => '$dir/none.pem', 'ssl_key_file' => '$dir/key.pem']" => 'missing cert',
          "['ssl_cert_file' => '$dir/cert.pem', 'ssl_key_file' => '$dir/cert.pem']" => 'key is a cert'] as $set => $what) {
    $bad = ws_server_script("<?php \$s = new Swoole\\WebSocket\\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);\n"
        . "\$s->set($set); \$s->on('message', function () {}); var_dump(\$s->start());");
    $out = shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-n', '-d', 'extension=' . ws_extension_path(), '-d', 'display_errors=1', $bad])) . ' 2>&1');
    echo "$what: ", trim(preg_replace('~ in /\S+ on line \d+~', '', str_replace($dir, 'DIR', $out))), "\n";
}
?>
--EXPECTF--
tls True
True
True
True
True
closed 4000
https ok /hello
plain text: true, eof: true
open 1
close 1
close 2
no files: Warning: Swoole\Server::start(): SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings
bool(false)
missing cert: Warning: Swoole\Server::start(): %sDIR/none.pem%s
bool(false)
key is a cert: Warning: Swoole\Server::start(): %s
bool(false)
