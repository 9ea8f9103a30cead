--TEST--
Server: onRequest with Swoole\Http\Response (status, header, end, write) on Http\Server and WebSocket\Server
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

function http(int $port, string $request): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 2);
    stream_set_timeout($s, 2);
    fwrite($s, $request);
    $out = '';
    $deadline = microtime(true) + 2;
    while (!feof($s) && microtime(true) < $deadline) {
        $out .= (string) fread($s, 65536);
    }
    fclose($s);
    // Drop the Date header if any: it changes.
    return preg_replace('~\r\nDate: [^\r]*~i', '', $out);
}

foreach (['Swoole\Http\Server', 'Swoole\WebSocket\Server'] as $class) {
    echo "== $class\n";
    $script = ws_server_script(<<<PHP
<?php
\$server = new $class("127.0.0.1", 0);
echo "PORT {\$server->port}\\n";
set_error_handler(function (\$no, \$msg) { echo "WARNING: \$msg\\n"; return true; });
\$server->on('message', function () {});
\$server->on('request', function (Swoole\Http\Request \$req, Swoole\Http\Response \$res) {
    echo "request {\$req->server['request_method']} {\$req->server['request_uri']} get=", json_encode(\$req->get),
        " post=", json_encode(\$req->post), " raw=", var_export(\$req->rawContent(), true), "\\n";
    if (\$req->server['request_uri'] === '/stream') {
        \$res->header('x-mode', 'stream');
        var_dump(\$res->write('part1,'), \$res->write('part2'));
        var_dump(\$res->end());
        return;
    }
    if (\$req->server['request_uri'] === '/auto') {
        return;  // never ended: ended when the response object goes away, as a 500 (Swoole)
    }
    var_dump(\$res->status(201, 'Made'));
    var_dump(\$res->header('content-type', 'text/plain'));
    var_dump(\$res->header('X-Bad', "a\\r\\nb"));
    var_dump(\$res->end('created ' . \$req->fd));
    var_dump(\$res->end('again'), \$res->isWritable());
});
\$server->start();
PHP);
    $srv = ws_start_server($script);
    echo http($srv['port'], "POST /make?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nConnection: close\r\n\r\nk=v&z=1"), "\n";
    echo http($srv['port'], "GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), "\n";
    echo http($srv['port'], "GET /auto HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), "\n";
    ws_server_wait_output($srv, "request GET /auto get=null post=null raw=''\n");
    echo ws_stop_server($srv);
}
?>
--EXPECT--
== Swoole\Http\Server
HTTP/1.1 201 Made
Content-Type: text/plain
Connection: close
Content-Length: 9

created 1
HTTP/1.1 200 OK
X-Mode: stream
Connection: close
Content-Type: text/html
Transfer-Encoding: chunked

6
part1,
5
part2
0


HTTP/1.1 500 Internal Server Error
Connection: close
Content-Type: text/html
Content-Length: 0


request POST /make get={"x":"1"} post={"k":"v","z":"1"} raw='k=v&z=1'
bool(true)
bool(true)
WARNING: Swoole\Http\Response::header(): invalid header 'X-Bad': a token name and no CR, LF or NUL
bool(false)
bool(true)
WARNING: Swoole\Http\Response::end(): http response is unavailable (maybe it has been ended or detached)
bool(false)
bool(false)
request GET /stream get=null post=null raw=''
bool(true)
bool(true)
bool(true)
request GET /auto get=null post=null raw=''
== Swoole\WebSocket\Server
HTTP/1.1 201 Made
Content-Type: text/plain
Connection: close
Content-Length: 9

created 1
HTTP/1.1 200 OK
X-Mode: stream
Connection: close
Content-Type: text/html
Transfer-Encoding: chunked

6
part1,
5
part2
0


HTTP/1.1 500 Internal Server Error
Connection: close
Content-Type: text/html
Content-Length: 0


request POST /make get={"x":"1"} post={"k":"v","z":"1"} raw='k=v&z=1'
bool(true)
bool(true)
WARNING: Swoole\Http\Response::header(): invalid header 'X-Bad': a token name and no CR, LF or NUL
bool(false)
bool(true)
WARNING: Swoole\Http\Response::end(): http response is unavailable (maybe it has been ended or detached)
bool(false)
bool(false)
request GET /stream get=null post=null raw=''
bool(true)
bool(true)
bool(true)
request GET /auto get=null post=null raw=''
