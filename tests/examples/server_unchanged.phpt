--TEST--
Server: examples/server.php (the spec's first example) runs unchanged on 0.0.0.0:9501
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
$srv = ws_start_server(__DIR__ . '/../../examples/server.php', 9501);
// ws_start_server() probed the port with one plain TCP connection (fd 1).
$c = WsTestClient::connect(9501);
$c->send('hello');
echo ws_frame_line($c->recv()), "\n";
$c->sendClose(1000);
echo ws_frame_line($c->recv()), "\n";
var_dump($c->waitEof());
$c->close();
ws_server_wait_output($srv, 'client 2 closed');
echo ws_stop_server($srv);
?>
--EXPECT--
opcode=1 fin=1 payload=this is server
close code=1000 reason=
bool(true)
client 1 closed
server: handshake success with fd2
receive from 2:hello,opcode:1,fin:1
client 2 closed
