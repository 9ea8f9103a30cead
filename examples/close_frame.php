<?php
$server = new Swoole\WebSocket\Server("0.0.0.0", 9501);
$server->set(array("open_websocket_close_frame" => true));
$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->opcode == 0x08) {
        echo "Frame de fermeture reçu : Code {$frame->code} Reason {$frame->reason}\n";
    } else {
        echo "Message reçu : {$frame->data}\n";
    }
});

$server->on('close', function ($server, $fd) {
});

$server->start();
