<?php

/** @generate-class-entries */

namespace Swoole {

    /** Swoole\Coroutine (alias Co): the coroutine runtime's static API. */
    class Coroutine
    {
        public static function create(callable $func, mixed ...$param): int|false {}

        public static function defer(callable $callback): void {}

        public static function set(array $options): void {}

        public static function getOptions(): ?array {}

        public static function exists(int $cid): bool {}

        public static function yield(): bool {}

        public static function cancel(int $cid, bool $throw_exception = false): bool {}

        public static function join(array $cid_array, float $timeout = -1): bool {}

        public static function isCanceled(): bool {}

        /** @implementation-alias Swoole\Coroutine::yield */
        public static function suspend(): bool {}

        public static function resume(int $cid): bool {}

        public static function stats(): array {}

        public static function getCid(): int {}

        /** @implementation-alias Swoole\Coroutine::getCid */
        public static function getuid(): int {}

        public static function getPcid(int $cid = 0): false|int {}

        public static function getContext(int $cid = 0): ?\Swoole\Coroutine\Context {}

        public static function getBackTrace(int $cid = 0, int $options = DEBUG_BACKTRACE_PROVIDE_OBJECT, int $limit = 0): array|false {}

        public static function printBackTrace(int $cid = 0, int $options = 0, int $limit = 0): void {}

        public static function getElapsed(int $cid = 0): int {}

        public static function getStackUsage(int $cid = 0): int|false {}

        public static function list(): \Swoole\Coroutine\Iterator {}

        /** @implementation-alias Swoole\Coroutine::list */
        public static function listCoroutines(): \Swoole\Coroutine\Iterator {}

        /** @implementation-alias Swoole\Coroutine\System::sleep */
        public static function sleep(float $seconds): bool {}
    }

    /** One-shot and periodic timers on the process's event loop; callbacks run in coroutines. */
    class Timer
    {
        public static function tick(int $ms, callable $callback, mixed ...$params): int|false {}

        public static function after(int $ms, callable $callback, mixed ...$params): int|false {}

        public static function exists(int $timer_id): bool {}

        public static function info(int $timer_id): ?array {}

        public static function stats(): array {}

        public static function list(): \Swoole\Timer\Iterator {}

        public static function clear(int $timer_id): bool {}

        public static function clearAll(): bool {}
    }

    /** Callbacks on fds and around each loop round, on the process's reactor. */
    class Event
    {
        public static function add(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $events = SWOOLE_EVENT_READ): int|false {}

        public static function del(mixed $fd): bool {}

        public static function set(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $events = 0): bool {}

        public static function isset(mixed $fd, int $events = SWOOLE_EVENT_READ | SWOOLE_EVENT_WRITE): bool {}

        public static function write(mixed $fd, string $data): bool {}

        public static function cycle(?callable $callback, bool $before = false): bool {}

        public static function dispatch(): bool {}

        public static function defer(callable $callback): bool {}

        public static function wait(): void {}

        public static function exit(): void {}
    }
}

namespace Swoole\Coroutine {

    /** What a coroutine canceled by Coroutine::cancel($cid, true) gets thrown where it waits. */
    final class CanceledException extends \Exception
    {
    }

    /** Swoole's library Barrier: wait() returns once every other holder of it has dropped it. */
    class Barrier
    {
        public static function make(): Barrier {}

        /** @param-out null $barrier */
        public static function wait(Barrier &$barrier, float $timeout = -1): void {}
    }

    /** A bounded FIFO between coroutines. */
    class Channel
    {
        /** @var int */
        public $capacity = 0;
        /** @var int */
        public $errCode = 0;

        public function __construct(int $size = 1) {}

        public function push(mixed $data, float $timeout = -1): bool {}

        public function pop(float $timeout = -1): mixed {}

        public function isEmpty(): bool {}

        public function isFull(): bool {}

        public function close(): bool {}

        public function stats(): array {}

        public function length(): int {}
    }

    /** Waits for a group of coroutines: add() before starting each, done() when each ends. */
    class WaitGroup
    {
        public function __construct(int $delta = 0) {}

        public function add(int $delta = 1): void {}

        public function done(): void {}

        public function wait(float $timeout = -1.0): bool {}

        public function count(): int {}
    }

    /** The per-coroutine array that getContext() returns; destroyed when the coroutine ends. */
    class Context extends \ArrayObject
    {
    }

    /** What Coroutine::list() returns: the ids of the live coroutines. */
    class Iterator extends \ArrayIterator
    {
    }

    class System
    {
        public static function sleep(float $seconds): bool {}
    }
}

namespace Swoole\Timer {

    /** What Timer::list() returns: the ids of the live timers. */
    class Iterator extends \ArrayIterator
    {
    }
}

namespace {

    function swoole_event_add(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $events = SWOOLE_EVENT_READ): int|false {}

    function swoole_event_set(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $events = 0): bool {}

    function swoole_event_del(mixed $fd): bool {}

    function swoole_event_isset(mixed $fd, int $events = SWOOLE_EVENT_READ | SWOOLE_EVENT_WRITE): bool {}

    function swoole_event_write(mixed $fd, string $data): bool {}

    function swoole_event_cycle(?callable $callback, bool $before = false): bool {}

    function swoole_event_dispatch(): bool {}
}
