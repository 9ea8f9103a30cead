<?php

/** @generate-class-entries */

namespace Swoole\Server {

    /**
     * One listening port of a server: $server->ports[0] is the main one, listen() and
     * addListener() add more. The properties are untyped, as in Swoole.
     */
    class Port
    {
        /** @var string|null */
        public $host = null;
        /** @var int */
        public $port = 0;
        /** @var int */
        public $type = 0;
        /** @var int */
        public $sock = -1;
        /** @var bool */
        public $ssl = false;
        /** @var array|null */
        public $setting = null;
        /** @var object|null */
        public $connections = null;

        private function __construct() {}

        public function __destruct() {}

        public function set(array $settings): void {}

        public function on(string $event_name, callable $callback): bool {}

        public function getCallback(string $event_name): \Closure|array|string|null {}
    }
}
