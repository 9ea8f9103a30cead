<?php

/** @generate-class-entries */

namespace Swoole\WebSocket {

    class Server extends \Swoole\Http\Server
    {
        public function push(int $fd, Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int $flags = SWOOLE_WEBSOCKET_FLAG_FIN): bool {}

        public function disconnect(int $fd, int $code = SWOOLE_WEBSOCKET_CLOSE_NORMAL, string $reason = ""): bool {}

        public function ping(int $fd, string $data = ""): bool {}

        public function isEstablished(int $fd): bool {}

        /** Same as Frame::pack(). */
        public static function pack(Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int $flags = SWOOLE_WEBSOCKET_FLAG_FIN): string|false {}

        /** Same as Frame::unpack(). */
        public static function unpack(string $data): Frame|false {}
    }
}
