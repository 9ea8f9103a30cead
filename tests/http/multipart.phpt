--TEST--
Server: multipart/form-data -> Request post, files (as PHP's $_FILES), tmpfiles; temp files live as long as the request
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

function post(int $port, string $target, string $contentType, string $body, string $method = 'POST'): string
{
    $r = http($port, "$method $target HTTP/1.1\r\nHost: a\r\nContent-Type: $contentType\r\nContent-Length: " . strlen($body)
        . "\r\nConnection: close\r\n\r\n$body");
    return substr($r, strpos($r, "\r\n\r\n") + 4);  // the body is what the handler reported
}

function part(string $b, array $headers, string $content): string
{
    return "--$b\r\n" . implode('', array_map(fn ($h) => "$h\r\n", $headers)) . "\r\n$content\r\n";
}

// A private upload directory that does not exist yet: the server creates it.
$base = sys_get_temp_dir() . '/wsserver_mp_' . getmypid() . '_' . bin2hex(random_bytes(4));
$dir = "$base/uploads";

$script = ws_server_script(str_replace('@DIR@', $dir, <<<'PHP'
<?php
$server = new Swoole\Http\Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->set(['upload_tmp_dir' => '@DIR@']);
$seen = [];  // temp files of earlier requests
$server->on('request', function (Swoole\Http\Request $req, Swoole\Http\Response $res) use (&$seen) {
    $dir = '@DIR@';
    $out = [];
    if ($req->server['request_uri'] === '/check') {
        // An earlier request is gone by now: its temp files too, unless moved.
        foreach ($seen as $path) {
            $out[] = basename($path) === 'kept.bin' ? 'moved file kept: ' . strlen(file_get_contents($path)) . ' bytes'
                                                    : 'gone: ' . var_export(!file_exists($path), true);
        }
        $out[] = 'left in dir: ' . count(glob("$dir/swoole.upfile.*"));
        $res->end(implode("\n", $out) . "\n");
        return;
    }
    $files = $req->files;
    $contents = [];
    if (is_array($files)) {
        array_walk_recursive($files, function (&$v) use ($dir, &$contents) {
            if (is_string($v) && preg_match('~^' . preg_quote($dir, '~') . '/swoole\.upfile\.[A-Za-z0-9]{6}$~', $v)) {
                $contents[] = '"' . addcslashes(file_get_contents($v), "\0..\37\177..\377") . '" perms=' . decoct(fileperms($v) & 0777);
                $v = '<tmp>';
            }
        });
    }
    $out[] = 'post=' . var_export($req->post, true);
    $out[] = 'files=' . var_export($files, true);
    $out[] = 'contents=' . implode(', ', $contents);
    $tmp = $req->tmpfiles;
    $out[] = 'tmpfiles=' . (is_array($tmp) ? count($tmp) : var_export($tmp, true));
    $out[] = 'raw=' . strlen((string) $req->getContent());
    if (is_array($tmp)) {
        $seen = array_merge($seen, $tmp);
        $up = $req->files['up']['tmp_name'] ?? null;
        if ($up !== null) {
            $out[] = 'is_uploaded_file=' . var_export(is_uploaded_file($up), true);
            $out[] = 'move=' . var_export(move_uploaded_file($up, "$dir/kept.bin"), true);
            $seen[] = "$dir/kept.bin";
        }
    }
    $res->end(implode("\n", $out) . "\n");
});
$server->start();
PHP));
$srv = ws_start_server($script);
$port = $srv['port'];

echo "== fields and files\n";
$b = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
$body = "preamble\r\n"
    . part($b, ['Content-Disposition: form-data; name="title"'], 'Hello, World')
    . part($b, ['Content-Disposition: form-data; name="a[]"'], '1')
    . part($b, ['Content-Disposition: form-data; name="a[]"'], '2')
    . part($b, ['Content-Disposition: form-data; name="m[k]"'], "multi\r\nline")
    . part($b, ['Content-Disposition: form-data; name="dotted.name x"'], 'v')
    . part($b, ['Content-Disposition: form-data; name="up"; filename="hello.txt"', 'Content-Type: text/plain'],
           "first line\r\n--$b-not-a-delimiter\r\n\x00\xff")
    . part($b, ['Content-Disposition: form-data; name="arr[]"; filename="dir/one.bin"',
                'Content-Type: application/octet-stream'], 'ONE')
    . part($b, ['Content-Disposition: form-data; name="arr[]"; filename="C:\\\\x\\\\two.bin"'], 'TWO')
    . part($b, ['Content-Disposition: form-data; name="nest[x][y]"; filename="n.txt"', 'Content-Type: text/x-n'], '')
    . part($b, ['Content-Disposition: form-data; name="none"; filename=""', 'Content-Type: application/octet-stream'], '')
    . part($b, ['Content-Disposition: form-data; filename="nameless.txt"'], 'numbered')
    . part($b, ['Content-Type: text/plain'], 'no disposition: skipped')
    . "--$b--\r\nepilogue";
echo post($port, '/form', "multipart/form-data; boundary=$b", $body);
echo "== earlier temp files\n";
echo post($port, '/check', 'text/plain', '');

echo "== quoted boundary, PUT\n";
echo post($port, '/q', 'Multipart/Form-Data; charset=utf-8; boundary="a b:c"',
          part('a b:c', ['Content-Disposition: form-data; name="k"'], 'v') . "--a b:c--", 'PUT');

// Not valid multipart: Swoole answers 400 and never calls onRequest; here the request
// still arrives, with its raw body but no post, no files and no temp file.
echo "== unterminated\n";
echo post($port, '/bad', "multipart/form-data; boundary=$b",
          part($b, ['Content-Disposition: form-data; name="f"; filename="x"'], 'data'));
echo "== no close delimiter after the last part\n";
echo post($port, '/bad', "multipart/form-data; boundary=$b",
          part($b, ['Content-Disposition: form-data; name="k"'], 'v') . "--$b");
echo "== malformed part header\n";
echo post($port, '/bad', "multipart/form-data; boundary=$b",
          part($b, ['Content-Disposition: form-data; name="unterminated'], 'v') . "--$b--");
echo "== no boundary parameter\n";
echo post($port, '/bad', 'multipart/form-data', part($b, ['Content-Disposition: form-data; name="k"'], 'v') . "--$b--");
echo "== GET is not parsed (Swoole: POST, PUT, DELETE, PATCH only)\n";
echo post($port, '/get', "multipart/form-data; boundary=$b",
          part($b, ['Content-Disposition: form-data; name="k"'], 'v') . "--$b--", 'GET');
echo "== after all\n";
echo post($port, '/check', 'text/plain', '');

echo ws_stop_server($srv);
@unlink("$dir/kept.bin");
@rmdir($dir);
@rmdir($base);
var_dump(is_dir($base));
?>
--EXPECT--
== fields and files
post=array (
  'title' => 'Hello, World',
  'a' => 
  array (
    0 => '1',
    1 => '2',
  ),
  'm' => 
  array (
    'k' => 'multi
line',
  ),
  'dotted_name_x' => 'v',
)
files=array (
  'up' => 
  array (
    'name' => 'hello.txt',
    'full_path' => 'hello.txt',
    'type' => 'text/plain',
    'tmp_name' => '<tmp>',
    'error' => 0,
    'size' => 71,
  ),
  'arr' => 
  array (
    'name' => 
    array (
      0 => 'one.bin',
      1 => 'two.bin',
    ),
    'full_path' => 
    array (
      0 => 'dir/one.bin',
      1 => 'C:\\x\\two.bin',
    ),
    'type' => 
    array (
      0 => 'application/octet-stream',
      1 => '',
    ),
    'tmp_name' => 
    array (
      0 => '<tmp>',
      1 => '<tmp>',
    ),
    'error' => 
    array (
      0 => 0,
      1 => 0,
    ),
    'size' => 
    array (
      0 => 3,
      1 => 3,
    ),
  ),
  'nest' => 
  array (
    'name' => 
    array (
      'x' => 
      array (
        'y' => 'n.txt',
      ),
    ),
    'full_path' => 
    array (
      'x' => 
      array (
        'y' => 'n.txt',
      ),
    ),
    'type' => 
    array (
      'x' => 
      array (
        'y' => 'text/x-n',
      ),
    ),
    'tmp_name' => 
    array (
      'x' => 
      array (
        'y' => '<tmp>',
      ),
    ),
    'error' => 
    array (
      'x' => 
      array (
        'y' => 0,
      ),
    ),
    'size' => 
    array (
      'x' => 
      array (
        'y' => 0,
      ),
    ),
  ),
  'none' => 
  array (
    'name' => '',
    'full_path' => '',
    'type' => '',
    'tmp_name' => '',
    'error' => 4,
    'size' => 0,
  ),
  0 => 
  array (
    'name' => 'nameless.txt',
    'full_path' => 'nameless.txt',
    'type' => '',
    'tmp_name' => '<tmp>',
    'error' => 0,
    'size' => 8,
  ),
)
contents="first line\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW-not-a-delimiter\r\n\000\377" perms=600, "ONE" perms=600, "TWO" perms=600, "" perms=600, "numbered" perms=600
tmpfiles=5
raw=1516
is_uploaded_file=true
move=true
== earlier temp files
gone: true
gone: true
gone: true
gone: true
gone: true
moved file kept: 71 bytes
left in dir: 0
== quoted boundary, PUT
post=array (
  'k' => 'v',
)
files=NULL
contents=
tmpfiles=NULL
raw=65
== unterminated
post=NULL
files=NULL
contents=
tmpfiles=NULL
raw=105
== no close delimiter after the last part
post=NULL
files=NULL
contents=
tmpfiles=NULL
raw=127
== malformed part header
post=NULL
files=NULL
contents=
tmpfiles=NULL
raw=139
== no boundary parameter
post=NULL
files=NULL
contents=
tmpfiles=NULL
raw=129
== GET is not parsed (Swoole: POST, PUT, DELETE, PATCH only)
post=NULL
files=NULL
contents=
tmpfiles=NULL
raw=129
== after all
gone: true
gone: true
gone: true
gone: true
gone: true
moved file kept: 71 bytes
left in dir: 0
bool(false)
