--TEST--
Server: SWOOLE_SSL with ssl_verify_peer: a client certificate signed by ssl_client_cert_file's CA is served, none or another CA's is refused at the TLS handshake; ssl_allow_self_signed
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!function_exists('openssl_pkey_new')) die('skip the openssl extension makes the test certificates');
if (!is_executable('/usr/bin/python3') || trim((string) shell_exec("/usr/bin/python3 -c 'import websockets, ssl; print(1)' 2>/dev/null")) !== '1') die('skip /usr/bin/python3 with websockets needed');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$dir = sys_get_temp_dir() . '/wsserver_tls_cc_' . getmypid();
@mkdir($dir);
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });

// Our own OpenSSL config, so the CA and leaf extensions do not depend on the system's.
file_put_contents("$dir/openssl.cnf", <<<'CNF'
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF);
$cnf = ['config' => "$dir/openssl.cnf", 'digest_alg' => 'sha256'];
$newkey = fn () => openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
// A self-signed CA; returns [cert, key].
$make_ca = function (string $cn) use ($newkey, $cnf) {
    $key = $newkey();
    $csr = openssl_csr_new(['commonName' => $cn], $key, $cnf);
    return [openssl_csr_sign($csr, null, $key, 2, $cnf + ['x509_extensions' => 'ca_ext'], random_int(1, PHP_INT_MAX)), $key];
};
// A leaf signed by $ca (or self-signed when $ca is null), written to $name.crt/.key.
$make_leaf = function (string $name, string $cn, ?array $ca) use ($newkey, $cnf, $dir) {
    $key = $newkey();
    $csr = openssl_csr_new(['commonName' => $cn], $key, $cnf);
    $cert = $ca === null
        ? openssl_csr_sign($csr, null, $key, 2, $cnf + ['x509_extensions' => 'leaf_ext'], random_int(1, PHP_INT_MAX))
        : openssl_csr_sign($csr, $ca[0], $ca[1], 2, $cnf + ['x509_extensions' => 'leaf_ext'], random_int(1, PHP_INT_MAX));
    openssl_x509_export_to_file($cert, "$dir/$name.crt");
    openssl_pkey_export_to_file($key, "$dir/$name.key");
    return $cert;
};
$ca = $make_ca('wsserver test CA');
$other_ca = $make_ca('wsserver other CA');
openssl_x509_export_to_file($ca[0], "$dir/ca.crt");
$make_leaf('server', 'localhost', $ca);
$good = $make_leaf('good', 'good client', $ca);
$make_leaf('other', 'other client', $other_ca);
$make_leaf('self', 'self-signed client', null);
echo "good chains to ca: ", var_export(openssl_x509_checkpurpose($good, X509_PURPOSE_SSL_CLIENT, ["$dir/ca.crt"]), true), "\n";

// The client: one wss:// echo with a client certificate (or none); a refusal is reported
// with the TLS alert the server sent, and whether it came during the handshake proper.
file_put_contents("$dir/client.py", <<<'PY'
import asyncio, socket, ssl, sys, websockets
port, cert, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if cert != "none":
        ctx.load_cert_chain(f"{cert}.crt", f"{cert}.key")
    return ctx
async def echo():
    async with websockets.connect(f"wss://127.0.0.1:{port}/", ssl=context(), open_timeout=5) as ws:
        await ws.send(f"hello from {cert}")
        return await asyncio.wait_for(ws.recv(), 5)
try:
    print(f"{cert} TLSv{version}: echo '{asyncio.run(echo())}'")
    sys.exit(0)
except Exception:
    pass  # websockets hides the TLS alert (TLS 1.3 reports it as a bad HTTP response)
# Refused: say where and with which alert, over a plain ssl socket.
with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
    tls = context().wrap_socket(raw, do_handshake_on_connect=False)
    stage = "handshake"
    try:
        tls.do_handshake()
        # TLS 1.3: the client's Finished went out before the server checked its certificate,
        # so the refusal arrives as the answer to the first read.
        stage = "first read"
        tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = tls.recv(100)
        print(f"{cert} TLSv{version}: NOT refused, got {data[:40]!r}")
    except ssl.SSLError as e:
        print(f"{cert} TLSv{version}: refused at the {stage}: {e.reason}")
PY);

