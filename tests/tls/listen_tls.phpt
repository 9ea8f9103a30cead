--TEST--
Server: listen() with SWOOLE_SSL: a TLS raw-TCP port (its own set()) and a TLS port that inherits the server's WebSocket protocol and certificate settings, beside a plain main port; a TLS port without a certificate refuses start()
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('openssl_pkey_new')) die('skip the openssl extension makes the test certificate');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$dir = sys_get_temp_dir() . '/wsserver_listen_tls_' . getmypid();
@mkdir($dir);
$key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
$csr = openssl_csr_new(['commonName' => 'localhost'], $key, ['digest_alg' => 'sha256']);
$cert = openssl_csr_sign($csr, null, $key, 1, ['digest_alg' => 'sha256']);
openssl_x509_export_to_file($cert, "$dir/cert.pem");
openssl_pkey_export_to_file($key, "$dir/key.pem");
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });

$script = ws_server_script(str_replace('@DIR@', $dir, <<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
// Certificate settings on a plain server: used by the TLS ports that inherit them.
$server->set(['ssl_cert_file' => '@DIR@/cert.pem', 'ssl_key_file' => '@DIR@/key.pem']);
$raw = $server->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$raw->set(['ssl_cert_file' => '@DIR@/cert.pem', 'ssl_key_file' => '@DIR@/key.pem']);  // raw TCP: no open_http_protocol
$raw->on('receive', function (Server $s, int $fd, int $reactor_id, string $data) {
    $s->send($fd, "tls raw: " . strtoupper($data));
});
$wss = $server->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$server->on('message', function (Server $s, $frame) { $s->push($frame->fd, "echo {$frame->data}"); });
echo "PORT {$server->port}\n";
echo "PORTS {$raw->port} {$wss->port} ssl=" . var_export($raw->ssl, true) . "\n";
$server->start();
PHP));
$srv = ws_start_server($script);
$m = ws_server_wait_line($srv, 'PORTS (\d+) (\d+) ssl=(\w+)') or print("no ports in: {$srv['out']}\n");
echo "ssl property: {$m[3]}\n";

function tls_client(int $port) {
    $ctx = stream_context_create(['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]]);
    $c = stream_socket_client("tls://127.0.0.1:$port", $en, $es, 3.0, STREAM_CLIENT_CONNECT, $ctx);
    if ($c) stream_set_timeout($c, 3);
    return $c;
}
$c = tls_client((int) $m[1]);
fwrite($c, "hello over tls");
echo fread($c, 1000), "\n";
fclose($c);

$c = tls_client((int) $m[2]);
fwrite($c, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" .
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
$head = '';
while (strpos($head, "\r\n\r\n") === false && ($d = fread($c, 1000)) !== false && $d !== '') $head .= $d;
echo strtok($head, "\r"), "\n";
fwrite($c, ws_raw(0x81, 'hi', 'abcd'));
$reply = fread($c, 1000);
echo ws_parse($reply)['payload'] ?? bin2hex($reply), "\n";
fclose($c);

// The main port stays plain.
$plain = WsTestClient::connect($srv['port']);
$plain->send('plain');
echo $plain->recv(3.0)['payload'] ?? 'none', "\n";
$plain->close();
$out = ws_stop_server($srv);
if (preg_match_all('~(Warning|Fatal).*~', $out, $bad)) echo implode("\n", $bad[0]), "\n";

set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$s = new Swoole\Server("127.0.0.1", 0);
$s->on('receive', function () {});
$s->listen("127.0.0.1", 0, SWOOLE_SOCK_TCP | SWOOLE_SSL);
var_dump($s->start());
?>
--EXPECTF--
ssl property: true
tls raw: HELLO OVER TLS
HTTP/1.1 101 Switching Protocols
echo hi
echo plain
WARNING: Swoole\Server::start(): SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings (port %d)
bool(false)
