<?php

/** @generate-class-entries */

namespace Swoole {

    /** Thrown by the Server constructor (bind errors, unsupported modes). */
    class Exception extends \Exception
    {
    }

    /**
     * The properties are untyped, as in Swoole; "@var" only documents them.
     */
    class Server
    {
        /** @var array|null */
        public $setting = null;
        /** @var object|null */
        public $connections = null;
        /** @var string */
        public $host = '';
        /** @var int */
        public $port = 0;
        /** @var int */
        public $type = 0;
        /** @var bool */
        public $ssl = false;
        /** @var int */
        public $mode = 0;
        /** @var array|null */
        public $ports = null;
        /** @var int */
        public $master_pid = 0;
        /** @var int */
        public $manager_pid = 0;
        /** @var int */
        public $worker_id = -1;
        /** @var bool */
        public $taskworker = false;
        /** @var int */
        public $worker_pid = 0;
        /** @var int|null */
        public $stats_timer = null;
        /** @var object|null */
        public $admin_server = null;

        public function __construct(string $host = '0.0.0.0', int $port = 0, int $mode = SWOOLE_BASE, int $sock_type = SWOOLE_SOCK_TCP) {}

        public function on(string $event_name, callable $callback): bool {}

        public function getCallback(string $event_name): \Closure|array|string|null {}

        public function set(array $settings): bool {}

        public function listen(string $host, int $port, int $sock_type): \Swoole\Server\Port|false {}

        /** @implementation-alias Swoole\Server::listen */
        public function addlistener(string $host, int $port, int $sock_type): \Swoole\Server\Port|false {}

        public function start(): bool {}

        public function send(string|int $fd, string $send_data, int $serverSocket = -1): bool {}

        public function exists(int $fd): bool {}

        public function exist(int $fd): bool {}

        public function close(int $fd, bool $reset = false): bool {}

        public function shutdown(): bool {}

        public function reload(bool $only_reload_taskworker = false): bool {}

        public function sendMessage(mixed $message, int $dst_worker_id): bool {}

        public function task(mixed $data, int $taskWorkerIndex = -1, ?callable $finishCallback = null): int|false {}

        public function taskwait(mixed $data, float $timeout = 0.5, int $taskWorkerIndex = -1): mixed {}

        public function taskWaitMulti(array $tasks, float $timeout = 0.5): array|false {}

        public function taskCo(array $tasks, float $timeout = 0.5): array|false {}

        public function finish(mixed $data): bool {}

        public function stop(int $workerId = -1): bool {}

        public function getLastError(): int {}

        public function getClientInfo(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false {}

        public function getClientList(int $start_fd = 0, int $find_count = 10): array|false {}

        public function getWorkerId(): int|false {}

        public function getWorkerPid(int $worker_id = -1): int|false {}

        public function getWorkerStatus(int $worker_id = -1): int|false {}

        public function getManagerPid(): int {}

        public function stats(): array|false {}

        public function heartbeat(bool $ifCloseConnection = true): array|false {}

        public function getMasterPid(): int {}

        public function connection_info(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false {}

        public function connection_list(int $start_fd = 0, int $find_count = 10): array|false {}

        public function tick(int $ms, callable $callback, mixed ...$params): int|false {}

        public function after(int $ms, callable $callback, mixed ...$params): int|false {}

        public function clearTimer(int $timer_id): bool {}

        public function defer(callable $callback): bool {}
    }
}

namespace Swoole\Connection {

    /** The Server's "connections" property: the session ids of the open connections. */
    final class Iterator implements \Iterator, \Countable
    {
        public function rewind(): void {}

        public function next(): void {}

        public function current(): mixed {}

        public function key(): mixed {}

        public function valid(): bool {}

        public function count(): int {}
    }
}
