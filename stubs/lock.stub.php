<?php

/** @generate-class-entries */

namespace Swoole {

    /**
     * A lock shared by every process of the server (made before start()). Unlike Swoole's,
     * a process killed while holding it does not block the others.
     * @not-serializable
     */
    class Lock
    {
        /** @var int */
        public const MUTEX = 3;
        /** @var int */
        public const RWLOCK = 1;
        /** @var int */
        public const SPINLOCK = 5;

        /** @var int */
        public $errCode = 0;

        public function __construct(int $type = SWOOLE_MUTEX) {}

        public function lock(int $operation = LOCK_EX, float $timeout = -1): bool {}

        public function unlock(): bool {}
    }
}
