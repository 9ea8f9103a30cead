--TEST--
Example: examples/pong_frame.php (open_websocket_pong_frame) runs unchanged: pongs reach onMessage and get no answer; pings are still answered by the engine
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
$srv = ws_start_server(__DIR__ . '/../../examples/pong_frame.php', 9501);
try {
    $c = WsTestClient::connect(9501);
    // Unsolicited pongs (RFC 6455 5.5.3: a heartbeat) reach onMessage; nothing is sent back.
    $c->send('p1', WEBSOCKET_OPCODE_PONG);
    var_dump(ws_server_wait_output($srv, "Frame Pong reçu : Code 10\n"));
    echo ws_frame_line($c->recv(0.3)), "\n";
    $c->send('', WEBSOCKET_OPCODE_PONG);
    echo ws_frame_line($c->recv(0.3)), "\n";

    // open_websocket_ping_frame is off here: a ping is answered by the engine with a pong
    // carrying the same application data, and does not reach onMessage.
    $c->send('hb-42', WEBSOCKET_OPCODE_PING);
    echo ws_frame_line($c->recv()), "\n";
    echo ws_frame_line($c->recv(0.3)), "\n";

    $c->send('fin');
    var_dump(ws_server_wait_output($srv, "Message reçu : fin\n"));
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
no frame
opcode=10 fin=1 payload=hb-42
no frame
bool(true)
close code=1000 reason=
bool(true)
-- server output
Frame Pong reçu : Code 10
Frame Pong reçu : Code 10
Message reçu : fin
