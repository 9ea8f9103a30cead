--TEST--
Server: exit() in onMessage and an uncaught exception in onOpen (callbacks in coroutines, the default) end the process at once, connections dropped, no more callbacks
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
$server = new Swoole\WebSocket\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
$server->on('open', function ($s, $r) {
    if (($r->get['mode'] ?? '') === 'throw') {
        throw new LogicException('in open');
    }
});
$server->on('message', function ($s, $f) { echo "exiting\n"; exit(7); });
$server->on('close', function ($s, $fd) { echo "close $fd (not called)\n"; });
register_shutdown_function(function () { echo "shutdown function\n"; });
$server->start();
echo "not reached\n";
PHP);

function wait_exit(array $srv): ?int
{
    $deadline = microtime(true) + 3;
    while (microtime(true) < $deadline) {
        $st = proc_get_status($srv['proc']);
        if (!$st['running']) {
            return $st['exitcode'];
        }
        usleep(10000);
    }
    return null;
}

$t0 = microtime(true);
$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port']);
$c2 = WsTestClient::connect($srv['port']);
$c->send('x');
var_dump($c->waitEof(), $c2->waitEof());
var_dump(wait_exit($srv));
echo ws_stop_server($srv);

$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port'], '/?mode=throw');
var_dump($c->waitEof());
var_dump(wait_exit($srv));
echo preg_replace('~/\S+\.php(\(\d+\))?~', 'FILE', ws_stop_server($srv));
var_dump(microtime(true) - $t0 < 2.5);
?>
--EXPECTF--
bool(true)
bool(true)
int(7)
exiting
shutdown function
bool(true)
int(255)
%AFatal error: Uncaught LogicException: in open in FILE:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\WebSocket\Server), Object(Swoole\Http\Request))
#1 {main}
  thrown in FILE on line %d
shutdown function
bool(true)
