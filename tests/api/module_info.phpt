--TEST--
module info: --ri / phpinfo() show the wsserver version, zlib and OpenSSL lines
--FILE--
<?php
var_dump(extension_loaded('wsserver'));
$ext = new ReflectionExtension('wsserver');
$version = $ext->getVersion();
var_dump(is_string($version) && preg_match('/^\d+\.\d+\.\d+/', $version) === 1);
var_dump(phpversion('wsserver') === $version);

$classes = $ext->getClassNames();
sort($classes);
echo implode("\n", array_intersect($classes, ['Swoole\Http\Server', 'Swoole\Server', 'Swoole\WebSocket\CloseFrame',
    'Swoole\WebSocket\Frame', 'Swoole\WebSocket\Server'])), "\n";

// What `php --ri wsserver` prints.
ob_start();
$ext->info();
$ri = ob_get_clean();

// The same section inside phpinfo(INFO_MODULES).
ob_start();
phpinfo(INFO_MODULES);
$all = ob_get_clean();
$lines = explode("\n", $all);
$start = array_search('wsserver', $lines, true);
var_dump($start !== false);
$others = array_map('strtolower', array_diff(get_loaded_extensions(), ['wsserver']));
$section = [];
for ($i = $start + 1; $i < count($lines); $i++) {
    if (in_array(strtolower(trim($lines[$i])), $others, true)) {
        break;
    }
    $section[] = $lines[$i];
}
$section = implode("\n", $section);

function row(string $text, string $re): ?string
{
    foreach (explode("\n", $text) as $line) {
        if (strpos($line, '=>') !== false && preg_match($re, $line)) {
            return $line;
        }
    }
    return null;
}
foreach (['--ri' => $ri, 'phpinfo' => $section] as $where => $text) {
    $v = row($text, '/version/i');
    echo $where, ': version row shows the version: ', var_export($v !== null && strpos($v, $version) !== false, true), "\n";
    foreach (['zlib', 'openssl'] as $lib) {
        $r = row($text, "/$lib/i");
        $value = $r === null ? '' : trim(substr($r, strrpos($r, '=>') + 2));
        echo $where, ": $lib row with a value: ", var_export($value !== '', true), "\n";
    }
}
// The --ri text and the phpinfo section are the same table.
var_dump(trim($ri) !== '' && strpos($all, trim($ri)) !== false);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
Swoole\Http\Server
Swoole\Server
Swoole\WebSocket\CloseFrame
Swoole\WebSocket\Frame
Swoole\WebSocket\Server
bool(true)
--ri: version row shows the version: true
--ri: zlib row with a value: true
--ri: openssl row with a value: true
phpinfo: version row shows the version: true
phpinfo: zlib row with a value: true
phpinfo: openssl row with a value: true
bool(true)
