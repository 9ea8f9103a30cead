--TEST--
Server limits: socket_buffer_size cap, buffer_high/low_watermark, bufferFull/bufferEmpty, a slow reader does not block others
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
    'socket_buffer_size' => 256 * 1024,
    'buffer_high_watermark' => 128 * 1024,
    'buffer_low_watermark' => 32 * 1024,
]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('bufferFull', function (Server $s, int $fd) {
    $q = $s->getClientInfo($fd)['send_queued_bytes'];
    echo "bufferFull fd=$fd queued_ge_high=" . var_export($q >= 128 * 1024, true) . "\n";
});
$server->on('bufferEmpty', function (Server $s, int $fd) {
    $q = $s->getClientInfo($fd)['send_queued_bytes'];
    echo "bufferEmpty fd=$fd queued_le_low=" . var_export($q <= 32 * 1024, true) . "\n";
});
$server->on('message', function (Server $s, $f) {
    if ($f->data === 'flood') {
        $payload = str_repeat('x', 16 * 1024);
        $queued = [];
        $ok = true;
        for ($i = 0; $i < 4000 && $ok; $i++) {
            $ok = $s->push($f->fd, $payload);
            $queued[] = $s->getClientInfo($f->fd)['send_queued_bytes'];
        }
        $pushed = $i - 1;
        $grows = true;
        for ($j = 1; $j < count($queued); $j++) {
            if ($queued[$j] < $queued[$j - 1]) $grows = false;
        }
        $max = max($queued);
        echo "flood failed=" . var_export(!$ok, true) . " last_error=" . $s->getLastError()
            . " queued_grew=" . var_export($grows && $max > 0, true)
            . " queued_max_le_cap=" . var_export($max <= 256 * 1024, true)
            . " queued_max_ge_high=" . var_export($max >= 128 * 1024, true) . "\n";
        echo "PUSHED $pushed\n";
        // Still full: a second push fails the same way.
        var_dump($s->push($f->fd, $payload));
        return;
    }
    $s->push($f->fd, "echo {$f->data}");
});
$server->on('close', function (Server $s, int $fd) { echo "close $fd\n"; });
$server->start();
PHP);
$srv = ws_start_server($script);
$slow = WsTestClient::connect($srv['port']);
$other = WsTestClient::connect($srv['port']);
$slow->send('flood');
ws_server_wait_output($srv, "bool(false)\n", 10.0);
preg_match('~PUSHED (\d+)\n~', $srv['out'], $m);
$pushed = (int) ($m[1] ?? -1);
$srv['out'] = preg_replace('~PUSHED \d+\n~', '', $srv['out']);
echo "pushed before the cap: ", var_export($pushed > 16, true), "\n";

// The other connection is served while the slow one is stuck.
$other->send('hello');
echo "other -> ", ws_frame_line($other->recv(3.0)), "\n";

// The slow client reads everything: every accepted push arrives, whole and in order.
$got = 0;
$bad = 0;
while ($got < $pushed && ($f = $slow->recv(5.0)) !== null) {
    if ($f['opcode'] !== 1 || $f['payload'] !== str_repeat('x', 16 * 1024)) $bad++;
    $got++;
}
echo "slow got all: ", var_export($got === $pushed && $bad === 0, true), "\n";
ws_server_wait_output($srv, 'bufferEmpty', 3.0);
// Drained: pushes work again.
$slow->send('again');
echo "slow -> ", ws_frame_line($slow->recv(3.0)), "\n";
$slow->sendClose(1000);
echo "slow close -> ", ws_frame_line($slow->recv(3.0)), "\n";
$slow->close();
$other->sendClose(1000);
echo "other close -> ", ws_frame_line($other->recv(3.0)), "\n";
$other->close();
ws_server_wait_output($srv, "close 2\n", 3.0);
echo ws_stop_server($srv);
?>
--EXPECT--
pushed before the cap: true
other -> opcode=1 fin=1 payload=echo hello
slow got all: true
slow -> opcode=1 fin=1 payload=echo again
slow close -> close code=1000 reason=
other close -> close code=1000 reason=
bufferFull fd=1 queued_ge_high=true
WARNING: Swoole\WebSocket\Server::push(): output buffer overflow
flood failed=true last_error=1009 queued_grew=true queued_max_le_cap=true queued_max_ge_high=true
WARNING: Swoole\WebSocket\Server::push(): output buffer overflow
bool(false)
bufferEmpty fd=1 queued_le_low=true
close 1
close 2
