--TEST--
Interop: Python's websockets client (Debian python3-websockets) against the server, compression on and off
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
if (!is_executable('/usr/bin/python3')) die('skip /usr/bin/python3 not found (scripts/test.sh installs python3-websockets)');
exec('/usr/bin/python3 -c "import websockets" 2>&1', $out, $rc);
if ($rc !== 0) die('skip /usr/bin/python3 has no websockets module (apt-get install python3-websockets)');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

// One server script; COMPRESSION is replaced per run. Every data message is echoed
// with FIN | COMPRESS (a client that did not negotiate permessage-deflate must get
// plain frames); "cmd:close" makes the server close with 4001 "bye".
$code = <<<'PHP'
<?php
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
$server = new Server('127.0.0.1', 0);
$server->set(['websocket_compression' => COMPRESSION, 'websocket_subprotocol' => 'chat.v1']);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('message', function (Server $s, Frame $f) {
    if ($f->data === 'cmd:close') {
        $s->disconnect($f->fd, 4001, 'bye');
        return;
    }
    if (!$s->push($f->fd, $f->data, $f->opcode, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS)) {
        echo "push failed\n";
    }
});
$server->on('close', function (Server $s, int $fd) {
    $i = $s->getClientInfo($fd);
    echo 'onClose close_code=', $i['close_code'] ?? '-', ' close_reason=', $i['close_reason'] ?? '-', "\n";
});
$server->start();
PHP;

$client = __DIR__ . '/../include/interop_client.py';
foreach (['true' => ['deflate', 'plain', 'narrow'], 'false' => ['deflate', 'plain']] as $compression => $modes) {
    echo "== server websocket_compression=$compression\n";
    $srv = ws_start_server(ws_server_script(str_replace('COMPRESSION', $compression, $code)));
    foreach ($modes as $mode) {
        // The client bounds itself (10 s); timeout(1) is the last resort.
        $cmd = ['timeout', '-k', '2', '20', '/usr/bin/python3', $client, (string) $srv['port'], $mode];
        // A clean environment: no LD_PRELOAD / sanitizer options of the ASan phpt run.
        $env = ['PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
        $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        echo $out, "[$mode] exit ", proc_close($p), "\n";
        // Both connections of the client are closed; wait for the server to notice.
        $n = substr_count($srv['out'], 'onClose') + 2;
        for ($i = 0; $i < 40 && substr_count($srv['out'], 'onClose') < $n; $i++) {
            ws_server_read($srv, 0.05);
        }
    }
    echo ws_stop_server($srv);
}
?>
--EXPECT--
== server websocket_compression=true
[deflate] subprotocol chat.v1
[deflate] permessage-deflate negotiated
[deflate] text ok
[deflate] binary ok
[deflate] utf8 ok
[deflate] compressible ok
[deflate] compressible wire compressed
[deflate] binary 70KB ok
[deflate] text 1MB ok
[deflate] ping answered
[deflate] client close sent 4000, server answered 4000
[deflate] server close 4001 bye
[deflate] exit 0
[plain] subprotocol chat.v1
[plain] permessage-deflate not negotiated
[plain] text ok
[plain] binary ok
[plain] utf8 ok
[plain] compressible ok
[plain] compressible wire plain
[plain] binary 70KB ok
[plain] text 1MB ok
[plain] ping answered
[plain] client close sent 4000, server answered 4000
[plain] server close 4001 bye
[plain] exit 0
[narrow] subprotocol chat.v1
[narrow] permessage-deflate negotiated
[narrow] params server_no_context_takeover=True client_no_context_takeover=True server_max_window_bits=10
[narrow] text ok
[narrow] binary ok
[narrow] utf8 ok
[narrow] compressible ok
[narrow] compressible wire compressed
[narrow] binary 70KB ok
[narrow] text 1MB ok
[narrow] ping answered
[narrow] client close sent 4000, server answered 4000
[narrow] server close 4001 bye
[narrow] exit 0
onClose close_code=4000 close_reason=client bye
onClose close_code=4001 close_reason=bye
onClose close_code=4000 close_reason=client bye
onClose close_code=4001 close_reason=bye
onClose close_code=4000 close_reason=client bye
onClose close_code=4001 close_reason=bye
== server websocket_compression=false
[deflate] subprotocol chat.v1
[deflate] permessage-deflate not negotiated
[deflate] text ok
[deflate] binary ok
[deflate] utf8 ok
[deflate] compressible ok
[deflate] compressible wire plain
[deflate] binary 70KB ok
[deflate] text 1MB ok
[deflate] ping answered
[deflate] client close sent 4000, server answered 4000
[deflate] server close 4001 bye
[deflate] exit 0
[plain] subprotocol chat.v1
[plain] permessage-deflate not negotiated
[plain] text ok
[plain] binary ok
[plain] utf8 ok
[plain] compressible ok
[plain] compressible wire plain
[plain] binary 70KB ok
[plain] text 1MB ok
[plain] ping answered
[plain] client close sent 4000, server answered 4000
[plain] server close 4001 bye
[plain] exit 0
onClose close_code=4000 close_reason=client bye
onClose close_code=4001 close_reason=bye
onClose close_code=4000 close_reason=client bye
onClose close_code=4001 close_reason=bye
