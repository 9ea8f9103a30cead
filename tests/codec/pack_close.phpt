--TEST--
pack(): close frames (code + reason, code 1000 by default, reason length, close codes RFC 6455 allows on the wire)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\CloseFrame;

// A string with opcode 8 is the reason, sent with code 1000.
echo ws_show(ws_pack('', WEBSOCKET_OPCODE_CLOSE)), "\n";
echo ws_show(ws_pack('going', WEBSOCKET_OPCODE_CLOSE)), "\n";
echo ws_show(ws_pack('bye', SWOOLE_WEBSOCKET_OPCODE_CLOSE, 0)), "\n";

// CloseFrame objects.
$c = new CloseFrame();
echo ws_show(ws_pack($c)), "\n";
$c->code = WEBSOCKET_CLOSE_GOING_AWAY;
$c->reason = 'bye';
echo ws_show(ws_pack($c)), "\n";
echo bin2hex((string) $c), "\n";
$c->code = null;
echo ws_show(ws_pack($c)), "\n";
$c->code = 4999;
$c->reason = "\u{e9}t\u{e9}";
echo ws_show(ws_pack($c)), "\n";
$c->data = 'ignored: data is not the close payload';
echo ws_show(ws_pack($c)), "\n";

// The reason may fill a control frame exactly (2 + 123 = 125 bytes) and no more.
$f = ws_pack(str_repeat('r', 123), WEBSOCKET_OPCODE_CLOSE);
echo bin2hex(substr($f, 0, 4)), ' ', strlen($f), ' ', var_export(substr($f, 4) === str_repeat('r', 123), true), "\n";
$c = new CloseFrame();
$c->reason = str_repeat('r', 123);
echo bin2hex(substr(ws_pack($c), 0, 4)), "\n";
foreach ([124, 125, 200, 70000] as $n) {
    [$r, $e] = ws_capture(fn () => Server::pack(str_repeat('r', $n), WEBSOCKET_OPCODE_CLOSE));
    echo "string reason of $n bytes: ", ws_show($r), ' ', implode(' | ', array_map(fn ($x) => strtok($x, ':'), $e)), "\n";
    $c->reason = str_repeat('r', $n);
    [$r, $e] = ws_capture(fn () => Server::pack($c));
    echo "CloseFrame reason of $n bytes: ", ws_show($r), ' ', implode(' | ', array_map(fn ($x) => strtok($x, ':'), $e)), "\n";
}

// Every code from -5 to 70000 (plus a few extremes): packed exactly when RFC 6455 allows it
// on the wire (1000-1003, 1007-1014, 3000-4999); otherwise one E_WARNING and false.
$accepted = [];
$problems = 0;
$codes = array_merge(range(-5, 70000), [PHP_INT_MAX, PHP_INT_MIN, 65536 + 1000, (1 << 32) + 1000]);
$c = new CloseFrame();
$c->reason = 'r';
foreach ($codes as $code) {
    $c->code = $code;
    [$r, $e] = ws_capture(fn () => Server::pack($c));
    if (is_string($r) && $e === [] && $r === "\x88\x03" . pack('n', $code) . 'r') {
        $accepted[] = $code;
    } elseif ($r === false && count($e) === 1 && str_starts_with($e[0], 'E_WARNING')) {
        // refused as documented
    } else {
        $problems++;
        if ($problems <= 5) {
            echo "code $code: ", ws_show($r), ' ', implode(' | ', $e), "\n";
        }
    }
}
$ranges = [];
foreach ($accepted as $code) {
    if ($ranges && end($ranges)[1] === $code - 1) {
        $ranges[count($ranges) - 1][1] = $code;
    } else {
        $ranges[] = [$code, $code];
    }
}
echo 'accepted: ', implode(',', array_map(fn ($r) => $r[0] . '-' . $r[1], $ranges)), "\n";
echo "problems: $problems\n";

// The documented refusals, one by one, through both entry points.
foreach ([1005, 1006, 999, 5000, 0, 1004, 1015] as $code) {
    $c->code = $code;
    [$r1, $e1] = ws_capture(fn () => Server::pack($c));
    [$r2, $e2] = ws_capture(fn () => Swoole\WebSocket\Frame::pack($c));
    echo "code $code: ", ws_show($r1), ' ', count($e1), ' ', strtok($e1[0] ?? '-', ':'), ' / ',
        ws_show($r2), ' ', count($e2), ' ', strtok($e2[0] ?? '-', ':'), "\n";
}
?>
--EXPECT--
string(4) 880203e8
string(9) 880703e8676f696e67
string(7) 880503e8627965
string(4) 880203e8
string(7) 880503e9627965
880503e9627965
string(7) 880503e8627965
string(9) 88071387c3a974c3a9
string(9) 88071387c3a974c3a9
887d03e8 127 true
887d03e8
string reason of 124 bytes: false E_WARNING
CloseFrame reason of 124 bytes: false E_WARNING
string reason of 125 bytes: false E_WARNING
CloseFrame reason of 125 bytes: false E_WARNING
string reason of 200 bytes: false E_WARNING
CloseFrame reason of 200 bytes: false E_WARNING
string reason of 70000 bytes: false E_WARNING
CloseFrame reason of 70000 bytes: false E_WARNING
accepted: 1000-1003,1007-1014,3000-4999
problems: 0
code 1005: false 1 E_WARNING / false 1 E_WARNING
code 1006: false 1 E_WARNING / false 1 E_WARNING
code 999: false 1 E_WARNING / false 1 E_WARNING
code 5000: false 1 E_WARNING / false 1 E_WARNING
code 0: false 1 E_WARNING / false 1 E_WARNING
code 1004: false 1 E_WARNING / false 1 E_WARNING
code 1015: false 1 E_WARNING / false 1 E_WARNING
