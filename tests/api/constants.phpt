--TEST--
constants: every Swoole constant of the milestone exists with exactly the expected value and type
--FILE--
<?php
$expected = require __DIR__ . '/../include/swoole_constants.inc';
$bad = 0;
foreach ($expected as $name => $value) {
    if (!defined($name)) {
        echo "missing: $name\n";
        $bad++;
        continue;
    }
    $actual = constant($name);
    if ($actual !== $value) {
        echo "wrong: $name = ", var_export($actual, true), ' (', gettype($actual), '), expected ',
            var_export($value, true), "\n";
        $bad++;
    }
}
// They are global constants, not namespaced ones, and belong to the extension.
$ext = get_defined_constants(true)['wsserver'] ?? [];
foreach ($expected as $name => $value) {
    if (!array_key_exists($name, $ext)) {
        echo "not registered by wsserver: $name\n";
        $bad++;
    }
}
echo count($expected), " constants checked, $bad problems\n";
var_dump(SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS | SWOOLE_WEBSOCKET_FLAG_RSV1
    | SWOOLE_WEBSOCKET_FLAG_RSV2 | SWOOLE_WEBSOCKET_FLAG_RSV3 | SWOOLE_WEBSOCKET_FLAG_MASK);
var_dump(WEBSOCKET_OPCODE_PONG, SWOOLE_SOCK_ASYNC, SWOOLE_SOCK_SYNC);
?>
--EXPECT--
141 constants checked, 0 problems
int(63)
int(10)
bool(true)
bool(false)
