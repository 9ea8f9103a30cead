--TEST--
swoole conflict: with a module named "swoole" loaded, wsserver stays off with an E_CORE_WARNING, in either load order, and PHP runs on
--SKIPIF--
<?php
require __DIR__ . '/../include/conflict.inc';
if (ws_find_cc() === null) die('skip no C compiler (cc) to build the fake swoole module');
if (ws_find_php_config() === null) die('skip php-config not found');
?>
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
require __DIR__ . '/../include/conflict.inc';

$ext = ws_extension_path();
echo 'wsserver.so found: ', var_export($ext !== null, true), "\n";

$tmp = sys_get_temp_dir() . '/wsserver-conflict-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($tmp, 0700);
$fake = $tmp . '/swoole.so';
$includes = preg_split('/\s+/', trim((string) shell_exec(escapeshellarg(ws_find_php_config()) . ' --includes')), -1, PREG_SPLIT_NO_EMPTY);
[$rc, $out, $err] = ws_run(array_merge([ws_find_cc(), '-shared', '-fPIC'], $includes,
    ['-DCOMPILE_DL_SWOOLE', '-o', $fake, __DIR__ . '/../include/fake_swoole.c']));
echo 'fake swoole.so built: ', var_export($rc === 0 && is_file($fake), true), "\n";
if ($rc !== 0) {
    echo $out, $err;
}

// What the child reports about itself; the last line proves PHP kept running.
$code = 'echo json_encode(['
    . '"swoole" => extension_loaded("swoole"), '
    . '"frame" => class_exists("Swoole\\\\WebSocket\\\\Frame", false), '
    . '"server" => class_exists("Swoole\\\\WebSocket\\\\Server", false), '
    . '"const" => defined("WEBSOCKET_OPCODE_TEXT"), '
    . '"pack" => is_callable("Swoole\\\\WebSocket\\\\Server::pack")]), "\n"; echo "alive\n";';

function child(string $label, array $extensions, string $code): void
{
    // error_reporting=0: PHP still displays E_CORE_* diagnostics (they bypass error_reporting),
    // but not an E_WARNING, so a warning seen here is an E_CORE_WARNING.
    $argv = [PHP_BINARY, '-n', '-d', 'error_reporting=0', '-d', 'display_errors=stderr',
             '-d', 'display_startup_errors=1', '-d', 'log_errors=0'];
    foreach ($extensions as $e) {
        $argv[] = '-d';
        $argv[] = 'extension=' . $e;
    }
    $argv[] = '-r';
    $argv[] = $code;
    [$rc, $out, $err] = ws_run($argv);
    echo "== $label\n";
    echo 'exit=', $rc, "\n", $out;
    $err = trim($err);
    if ($err === '') {
        echo "stderr: (empty)\n";
        return;
    }
    // One clear E_CORE_WARNING: it names both modules and says they cannot be used together.
    $lines = preg_split('/\R/', $err);
    $good = array_filter($lines, fn ($l) =>
        stripos($l, 'warning') !== false
        && stripos($l, 'swoole') !== false
        && stripos($l, 'wsserver') !== false
        && preg_match("/cannot|can't|can not|conflict|together|both|incompatible/i", $l));
    echo 'stderr has the conflict warning: ', var_export(count($good) > 0, true), "\n";
    $fatal = array_filter($lines, fn ($l) => preg_match('/fatal|core error|segmentation|abort/i', $l));
    echo 'stderr has a fatal error: ', var_export(count($fatal) > 0, true), "\n";
    if (!$good || $fatal) {
        echo $err, "\n";
    }
}

child('wsserver alone', [$ext], $code);
child('fake swoole alone', [$fake], $code);
child('swoole first, then wsserver', [$fake, $ext], $code);
child('wsserver first, then swoole', [$ext, $fake], $code);

@unlink($fake);
@rmdir($tmp);
?>
--EXPECT--
wsserver.so found: true
fake swoole.so built: true
== wsserver alone
exit=0
{"swoole":false,"frame":true,"server":true,"const":true,"pack":true}
alive
stderr: (empty)
== fake swoole alone
exit=0
{"swoole":true,"frame":false,"server":false,"const":false,"pack":false}
alive
stderr: (empty)
== swoole first, then wsserver
exit=0
{"swoole":true,"frame":false,"server":false,"const":false,"pack":false}
alive
stderr has the conflict warning: true
stderr has a fatal error: false
== wsserver first, then swoole
exit=0
{"swoole":true,"frame":false,"server":false,"const":false,"pack":false}
alive
stderr has the conflict warning: true
stderr has a fatal error: false
