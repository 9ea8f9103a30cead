<?php
// Broadcast server for bench/run.sh: every message is pushed, with its opcode, to every
// established WebSocket connection (the sender included).
// Runs unchanged on wsserver and on Swoole (SWOOLE_BASE, one worker, 127.0.0.1 only).
//   php -d extension=modules/wsserver.so bench/broadcast_server.php PORT [READY_FILE]
// READY_FILE, when given, is created once the worker runs (run.sh waits for it).

use Swoole\WebSocket\Server;

if (!class_exists(Server::class)) {
    fwrite(STDERR, "broadcast_server.php: Swoole\\WebSocket\\Server is missing; load wsserver.so or swoole.so\n");
    exit(2);
}
$port = (int)($argv[1] ?? 0);
if ($port <= 0 || $port > 65535) {
    fwrite(STDERR, "usage: php broadcast_server.php PORT [READY_FILE]\n");
    exit(2);
}
$ready = $argv[2] ?? '';

$server = new Server('127.0.0.1', $port);
$server->set([
    'worker_num' => 1,
    'log_level' => SWOOLE_LOG_WARNING,
]);
$server->on('workerStart', function () use ($ready) {
    if ($ready !== '') {
        file_put_contents($ready, (string)getmypid());
    }
});
$server->on('message', function (Server $server, $frame) {
    foreach ($server->connections as $fd) {
        if ($server->isEstablished($fd)) {
            $server->push($fd, $frame->data, $frame->opcode);
        }
    }
});
$server->start();
