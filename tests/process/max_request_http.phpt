--TEST--
Server: max_request with worker_num=1 (Swoole then runs a manager): each HTTP request counts; the worker answers the last one, closes its keep-alive connections and is replaced
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\Http\Server;
$server = new Server("127.0.0.1", 0);
$server->set(['worker_num' => 1, 'max_request' => 2]);  // <= 10: no grace, exactly 2
echo "PORT {$server->port}\n";
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('request', function ($req, $resp) use ($server) {
    $resp->end("pid=" . getmypid() . " manager=" . $server->getManagerPid());
});
$server->start();
PHP);
$srv = ws_start_server($script);

/** One keep-alive request on $sock; the body, or null. */
function get($sock): ?string
{
    fwrite($sock, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    $buf = '';
    $deadline = microtime(true) + 3;
    while (microtime(true) < $deadline) {
        if (preg_match('~\r\n\r\n~', $buf) && preg_match('~Content-Length: (\d+)~i', $buf, $m)) {
            $body = substr($buf, strpos($buf, "\r\n\r\n") + 4);
            if (strlen($body) >= (int) $m[1]) return substr($body, 0, (int) $m[1]);
        }
        $r = [$sock];
        $w = $e = null;
        if (stream_select($r, $w, $e, 0, 100000)) {
            $d = fread($sock, 8192);
            if ($d === '' || $d === false) return null;
            $buf .= $d;
        }
    }
    return null;
}

function wait_count(array &$srv, string $needle, int $n, float $timeout = 5.0): bool
{
    $deadline = microtime(true) + $timeout;
    while (substr_count($srv['out'], $needle) < $n) {
        if (microtime(true) >= $deadline) return false;
        ws_server_read($srv, 0.05);
    }
    return true;
}

echo "started: ", var_export(wait_count($srv, 'workerStart', 1), true), "\n";
$sock = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2);
$a = get($sock);
$b = get($sock);
echo "two answers from one worker with a manager: ",
    var_export($a !== null && $a === $b && preg_match('~manager=(\d+)~', $a, $m) && (int) $m[1] === $srv['pid'], true), "\n";
$r = [$sock];
$w = $e = null;
$ready = stream_select($r, $w, $e, 3);
$d = $ready ? fread($sock, 10) : null;
echo "then the connection is closed: ", var_export($d === '' && feof($sock), true), "\n";
fclose($sock);
echo "replaced: ", var_export(wait_count($srv, 'workerStart', 2), true), "\n";
$sock = stream_socket_client("tcp://127.0.0.1:{$srv['port']}", $en, $es, 2);
$c = get($sock);
echo "served by the new worker: ", var_export($c !== null && $c !== $a, true), "\n";
fclose($sock);
$out = ws_stop_server($srv);
echo "no warning: ", var_export(stripos($out, 'warning') === false, true), "\n";
?>
--EXPECT--
started: true
two answers from one worker with a manager: true
then the connection is closed: true
replaced: true
served by the new worker: true
no warning: true
