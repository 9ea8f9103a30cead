--TEST--
Example: examples/pack_raw_tcp.php (plain TCP Swoole\Server, SWOOLE_BASE, receive event, send() + WebSocket\Server::pack()) runs unchanged: any bytes get the hand-written 101 and one unmasked text frame "hello world\n"
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
$probe = @stream_socket_server('tcp://0.0.0.0:9501');
if (!$probe) die('skip port 9501 is in use');
fclose($probe);
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Sends $data on a new connection, reads until $want bytes or $timeout (bounded). */
function exchange(string $data, int $want, float $timeout = 2.0)
{
    $s = stream_socket_client('tcp://127.0.0.1:9501', $en, $es, 2.0);
    fwrite($s, $data);
    return [$s, read_some($s, $want, $timeout)];
}

function read_some($s, int $want, float $timeout): string
{
    $out = '';
    $deadline = microtime(true) + $timeout;
    while (strlen($out) < $want && ($left = $deadline - microtime(true)) > 0) {
        $r = [$s];
        $w = $e = null;
        if (!@stream_select($r, $w, $e, 0, (int) min(200000, $left * 1e6))) {
            continue;
        }
        $d = fread($s, 8192);
        if ($d === '' || $d === false) {
            break;
        }
        $out .= $d;
    }
    return $out;
}

$head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    . "Sec-WebSocket-Accept: IFpdKwYy9wdo4gTldFLHFh3xQE0=\r\nSec-WebSocket-Version: 13\r\n"
    . "Server: swoole-http-server\r\n\r\n";
$expected = $head . "\x81\x0chello world\n";

try {
    $srv = ws_start_server(__DIR__ . '/../../examples/pack_raw_tcp.php', 9501);
} catch (RuntimeException $e) {
    echo "server did not start: ", $e->getMessage(), "\n";
    exit;
}
try {
    // A WebSocket upgrade request: the answer is the example's fixed text, not a computed handshake.
    $key = base64_encode(random_bytes(16));
    [$s, $got] = exchange("GET / HTTP/1.1\r\nHost: 127.0.0.1:9501\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n", strlen($expected));
    echo "upgrade request: ", $got === $expected ? 'exact answer' : 'got ' . json_encode($got), "\n";
    [$h, $frame] = explode("\r\n\r\n", $got, 2) + [1 => ''];
    echo "frame: ", bin2hex($frame), "\n";
    $u = Swoole\WebSocket\Server::unpack($frame);
    echo $u ? "unpacked: opcode={$u->opcode} finish=" . var_export($u->finish, true) . ' data=' . json_encode($u->data) : 'unpack failed', "\n";
    // More bytes on the same connection: each receive answers again; the connection stays open.
    fwrite($s, "more");
    $got = read_some($s, strlen($expected), 2.0);
    echo "second receive: ", $got === $expected ? 'exact answer' : 'got ' . json_encode($got), "\n";
    fclose($s);

    // Any bytes at all, on another connection.
    [$s, $got] = exchange("\x00\x01 not http", strlen($expected));
    echo "arbitrary bytes: ", $got === $expected ? 'exact answer' : 'got ' . json_encode($got), "\n";
    // Nothing more arrives without more input.
    echo "extra: ", json_encode(read_some($s, 1, 0.3)), "\n";
    fclose($s);
} finally {
    $out = ws_stop_server($srv);
}
// 'log_file' => '/dev/null' and empty callbacks: the server prints nothing.
echo "-- server output\n", $out, "-- end\n";
?>
--EXPECT--
upgrade request: exact answer
frame: 810c68656c6c6f20776f726c640a
unpacked: opcode=1 finish=true data="hello world\n"
second receive: exact answer
arbitrary bytes: exact answer
extra: ""
-- server output
-- end
