--TEST--
Coroutine: when no C stack can be had (address space limit), go() warns "create coroutine failed" with PHP's reason and returns false, and the program goes on; stack_size is clamped as Swoole clamps it (64 KiB .. 16 MiB)
--SKIPIF--
<?php
if (!function_exists('proc_open')) die('skip proc_open needed');
// ASan reserves terabytes of address space: it cannot run under ulimit -v.
if (str_contains((string) getenv('LD_PRELOAD'), 'asan')) die('skip not under AddressSanitizer');
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
Co::set(['stack_size' => 1 << 40]);
echo "stack_size 1 TiB gives ", Co::getOptions()['stack_size'] ?? '?', " / c_stack_size ", Co::stats()['c_stack_size'], "\n";
Co::set(['stack_size' => 1]);
echo "stack_size 1 gives c_stack_size ", Co::stats()['c_stack_size'], "\n";

$script = ws_server_script(<<<'PHP'
<?php
Co::set(['stack_size' => 16 * 1024 * 1024]);
Co\run(function () {
    $made = 0;
    for ($i = 0; $i < 200; $i++) {
        $id = go(function () { Co::sleep(0.05); });
        if ($id === false) break;
        $made++;
    }
    echo "made some, then false: ", var_export($made > 0 && $made < 200, true), "\n";
    echo "still running\n";
});
echo "done\n";
PHP);
$cmd = 'ulimit -v 1500000; exec ' . escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg(ws_extension_path())
    . ' -d display_errors=1 ' . escapeshellarg($script) . ' 2>&1';
$out = shell_exec($cmd);
echo preg_replace(['~ in /\S+ on line \d+~', '~Cannot allocate memory \(12\)~'], ['', 'ENOMEM'], trim((string) $out)), "\n";
@unlink($script);
?>
--EXPECTF--
stack_size 1 TiB gives %d / c_stack_size 16777216
stack_size 1 gives c_stack_size 65536
Warning: go(): create coroutine failed: Fiber stack allocate failed: mmap failed: ENOMEM
made some, then false: true
still running
done
