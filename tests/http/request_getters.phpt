--TEST--
Http\Request/Response getters and properties as Swoole 6.2 has them: getContent()/rawContent() '' without a body, getData(), getMethod(), isCompleted(), absent arrays null, Cookie only in `cookie`, the Response `header` property, isWritable() and the methods after end(); BASE and PROCESS
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

function http(int $port, string $request): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $en, $es, 10);
    stream_set_timeout($s, 10);
    fwrite($s, $request);
    $out = '';
    $deadline = microtime(true) + 10;
    while (!feof($s) && microtime(true) < $deadline) {
        $out .= (string) fread($s, 65536);
    }
    fclose($s);
    return $out;
}

foreach (['SWOOLE_BASE', 'SWOOLE_PROCESS'] as $mode) {
    echo "== $mode\n";
    $script = ws_server_script(str_replace('MODE', $mode, <<<'PHP'
<?php
$server = new Swoole\Http\Server("127.0.0.1", 0, MODE);
$server->set(['worker_num' => 1]);
echo "PORT {$server->port}\n";
$server->on('request', function (Swoole\Http\Request $req, Swoole\Http\Response $res) {
    $out = [];
    $out[] = 'getContent=' . var_export($req->getContent(), true) . ' rawContent=' . var_export($req->rawContent(), true);
    $out[] = 'getMethod=' . var_export($req->getMethod(), true) . ' isCompleted=' . var_export($req->isCompleted(), true);
    $out[] = 'getData=' . json_encode($req->getData());
    $out[] = 'server_addr=' . ($req->server['server_addr'] ?? '-') . ' remote_addr=' . $req->server['remote_addr'];
    foreach (['header', 'cookie', 'get', 'post', 'files', 'tmpfiles'] as $p) {
        $out[] = "$p=" . json_encode($req->$p);
    }
    $out[] = 'response header=' . json_encode($res->header) . ' cookie=' . json_encode($res->cookie)
        . ' writable=' . var_export($res->isWritable(), true);
    $res->header('x-one', 'a');
    $res->header('X-Two', ['b', 'c']);
    $res->header('X-ONE', 'd');
    $res->header('raw-name', 'e', false);
    $out[] = 'response header after=' . json_encode($res->header);
    $out[] = '';
    $ended = $res->end(implode("\n", $out));
    echo 'end=', var_export($ended, true), ' writable=', var_export($res->isWritable(), true),
        ' again=', var_export(@$res->end('x'), true), ' write=', var_export(@$res->write('x'), true),
        ' header=', var_export(@$res->header('a', 'b'), true), ' status=', var_export(@$res->status(200), true),
        ' content after=', var_export($req->getContent(), true), "\n";
});
$server->start();
PHP));
    $srv = ws_start_server($script, null, 10.0);
    foreach ([
        "GET /g?x=1 HTTP/1.1\r\nHost: a\r\nCookie: c=1; d=2\r\nConnection: close\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    ] as $request) {
        $response = http($srv['port'], $request);
        echo substr($response, strpos($response, "\r\n\r\n") + 4);
        ws_server_wait_line($srv, 'end=.*');
    }
    echo ws_stop_server($srv);
}
?>
--EXPECT--
== SWOOLE_BASE
getContent='' rawContent=''
getMethod='GET' isCompleted=true
getData="GET \/g?x=1 HTTP\/1.1\r\nHost: a\r\nCookie: c=1; d=2\r\nConnection: close\r\n\r\n"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","connection":"close"}
cookie={"c":"1","d":"2"}
get={"x":"1"}
post=null
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
getContent='a=1' rawContent='a=1'
getMethod='POST' isCompleted=true
getData="POST \/p HTTP\/1.1\r\nHost: a\r\nContent-Type: application\/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","content-type":"application\/x-www-form-urlencoded","content-length":"3","connection":"close"}
cookie=null
get=null
post={"a":"1"}
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
getContent='abc' rawContent='abc'
getMethod='POST' isCompleted=true
getData="POST \/c HTTP\/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","transfer-encoding":"chunked","connection":"close"}
cookie=null
get=null
post=null
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
end=true writable=false again=false write=false header=false status=false content after=''
end=true writable=false again=false write=false header=false status=false content after='a=1'
end=true writable=false again=false write=false header=false status=false content after='abc'
== SWOOLE_PROCESS
getContent='' rawContent=''
getMethod='GET' isCompleted=true
getData="GET \/g?x=1 HTTP\/1.1\r\nHost: a\r\nCookie: c=1; d=2\r\nConnection: close\r\n\r\n"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","connection":"close"}
cookie={"c":"1","d":"2"}
get={"x":"1"}
post=null
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
getContent='a=1' rawContent='a=1'
getMethod='POST' isCompleted=true
getData="POST \/p HTTP\/1.1\r\nHost: a\r\nContent-Type: application\/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","content-type":"application\/x-www-form-urlencoded","content-length":"3","connection":"close"}
cookie=null
get=null
post={"a":"1"}
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
getContent='abc' rawContent='abc'
getMethod='POST' isCompleted=true
getData="POST \/c HTTP\/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
server_addr=127.0.0.1 remote_addr=127.0.0.1
header={"host":"a","transfer-encoding":"chunked","connection":"close"}
cookie=null
get=null
post=null
files=null
tmpfiles=null
response header=null cookie=null writable=true
response header after={"X-One":"d","X-Two":["b","c"],"raw-name":"e"}
end=true writable=false again=false write=false header=false status=false content after=''
end=true writable=false again=false write=false header=false status=false content after='a=1'
end=true writable=false again=false write=false header=false status=false content after='abc'