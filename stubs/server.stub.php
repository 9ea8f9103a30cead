<?php

/** @generate-class-entries */

namespace Swoole {

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
    }
}
