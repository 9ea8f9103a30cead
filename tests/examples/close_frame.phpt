--TEST--
Example: examples/close_frame.php (open_websocket_close_frame) runs unchanged: close frames reach onMessage as CloseFrame, the server echoes them and closes
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
$srv = ws_start_server(__DIR__ . '/../../examples/close_frame.php', 9501);
try {
    echo "-- text, then close 4000 'bye'\n";
    $c = WsTestClient::connect(9501);
    $c->send('bonjour');
    var_dump(ws_server_wait_output($srv, "Message reçu : bonjour\n"));
    // onMessage pushes nothing for a text frame.
    echo ws_frame_line($c->recv(0.3)), "\n";
    $c->sendClose(4000, 'bye');
    // The close frame is answered with a close frame carrying the same code (RFC 6455 5.5.1;
    // wsserver echoes the code only, Swoole echoes the whole payload), then TCP is closed.
    echo ws_frame_line($c->recv()), "\n";
    var_dump($c->waitEof());
    $c->close();
    var_dump(ws_server_wait_output($srv, "Code 4000 Reason bye\n"));

    echo "-- close without a payload\n";
    $c = WsTestClient::connect(9501);
    $c->sendClose(null);
    $f = $c->recv();
    echo ws_frame_line($f), ' payload length=', $f === null ? '-' : strlen($f['payload']), "\n";
    var_dump($c->waitEof());
    $c->close();
    // No status code on the wire: the CloseFrame carries 1005 ("no status received", RFC 6455
    // 7.1.5) and an empty reason (Swoole leaves its property default, 1000, in this case).
    var_dump(ws_server_wait_output($srv, "Code 1005 Reason \n"));

    echo "-- close 1001 with a UTF-8 reason\n";
    $c = WsTestClient::connect(9501);
    $c->sendClose(1001, 'départ');
    echo ws_frame_line($c->recv()), "\n";
    var_dump($c->waitEof());
    $c->close();
    var_dump(ws_server_wait_output($srv, "Code 1001 Reason départ\n"));
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out;
?>
--EXPECT--
-- text, then close 4000 'bye'
bool(true)
no frame
close code=4000 reason=
bool(true)
bool(true)
-- close without a payload
close code=none reason= payload length=0
bool(true)
bool(true)
-- close 1001 with a UTF-8 reason
close code=1001 reason=
bool(true)
bool(true)
-- server output
Message reçu : bonjour
Frame de fermeture reçu : Code 4000 Reason bye
Frame de fermeture reçu : Code 1005 Reason 
Frame de fermeture reçu : Code 1001 Reason départ
