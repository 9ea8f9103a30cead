<?php

/** @generate-function-entries */

namespace {
    /**
     * Internal, not part of Swoole's API: the rows of the set() settings table, for
     * scripts/settings_doc.php (which prints docs/SETTINGS.md) and its test.
     */
    function wsserver_settings_table(): array {}
}

namespace Swoole\Coroutine {
    /** Runs $fn in a coroutine and the event loop until every coroutine and timer is done. */
    function run(callable $fn, mixed ...$args): bool {}
}

namespace Co {
    /** Swoole\Coroutine\run() under its short name. */
    function run(callable $fn, mixed ...$args): bool {}
}

namespace {
    /** @implementation-alias swoole_coroutine_create */
    function go(callable $func): int|false {}

    /** @implementation-alias swoole_coroutine_defer */
    function defer(callable $callback): void {}

    function swoole_coroutine_create(callable $func, mixed ...$params): int|false {}

    function swoole_coroutine_defer(callable $callback): void {}

    function swoole_timer_tick(int $ms, callable $callback, mixed ...$params): false|int {}

    function swoole_timer_after(int $ms, callable $callback, mixed ...$params): false|int {}

    function swoole_timer_exists(int $timer_id): bool {}

    function swoole_timer_info(int $timer_id): ?array {}

    function swoole_timer_stats(): array {}

    function swoole_timer_list(): Swoole\Timer\Iterator {}

    function swoole_timer_clear(int $timer_id): bool {}

    function swoole_timer_clear_all(): bool {}

    function swoole_event_defer(callable $callback): bool {}

    function swoole_event_wait(): void {}

    function swoole_event_exit(): void {}
}
