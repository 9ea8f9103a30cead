<?php
/*
 * Echo server for the conformance suite (tests/conformance/wsconform.py).
 *
 *     php -d extension=/path/to/wsserver.so echo_server.php [PORT [WORKER_NUM [CERT_FILE KEY_FILE [MODE]]]]
 *
 * PORT 0 (the default) binds an ephemeral port; the first line printed is "PORT <n>".
 * MODE is "base" (the default) or "process" (SWOOLE_PROCESS); CERT_FILE and KEY_FILE may
 * be empty strings.
 * With CERT_FILE and KEY_FILE (PEM) the port speaks TLS (SWOOLE_SSL, wss://) with that
 * certificate; run the client with --tls then.
 * Every data message is pushed back unchanged with its opcode and
 * SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS: a connection that negotiated
 * permessage-deflate gets compressed replies, any other one plain replies.
 * Only 127.0.0.1.
 */

use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;

$port = (int) ($argv[1] ?? 0);
$workers = max(1, (int) ($argv[2] ?? 1));
$cert = $argv[3] ?? '';
$key = $argv[4] ?? '';
$mode = ($argv[5] ?? 'base') === 'process' ? SWOOLE_PROCESS : SWOOLE_BASE;

$settings = [
    'worker_num' => $workers,
    'websocket_compression' => true,
    'package_max_length' => 64 * 1024 * 1024,
];
if ($cert !== '' && $key !== '') {
    $server = new Server('127.0.0.1', $port, $mode, SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $settings += ['ssl_cert_file' => $cert, 'ssl_key_file' => $key];
} else {
    $server = new Server('127.0.0.1', $port, $mode);
}
$server->set($settings);
echo "PORT {$server->port}\n";

set_error_handler(function (int $no, string $msg) {
    echo "WARNING: $msg\n";
    return true;
});

$server->on('message', function (Server $s, Frame $frame) {
    if (!$s->push($frame->fd, $frame->data, $frame->opcode, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS)) {
        echo "push failed fd={$frame->fd} opcode={$frame->opcode} len=" . strlen($frame->data) . "\n";
    }
});

$server->start();
