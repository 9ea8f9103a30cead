--TEST--
Example: examples/request_broadcast_oop.php (onRequest, object-oriented, $this->server style) runs unchanged on 0.0.0.0:9501: GET /?message=hi broadcasts "hi" to every WebSocket client, not to the other connections
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

/** One HTTP/1.1 request on its own connection; returns everything until EOF (bounded). */
function http_get(string $target): string
{
    $s = stream_socket_client('tcp://127.0.0.1:9501', $en, $es, 2.0);
    stream_set_timeout($s, 2);
    fwrite($s, "GET $target HTTP/1.1\r\nHost: 127.0.0.1:9501\r\nConnection: close\r\n\r\n");
    $out = '';
    $deadline = microtime(true) + 3.0;
    while (!feof($s) && microtime(true) < $deadline && strlen($out) < 65536) {
        $d = fread($s, 8192);
        if ($d === false) {
            break;
        }
        $out .= $d;
    }
    $out .= feof($s) ? '[eof]' : '[no eof]';
    fclose($s);
    return $out;
}

/** True if $sock received anything within $wait seconds. */
function got_data($sock, float $wait): bool
{
    $r = [$sock];
    $w = $e = null;
    return (bool) @stream_select($r, $w, $e, 0, (int) ($wait * 1e6));
}

// ws_start_server() probed the port with one plain TCP connection (fd 1).
$srv = ws_start_server(__DIR__ . '/../../examples/request_broadcast_oop.php', 9501);
try {
    $a = WsTestClient::connect(9501);
    var_dump(ws_server_wait_output($srv, "handshake success with fd2\n"));
    $b = WsTestClient::connect(9501);
    var_dump(ws_server_wait_output($srv, "handshake success with fd3\n"));
    // A TCP connection that never upgrades (fd 4): in $server->connections, but not established.
    $idle = stream_socket_client('tcp://127.0.0.1:9501', $en, $es, 2.0);

    $a->send('hello');
    echo ws_frame_line($a->recv()), "\n";
    var_dump(ws_server_wait_output($srv, "receive from 2:hello,opcode:1,fin:1\n"));

    // The HTTP request (fd 5) on the WebSocket port reaches onRequest, which pushes
    // $request->get['message'] to every established connection and never ends the response.
    $resp = http_get('/?message=hi');
    [$head, $body] = explode("\r\n\r\n", $resp, 2) + [1 => '(no head end)'];
    $lines = explode("\r\n", $head);
    echo "status: $lines[0]\n";
    foreach (array_slice($lines, 1) as $l) {
        if (stripos($l, 'content-length:') === 0) {
            echo "$l\n";
        }
    }
    echo "body: $body\n";
    echo 'a: ', ws_frame_line($a->recv()), "\n";
    echo 'b: ', ws_frame_line($b->recv()), "\n";
    echo 'a again: ', ws_frame_line($a->recv(0.3)), "\n";
    echo 'idle got data: ', var_export(got_data($idle, 0.3), true), "\n";
    var_dump(ws_server_wait_output($srv, "client 5 closed\n"));

    // A message with spaces and UTF-8, URL-encoded.
    $resp = http_get('/?message=' . rawurlencode('salut à tous'));
    echo 'a: ', ws_frame_line($a->recv()), "\n";
    echo 'b: ', ws_frame_line($b->recv()), "\n";
    var_dump(ws_server_wait_output($srv, "client 6 closed\n"));

    $a->sendClose(1000);
    echo ws_frame_line($a->recv()), "\n";
    var_dump($a->waitEof());
    $a->close();
    var_dump(ws_server_wait_output($srv, "client 2 closed\n"));
    $b->sendClose(1000);
    echo ws_frame_line($b->recv()), "\n";
    var_dump($b->waitEof());
    $b->close();
    var_dump(ws_server_wait_output($srv, "client 3 closed\n"));
    fclose($idle);
    var_dump(ws_server_wait_output($srv, "client 4 closed\n"));
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out;
?>
--EXPECT--
bool(true)
bool(true)
opcode=1 fin=1 payload=this is server
bool(true)
status: HTTP/1.1 500 Internal Server Error
Content-Length: 0
body: [eof]
a: opcode=1 fin=1 payload=hi
b: opcode=1 fin=1 payload=hi
a again: no frame
idle got data: false
bool(true)
a: opcode=1 fin=1 payload=salut à tous
b: opcode=1 fin=1 payload=salut à tous
bool(true)
close code=1000 reason=
bool(true)
bool(true)
close code=1000 reason=
bool(true)
bool(true)
bool(true)
-- server output
client 1 closed
server: handshake success with fd2
server: handshake success with fd3
receive from 2:hello,opcode:1,fin:1
client 5 closed
client 6 closed
client 2 closed
client 3 closed
client 4 closed
