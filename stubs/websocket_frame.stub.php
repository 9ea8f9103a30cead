<?php

/** @generate-class-entries */

namespace Swoole\WebSocket {

    /**
     * One WebSocket frame; pack()/unpack() convert between frames and wire bytes
     * (docs/CODEC.md states the rules).
     *
     * The properties are untyped, as in Swoole; "@var" only documents them. Defaults are
     * literals because gen_stub cannot evaluate the constants, which src/php/constants.cc
     * registers: opcode 1 is WEBSOCKET_OPCODE_TEXT, flags 1 is SWOOLE_WEBSOCKET_FLAG_FIN.
     */
    class Frame implements \Stringable
    {
        /** @var int */
        public $fd = 0;
        /** @var string */
        public $data = '';
        /** @var int */
        public $opcode = 1;
        /** @var int */
        public $flags = 1;
        /** @var bool|null */
        public $finish = true;

        public static function pack(Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int $flags = SWOOLE_WEBSOCKET_FLAG_FIN): string|false {}

        public static function unpack(string $data): Frame|false {}

        public function __toString(): string {}
    }

    /** opcode 8 is WEBSOCKET_OPCODE_CLOSE, code 1000 is WEBSOCKET_CLOSE_NORMAL. */
    class CloseFrame extends Frame
    {
        /** @var int */
        public $opcode = 8;
        /** @var int|null */
        public $code = 1000;
        /** @var string */
        public $reason = '';
    }
}
