--TEST--
Example: examples/is_websocket_client.php (a fragment without start()) runs unchanged once started: getClientInfo() of a WebSocket client has websocket_status
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
// The fragment builds $server (0.0.0.0:9501) and its message handler; the wrapper only starts it.
$script = ws_server_script("<?php\ninclude " . var_export(realpath(__DIR__ . '/../../examples/is_websocket_client.php'), true)
    . ";\n\$server->start();\n");
$srv = ws_start_server($script, 9501);
try {
    $c = WsTestClient::connect(9501);
    $c->send('hello');
    var_dump(ws_server_wait_output($srv, "是websocket 连接"));
    // The handler only prints: nothing is sent back.
    echo ws_frame_line($c->recv(0.3)), "\n";
    $c->send("\x01\x02", WEBSOCKET_OPCODE_BINARY);
    var_dump(ws_server_wait_output($srv, "是websocket 连接是websocket 连接"));
    $d = WsTestClient::connect(9501);
    $d->send('second client');
    var_dump(ws_server_wait_output($srv, "是websocket 连接是websocket 连接是websocket 连接"));
    foreach ([$c, $d] as $k) {
        $k->sendClose(1000);
        echo ws_frame_line($k->recv()), "\n";
        var_dump($k->waitEof());
        $k->close();
    }
} finally {
    $out = ws_stop_server($srv);
}
echo "-- server output\n", $out, "\n-- end\n";
?>
--EXPECT--
bool(true)
no frame
bool(true)
bool(true)
close code=1000 reason=
bool(true)
close code=1000 reason=
bool(true)
-- server output
是websocket 连接是websocket 连接是websocket 连接
-- end
