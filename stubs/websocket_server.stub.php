<?php

/** @generate-class-entries */

namespace Swoole\WebSocket {

    class Server extends \Swoole\Http\Server
    {
        /** Same as Frame::pack(). */
        public static function pack(Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int $flags = SWOOLE_WEBSOCKET_FLAG_FIN): string|false {}

        /** Same as Frame::unpack(). */
        public static function unpack(string $data): Frame|false {}
    }
}
