--TEST--
Server: docs/SETTINGS.md is what scripts/settings_doc.php prints from the settings table, and set() knows every documented key with the documented type
--SKIPIF--
<?php
if (!is_file(__DIR__ . '/../../docs/SETTINGS.md') || !is_file(__DIR__ . '/../../scripts/settings_doc.php')) {
    die('skip needs the source tree (docs/SETTINGS.md, scripts/settings_doc.php)');
}
?>
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
require __DIR__ . '/../../scripts/settings_doc.php';

// 1. The file is the table: every key with its type, default, range, scope and text.
$rows = wsserver_settings_table();
$expected = wsserver_settings_markdown($rows);
$actual = file_get_contents(__DIR__ . '/../../docs/SETTINGS.md');
if ($actual === $expected) {
    echo "docs/SETTINGS.md matches the table\n";
} else {
    echo "docs/SETTINGS.md differs from the table; regenerate it with scripts/settings_doc.php\n";
    $want = explode("\n", $expected);
    $have = explode("\n", $actual);
    foreach (array_diff($want, $have) as $line) echo "missing: $line\n";
    foreach (array_diff($have, $want) as $line) echo "stale:   $line\n";
}
$names = array_column($rows, 'name');
echo count($rows), " keys, ", count(array_unique($names)), " distinct\n";

// 2. Every key documented in the file is one set() checks (a value of the wrong type is
// refused with a warning naming it), with the documented type. A port's own keys are
// checked by a port's set().
$words = [
    'int' => "must be of type int, array given",
    'int (flags)' => "must be of type int, array given",
    'bool' => "must be of type bool, array given",
    'string' => "must be of type string, array given",
    'float (seconds)' => "must be a number of seconds >= 0, array given",
];
$server = new Swoole\Server('127.0.0.1', 0);
$port = $server->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
$documented = 0;
foreach (explode("\n", $actual) as $line) {
    if (!preg_match('/^\| `(\w+)` \| ([^|]+) \| .* \| ([^|]+) \| [^|]+ \| [^|]+ \|$/', $line, $m)) continue;
    [, $key, $type, $applies] = $m;
    $documented++;
    $target = trim($applies) === 'port' ? $port : $server;
    [$r, $errors] = ws_capture(fn () => $target->set([$key => []]));
    $want = "setting '$key' " . ($words[trim($type)] ?? "(unknown type '$type')");
    // (Port::set() returns nothing, as Swoole's.)
    if ($r === true || count($errors) !== 1 || strpos($errors[0], $want) === false) {
        echo "$key: expected a warning with \"$want\", got ", var_export($r, true), ' ', implode(' | ', $errors), "\n";
    }
}
echo "$documented documented keys checked, as many as in the table: ", var_export($documented === count($rows), true), "\n";

// 3. A key set() does not know is still accepted and kept in $server->setting.
[$r, $errors] = ws_capture(fn () => $server->set(['no_such_key' => [1]]));
echo 'unknown key: ', var_export($r, true), ' ', count($errors), ' warnings, kept: ',
    var_export($server->setting['no_such_key'] === [1], true), "\n";
?>
--EXPECTF--
docs/SETTINGS.md matches the table
%d keys, %d distinct
%d documented keys checked, as many as in the table: true
unknown key: true 0 warnings, kept: true
