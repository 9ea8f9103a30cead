<?php
// Echo server for bench/run.sh: every message is pushed back to its sender with its opcode.
//   php -d extension=modules/wsserver.so bench/echo_server.php PORT [READY_FILE]

require __DIR__ . '/server.inc';

bench_server('echo_server.php', function (Swoole\WebSocket\Server $server, $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});
