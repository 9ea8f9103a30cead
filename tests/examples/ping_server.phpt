--TEST--
Example: examples/ping_server.php runs unchanged on 127.0.0.1:9501: every message is answered with a Ping frame pushed as a Frame object
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
$srv = ws_start_server(__DIR__ . '/../../examples/ping_server.php', 9501);
try {
    $c = WsTestClient::connect(9501);
    $c->send('x');
    echo ws_frame_line($c->recv()), "\n";
    // The client answers the ping as RFC 6455 asks; a pong gets no answer (the example's
    // onMessage does not see it: open_websocket_pong_frame is off).
    $c->send('', WEBSOCKET_OPCODE_PONG);
    echo ws_frame_line($c->recv(0.3)), "\n";
    // Binary messages too, and a second client gets its own ping.
    $c->send("\x00\x01", WEBSOCKET_OPCODE_BINARY);
    echo ws_frame_line($c->recv()), "\n";
    $d = WsTestClient::connect(9501);
    $d->send('y');
    echo ws_frame_line($d->recv()), "\n";
    echo ws_frame_line($c->recv(0.3)), "\n";
    foreach ([$c, $d] as $k) {
        $k->sendClose(1000);
        echo ws_frame_line($k->recv()), "\n";
        var_dump($k->waitEof());
        $k->close();
    }
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out, "-- end\n";
?>
--EXPECT--
opcode=9 fin=1 payload=
no frame
opcode=9 fin=1 payload=
opcode=9 fin=1 payload=
no frame
close code=1000 reason=
bool(true)
close code=1000 reason=
bool(true)
-- server output
-- end