function run_client(int $port, string $cert, string $version): string
{
    global $dir;
    return trim((string) shell_exec('cd ' . escapeshellarg($dir) . ' && timeout -k 2 20 /usr/bin/python3 client.py '
        . $port . ' ' . escapeshellarg($cert) . ' ' . $version . ' 2>&1'));
}

function start_server(string $settings): array
{
    global $dir;
    return ws_start_server(ws_server_script(str_replace(['@SETTINGS@', '@DIR@'], [$settings, $dir], <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$server->set(['ssl_cert_file' => '@DIR@/server.crt', 'ssl_key_file' => '@DIR@/server.key', 'ssl_verify_peer' => true] + @SETTINGS@);
echo "PORT {$server->port}\n";
$server->on('connect', function ($s, $fd) { echo "connect $fd\n"; });
$server->on('open', function ($s, $req) { echo "open {$req->fd}\n"; });
$server->on('message', function ($s, $f) { $s->push($f->fd, $f->data); });
$server->on('close', function ($s, $fd) { echo "close $fd\n"; });
$server->start();
PHP)));
}

echo "--- ssl_client_cert_file = the CA\n";
$srv = start_server("['ssl_client_cert_file' => '@DIR@/ca.crt']");
foreach (['1.3', '1.2'] as $v) {
    foreach (['good', 'none', 'other', 'self', 'good'] as $cert) {
        echo run_client($srv['port'], $cert, $v), "\n";
    }
}
// Only the four good clients became connections that opened.
ws_server_wait_output($srv, 'close 4');
$out = ws_stop_server($srv);
if (substr_count($out, 'open ') !== 4) echo $out;
// As in Swoole, a connection refused at the TLS handshake never reaches PHP: neither
// onConnect nor onClose.
echo "connects: ", substr_count($out, 'connect '), ", opens: ", substr_count($out, 'open '), ", closes: ", substr_count($out, 'close '), "\n";

echo "--- ssl_allow_self_signed, no CA file\n";
$srv = start_server("['ssl_allow_self_signed' => true]");
foreach (['self', 'none', 'good'] as $cert) {
    echo run_client($srv['port'], $cert, '1.3'), "\n";
}
ws_server_wait_output($srv, 'close');
$out = ws_stop_server($srv);
echo "connects: ", substr_count($out, 'connect '), ", opens: ", substr_count($out, 'open '), ", closes: ", substr_count($out, 'close '), "\n";

echo "--- settings error\n";
$bad = ws_server_script("<?php \$s = new Swoole\\WebSocket\\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);\n"
    . "\$s->set(['ssl_cert_file' => '$dir/server.crt', 'ssl_key_file' => '$dir/server.key', 'ssl_verify_peer' => true]);"
    . " \$s->on('message', function () {}); var_dump(\$s->start());");
$out = shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-n', '-d', 'extension=' . ws_extension_path(), '-d', 'display_errors=1', $bad])) . ' 2>&1');
echo trim(preg_replace('~ in /\S+ on line \d+~', '', $out)), "\n";
?>
--EXPECTF--
good chains to ca: true
--- ssl_client_cert_file = the CA
good TLSv1.3: echo 'hello from good'
none TLSv1.3: refused at the first read: TLSV13_ALERT_CERTIFICATE_REQUIRED
other TLSv1.3: refused at the first read: TLSV1_ALERT_UNKNOWN_CA
self TLSv1.3: refused at the first read: TLSV1_ALERT_UNKNOWN_CA
good TLSv1.3: echo 'hello from good'
good TLSv1.2: echo 'hello from good'
none TLSv1.2: refused at the handshake: SSLV3_ALERT_HANDSHAKE_FAILURE
other TLSv1.2: refused at the handshake: TLSV1_ALERT_UNKNOWN_CA
self TLSv1.2: refused at the handshake: TLSV1_ALERT_UNKNOWN_CA
good TLSv1.2: echo 'hello from good'
connects: 4, opens: 4, closes: 4
--- ssl_allow_self_signed, no CA file
self TLSv1.3: echo 'hello from self'
none TLSv1.3: refused at the first read: TLSV13_ALERT_CERTIFICATE_REQUIRED
good TLSv1.3: refused at the first read: TLSV1_ALERT_UNKNOWN_CA
connects: 1, opens: 1, closes: 1
--- settings error
Warning: Swoole\Server::start(): ssl_verify_peer needs ssl_client_cert_file (the CA certificates client certificates must chain to) or ssl_allow_self_signed
bool(false)
