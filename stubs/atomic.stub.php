<?php

/** @generate-class-entries */

namespace Swoole {

    /**
     * A 32-bit unsigned counter in shared memory: made before start(), every worker, task
     * worker and the master share it. wait()/wakeup() use a futex.
     * @not-serializable
     */
    class Atomic
    {
        public function __construct(int $value = 0) {}

        public function add(int $add_value = 1): int {}

        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        public function wait(float $timeout = 1.0): bool {}

        public function wakeup(int $count = 1): bool {}

        public function cmpset(int $cmp_value, int $new_value): bool {}
    }
}

namespace Swoole\Atomic {

    /**
     * A 64-bit signed counter in shared memory.
     * @not-serializable
     */
    class Long
    {
        public function __construct(int $value = 0) {}

        public function add(int $add_value = 1): int {}

        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        public function cmpset(int $cmp_value, int $new_value): bool {}
    }
}
