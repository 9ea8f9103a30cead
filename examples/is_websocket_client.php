<?php
$server = new Swoole\WebSocket\Server("0.0.0.0", 9501);
$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    $client = $server->getClientInfo($frame->fd);
    // 或者 $client = $server->connection_info($frame->fd);
    if (isset($client['websocket_status'])) {
        echo "是websocket 连接";
    } else {
        echo "不是websocket 连接";
    }
});
