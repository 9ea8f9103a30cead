<?php
// Broadcast server for bench/run.sh: every message is pushed, with its opcode, to every
// established WebSocket connection (the sender included).
//   php -d extension=modules/wsserver.so bench/broadcast_server.php PORT [READY_FILE]

require __DIR__ . '/server.inc';

bench_server('broadcast_server.php', function (Swoole\WebSocket\Server $server, $frame) {
    foreach ($server->connections as $fd) {
        if ($server->isEstablished($fd)) {
            $server->push($fd, $frame->data, $frame->opcode);
        }
    }
});
