--TEST--
Server: Http\Response cookie()/setCookie()/rawcookie()/setRawCookie(), header() with an array, redirect(), close(), isWritable()
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
    return preg_replace('~\r\nDate: [^\r]*~i', '', $out);
}

function get(int $port, string $path): string
{
    return http($port, "GET $path HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
}

$script = ws_server_script(<<<'PHP'
<?php
$server = new Swoole\Http\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('request', function (Swoole\Http\Request $req, Swoole\Http\Response $res) {
    $uri = $req->server['request_uri'];
    echo "== $uri\n";
    if ($uri === '/cookies') {
        var_dump($res->cookie('plain', 'b c&d=é/+'));
        var_dump($res->setCookie('full', 'x', 4102444800, '/app', 'example.com', true, true, 'Strict', 'High', true));
        var_dump($res->cookie('gone'));
        var_dump($res->cookie('gone2', '', 0, '/x'));
        var_dump($res->cookie('past', 'v', 1));
        var_dump($res->cookie('named', 'v', httponly: true));  // a skipped $path takes its default '/'
        var_dump($res->rawcookie('raw', 'a%20b'));
        var_dump($res->setRawCookie('raw2', 'v', 0, '/', '', false, true, 'Lax'));
        // Refused, with Swoole's warnings.
        foreach (['', 'a=b', 'a b', "a\tb", 'a;b', 'a,b', "a\rb", "a\nb", "a\013b", "a\014b"] as $bad) {
            var_dump($res->cookie($bad, 'v'));
        }
        var_dump($res->rawcookie('r', 'a b'));
        var_dump($res->rawcookie('r', 'a;b'));
        var_dump($res->cookie('ok', 'a b'));  // encoded: fine
        var_dump($res->cookie('e', 'v', 253402300800));
        var_dump($res->cookie('e', 'v', 253402300799) && array_pop($res->cookie) !== null);  // 9999-12-31: fine
        var_dump($res->cookie('p', 'v', 0, '/a;b'));
        var_dump($res->cookie('d', 'v', 0, '/', 'a b.com'));
        var_dump(count($res->cookie));
        var_dump($res->header('X-Multi', ['one', 'two']));
        var_dump($res->header('Set-Cookie', 'by-header=1'));  // a header line of its own
        var_dump($res->isWritable());
        var_dump($res->end('body'));
        var_dump($res->isWritable());
        var_dump($res->cookie('late', 'v'));
        return;
    }
    if ($uri === '/edited') {
        // The cookie property is what gets sent, as in Swoole.
        $res->cookie('a', '1');
        $res->cookie('b', '2');
        $res->cookie = [$res->cookie[1], 42, "bad\r\nline", 'manual=3'];
        $res->end();
        return;
    }
    if ($uri === '/redirect') {
        $res->cookie('c', 'v');
        var_dump($res->redirect('/target?x=1'));
        var_dump($res->redirect('/again'));
        var_dump($res->isWritable());
        return;
    }
    if ($uri === '/redirect301') {
        $res->header('location', '/replaced');
        var_dump($res->redirect('https://example.com/', 301));
        return;
    }
    if ($uri === '/redirect-bad') {
        var_dump($res->redirect("/x\r\nInjected: 1"));
        var_dump($res->redirect('/x', 42));
        var_dump($res->redirect('/ok', 307));
        return;
    }
    if ($uri === '/close') {
        var_dump($res->isWritable());
        var_dump($res->close());
        var_dump($res->isWritable());
        var_dump($res->end('never sent'));
        var_dump($res->close());
        return;
    }
});
$server->start();
PHP);
$srv = ws_start_server($script);
$port = $srv['port'];

$r = get($port, '/cookies');
// Max-Age counts from now: check it, then hide it.
if (preg_match('~full=x; expires=Fri, 01-Jan-2100 00:00:00 GMT; Max-Age=(\d+);~', $r, $m)) {
    echo 'Max-Age ok: ', var_export(abs((int) $m[1] - (4102444800 - time())) <= 5, true), "\n";
}
echo preg_replace('~Max-Age=\d{5,}~', 'Max-Age=N', $r), "\n";
echo get($port, '/edited'), "\n";
echo get($port, '/redirect'), "\n";
echo get($port, '/redirect301'), "\n";
echo get($port, '/redirect-bad'), "\n";
echo '/close: ', var_export(get($port, '/close'), true), "\n";
ws_server_wait_output($srv, "== /close\n");
echo ws_stop_server($srv);
?>
--EXPECT--
Max-Age ok: true
HTTP/1.1 200 OK
X-Multi: one
X-Multi: two
Set-Cookie: by-header=1
Set-Cookie: plain=b+c%26d%3D%C3%A9%2F%2B
Set-Cookie: full=x; expires=Fri, 01-Jan-2100 00:00:00 GMT; Max-Age=N; path=/app; domain=example.com; secure; HttpOnly; SameSite=Strict; Priority=High; Partitioned
Set-Cookie: gone=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0
Set-Cookie: gone2=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/x
Set-Cookie: past=v; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0
Set-Cookie: named=v; path=/; HttpOnly
Set-Cookie: raw=a%20b
Set-Cookie: raw2=v; path=/; HttpOnly; SameSite=Lax
Set-Cookie: ok=a+b
Connection: close
Content-Type: text/html
Content-Length: 4

body
HTTP/1.1 200 OK
Set-Cookie: b=2
Set-Cookie: manual=3
Connection: close
Content-Type: text/html
Content-Length: 0


HTTP/1.1 302 Found
Location: /target?x=1
Set-Cookie: c=v
Connection: close
Content-Type: text/html
Content-Length: 0


HTTP/1.1 301 Moved Permanently
Location: https://example.com/
Connection: close
Content-Type: text/html
Content-Length: 0


HTTP/1.1 307 Temporary Redirect
Location: /ok
Connection: close
Content-Type: text/html
Content-Length: 0


/close: ''
== /cookies
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
WARNING: Swoole\Http\Response::cookie(): The name cannot be empty
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The name cannot contain "=", ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::rawcookie(): The value cannot contain ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::rawcookie(): The value cannot contain ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
bool(true)
WARNING: Swoole\Http\Response::cookie(): The expires cannot have a year greater than 9999
bool(false)
bool(true)
WARNING: Swoole\Http\Response::cookie(): The path option cannot contain ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
WARNING: Swoole\Http\Response::cookie(): The domain option cannot contain ",", ";", " ", "\t", "\r", "\n", "\013", or "\014"
bool(false)
int(9)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
WARNING: Swoole\Http\Response::cookie(): http response is unavailable (maybe it has been ended or detached)
bool(false)
== /edited
== /redirect
bool(true)
WARNING: Swoole\Http\Response::redirect(): http response is unavailable (maybe it has been ended or detached)
bool(false)
bool(false)
== /redirect301
bool(true)
== /redirect-bad
WARNING: Swoole\Http\Response::redirect(): invalid header 'Location': a token name and no CR, LF or NUL
bool(false)
WARNING: Swoole\Http\Response::redirect(): invalid status code 42
bool(false)
bool(true)
== /close
bool(true)
bool(true)
bool(false)
WARNING: Swoole\Http\Response::end(): http response is unavailable (maybe it has been ended or detached)
bool(false)
bool(false)
