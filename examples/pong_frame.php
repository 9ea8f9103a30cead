<?php
$server = new Swoole\WebSocket\Server("0.0.0.0", 9501);
$server->set(array("open_websocket_pong_frame" => true));
$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->opcode == 0xa) {
        echo "Frame Pong reçu : Code {$frame->opcode}\n";
    } else {
        echo "Message reçu : {$frame->data}\n";
    }
});

$server->on('close', function ($server, $fd) {
});

$server->start();
