<?php

/** @generate-class-entries */

namespace Swoole\Http {

    class Server extends \Swoole\Server
    {
    }
}
