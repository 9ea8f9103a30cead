--TEST--
Example: examples/ping_frame.php (open_websocket_ping_frame) runs unchanged: pings reach onMessage, the example answers with its own Pong frame and the engine adds none
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
$srv = ws_start_server(__DIR__ . '/../../examples/ping_frame.php', 9501);
try {
    $c = WsTestClient::connect(9501);
    $c->send('salut');
    var_dump(ws_server_wait_output($srv, "Message reçu : salut\n"));
    echo ws_frame_line($c->recv(0.3)), "\n";

    // A ping with application data: onMessage gets it, pushes `new Frame` with opcode PONG
    // (empty data). The engine must not answer on its own as well: exactly one pong.
    $c->send('abc', WEBSOCKET_OPCODE_PING);
    echo ws_frame_line($c->recv()), "\n";
    echo ws_frame_line($c->recv(0.3)), "\n";
    var_dump(ws_server_wait_output($srv, "Frame Ping reçu : Code 9\n"));

    // An empty ping: same answer.
    $c->send('', WEBSOCKET_OPCODE_PING);
    echo ws_frame_line($c->recv()), "\n";
    echo ws_frame_line($c->recv(0.3)), "\n";

    // A ping between the fragments of a message (RFC 6455 5.4): answered at once, and the
    // message is still delivered whole.
    $c->send('frag', WEBSOCKET_OPCODE_TEXT, false);
    $c->send('mid', WEBSOCKET_OPCODE_PING);
    echo ws_frame_line($c->recv()), "\n";
    $c->send('ment', 0, true);
    var_dump(ws_server_wait_output($srv, "Message reçu : fragment\n"));

    $c->sendClose(1000);
    echo ws_frame_line($c->recv()), "\n";
    var_dump($c->waitEof());
    $c->close();
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out;
?>
--EXPECT--
bool(true)
no frame
opcode=10 fin=1 payload=
no frame
bool(true)
opcode=10 fin=1 payload=
no frame
opcode=10 fin=1 payload=
bool(true)
close code=1000 reason=
bool(true)
-- server output
Message reçu : salut
Frame Ping reçu : Code 9
Frame Ping reçu : Code 9
Frame Ping reçu : Code 9
Message reçu : fragment
