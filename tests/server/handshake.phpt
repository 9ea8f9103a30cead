--TEST--
Server: onHandShake (examples/handshake_custom.php and handshake_defer.php unchanged) and onBeforeHandShakeResponse with both signatures
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Sends an upgrade request on a raw socket; returns [status line, headers, socket]. */
function raw_upgrade(int $port, string $key): array
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2.0);
    stream_set_timeout($s, 2);
    fwrite($s, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n");
    $head = '';
    while (strpos($head, "\r\n\r\n") === false && !feof($s) && strlen($head) < 8192) {
        $d = fread($s, 1);
        if ($d === '' || $d === false) break;
        $head .= $d;
    }
    $lines = explode("\r\n", trim($head));
    return [$lines[0] ?? '', array_slice($lines, 1), $s];
}

/** Reads the rest of a raw connection until EOF (bounded). */
function raw_rest($s): string
{
    $out = '';
    $deadline = microtime(true) + 2.0;
    while (!feof($s) && microtime(true) < $deadline) {
        $d = fread($s, 8192);
        if ($d === false) break;
        $out .= $d;
    }
    return $out;
}

$prelude = <<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
$server->on('open', function ($s, $r) { echo "open must not run\n"; });
$server->on('message', function ($s, $f) { $s->push($f->fd, "echo {$f->data}"); });
PHP;

echo "--- handshake_custom.php\n";
$script = ws_server_script($prelude . "\ninclude " . var_export(__DIR__ . '/../../examples/handshake_custom.php', true)
    . ";\n\$server->start();\n");
$srv = ws_start_server($script);
$key = base64_encode(random_bytes(16));
$c = WsTestClient::connect($srv['port'], '/', 2.0, []);
echo "accept ok, protocol header: ", var_export(isset($c->headers['sec-websocket-protocol']), true), "\n";
$c->send('hi');
echo ws_frame_line($c->recv()), "\n";
$c->close();
[$status, $headers, $s] = raw_upgrade($srv['port'], 'not-a-key');
echo "bad key: $status, eof after body: ", var_export(raw_rest($s) === '', true), "\n";
fclose($s);
$out = ws_stop_server($srv);
echo "server printed the key: ", var_export(preg_match('~^[+/0-9A-Za-z]{22}==~', $out) === 1, true),
    ", open ran: ", var_export(str_contains($out, 'open must not run'), true), "\n";

echo "--- handshake_defer.php\n";
$script = ws_server_script($prelude . "\ninclude " . var_export(__DIR__ . '/../../examples/handshake_defer.php', true)
    . ";\n\$server->start();\n");
$srv = ws_start_server($script);
[$status, $headers, $s] = raw_upgrade($srv['port'], base64_encode(random_bytes(16)));
echo "$status\n";
// The example's 101 carries no Sec-WebSocket-Accept ("handshake omitted"); the deferred push follows.
$frame = fread($s, 64);
echo "frame: ", bin2hex(substr($frame, 0, 2)), " ", json_encode(substr($frame, 2)), "\n";
fclose($s);
$out = ws_stop_server($srv);
echo trim($out), "\n";

foreach (['($request, $response)' => 'function ($request, $response) { $response->header("X-Before", "two"); $response->header("Upgrade", "nope"); $response->cookie("sid", "a b"); }',
          '(Server $server, $request, $response)' => 'function (Swoole\WebSocket\Server $server, $request, $response) { $response->header("X-Before", "three fd={$request->fd} " . get_class($server)); if ($request->get["deny"] ?? false) $server->close($request->fd); }']
         as $sig => $fn) {
    echo "--- beforeHandShakeResponse $sig\n";
    $script = ws_server_script($prelude . "\n\$server->on('beforeHandShakeResponse', $fn);\n\$server->start();\n");
    $srv = ws_start_server($script);
    $c = WsTestClient::connect($srv['port']);
    echo "x-before: ", $c->headers['x-before'] ?? '-', "; upgrade: ", $c->headers['upgrade'], "; set-cookie: ", $c->headers['set-cookie'] ?? '-', "\n";
    $c->send('after');
    echo ws_frame_line($c->recv()), "\n";
    $c->close();
    try {
        WsTestClient::connect($srv['port'], '/?deny=1');
        echo "deny: connected\n";
    } catch (RuntimeException $e) {
        echo "deny: ", $e->getMessage(), "\n";
    }
    $out = ws_stop_server($srv);
    echo "open ran: ", var_export(str_contains($out, 'open must not run'), true), "\n";
}
?>
--EXPECT--
--- handshake_custom.php
accept ok, protocol header: false
opcode=1 fin=1 payload=echo hi
bad key: HTTP/1.1 200 OK, eof after body: true
server printed the key: true, open ran: false
--- handshake_defer.php
HTTP/1.1 101 Switching Protocols
frame: 810f "hello, welcome\n"
Client connected
--- beforeHandShakeResponse ($request, $response)
x-before: two; upgrade: websocket; set-cookie: sid=a+b
opcode=1 fin=1 payload=echo after
deny: connected
open ran: true
--- beforeHandShakeResponse (Server $server, $request, $response)
x-before: three fd=1 Swoole\WebSocket\Server; upgrade: websocket; set-cookie: -
opcode=1 fin=1 payload=echo after
deny: handshake: no response
open ran: true
