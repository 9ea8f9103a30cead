--TEST--
Server: sendMessage()/onPipeMessage between workers (strings as they are, other values serialized); errors
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 3]);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('workerStart', function (Server $s, int $id) {
    if ($id !== 0) return;
    // Worker 0 writes to the others once they run (they may start after it).
    $s->after(300, function () use ($s) {
        var_dump($s->sendMessage('plain text', 1));
        var_dump($s->sendMessage(['k' => [1, 2.5, null], 'o' => new ArrayObject([3])], 2));
        var_dump($s->sendMessage(str_repeat('x', 300000), 1));
        var_dump($s->sendMessage('self', 0), $s->sendMessage('nobody', 9));
    });
});
$server->on('pipeMessage', function (Server $s, int $src, $msg) {
    $w = $s->getWorkerId();
    if (is_string($msg) && strlen($msg) > 100) {
        echo "w$w from $src: " . strlen($msg) . " bytes\n";
    } elseif (is_array($msg)) {
        echo "w$w from $src: " . json_encode(['k' => $msg['k'], 'o' => get_class($msg['o']) . '(' . count($msg['o']) . ')']) . "\n";
    } else {
        echo "w$w from $src: " . var_export($msg, true) . "\n";
    }
});
$server->on('message', function () {});
$server->start();
PHP);
$srv = ws_start_server($script);
ws_server_wait_output($srv, 'bytes', 5.0);
ws_server_wait_output($srv, 'ArrayObject', 2.0);
$out = ws_stop_server($srv);
$lines = array_values(array_filter(explode("\n", $out), fn ($l) => $l !== ''));
// Worker 0's lines come in order; the receivers' interleave with them.
$mine = array_values(array_filter($lines, fn ($l) => !str_starts_with($l, 'w')));
$theirs = array_values(array_filter($lines, fn ($l) => str_starts_with($l, 'w')));
sort($theirs);
echo implode("\n", $mine), "\n--\n", implode("\n", $theirs), "\n";
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
WARNING: Swoole\Server::sendMessage(): can't send messages to self
WARNING: Swoole\Server::sendMessage(): worker_id[9] is invalid
bool(false)
bool(false)
--
w1 from 0: 'plain text'
w1 from 0: 300000 bytes
w2 from 0: {"k":[1,2.5,null],"o":"ArrayObject(1)"}
