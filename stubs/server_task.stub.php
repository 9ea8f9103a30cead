<?php

/** @generate-class-entries */

namespace Swoole\Server {

    /**
     * What onTask($server, $task) receives when task_enable_coroutine or task_object is on:
     * the task's data and origin, and finish() to answer it (also from a coroutine that
     * outlives the callback).
     */
    final class Task
    {
        /** @var mixed */
        public $data = null;
        /** @var float */
        public $dispatch_time = 0;
        /** @var int */
        public $id = -1;
        /** @var int */
        public $worker_id = -1;
        /** @var int */
        public $flags = 0;

        public function finish(mixed $data): bool {}

        public static function pack(mixed $data): string|false {}

        public static function unpack(string $data): mixed {}
    }
}
