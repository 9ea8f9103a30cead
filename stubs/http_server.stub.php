<?php

/** @generate-class-entries */

namespace Swoole\Http {

    class Server extends \Swoole\Server
    {
    }

    class Request
    {
        /** @var int */
        public $fd = 0;
        /** @var int */
        public $streamId = 0;
        /** @var array|null */
        public $header = null;
        /** @var array|null */
        public $server = null;
        /** @var array|null */
        public $cookie = null;
        /** @var array|null */
        public $get = null;
        /** @var array|null */
        public $files = null;
        /** @var array|null */
        public $post = null;
        /** @var array|null */
        public $tmpfiles = null;

        public function getContent(): string|false {}

        public function rawContent(): string|false {}

        public function getData(): string|false {}

        public function getMethod(): string|false {}

        public function isCompleted(): bool {}
    }

    /** The answer to one onRequest call; created by the server only. */
    class Response
    {
        /** @var int */
        public $fd = 0;
        /** @var mixed */
        public $socket = null;
        /** @var array|null */
        public $header = null;
        /** @var array|null */
        public $cookie = null;
        /** @var array|null */
        public $trailer = null;

        public function status(int $http_code, string $reason = ''): bool {}

        public function setStatusCode(int $http_code, string $reason = ''): bool {}

        public function header(string $key, string|array $value, bool $format = true): bool {}

        public function setHeader(string $key, string|array $value, bool $format = true): bool {}

        public function write(string $content): bool {}

        public function end(?string $content = null): bool {}

        public function isWritable(): bool {}

        public function cookie(\Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool {}

        public function setCookie(\Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool {}

        public function rawcookie(\Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool {}

        public function setRawCookie(\Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool {}

        public function redirect(string $location, int $http_code = 302): bool {}

        public function close(): bool {}
    }
}
