--TEST--
Server limits: buffer_output_size given before socket_buffer_size does not change the per-connection output cap
--DESCRIPTION--
In Swoole, buffer_output_size (output_buffer_size) is the largest single send, and
socket_buffer_size the cap of one connection's output buffer: listing buffer_output_size
as well (here first, and larger) must leave the cap at socket_buffer_size.
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set([
    'buffer_output_size' => 1024 * 1024,
    'socket_buffer_size' => 256 * 1024,
]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('message', function (Server $s, $f) {
    $payload = str_repeat('y', 16 * 1024);
    $max = 0;
    $ok = true;
    for ($i = 0; $i < 4000 && $ok; $i++) {
        $ok = $s->push($f->fd, $payload);
        $max = max($max, $s->getClientInfo($f->fd)['send_queued_bytes']);
    }
    echo "failed=" . var_export(!$ok, true) . " queued_max_le_256k=" . var_export($max <= 256 * 1024, true) . "\n";
    echo "PUSHED " . ($i - 1) . "\n";
});
$server->start();
PHP);
$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port']);
$c->send('flood');
ws_server_wait_output($srv, "PUSHED", 10.0);
ws_server_wait_output($srv, "\n", 0.5);
preg_match('~PUSHED (\d+)\n~', $srv['out'], $m);
$pushed = (int) ($m[1] ?? -1);
$srv['out'] = preg_replace('~PUSHED \d+\n~', '', $srv['out']);
$got = 0;
while ($got < $pushed && $c->recv(5.0) !== null) {
    $got++;
}
echo "got all: ", var_export($got === $pushed, true), "\n";
$c->close();
echo ws_stop_server($srv);
?>
--EXPECT--
got all: true
WARNING: Swoole\WebSocket\Server::push(): output buffer overflow
failed=true queued_max_le_256k=true
