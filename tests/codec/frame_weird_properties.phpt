--TEST--
pack(): Frame objects whose untyped properties hold other types are converted, never crash
--FILE--
<?php
/*
 * What is asserted (the properties are untyped, so pack() converts what it finds):
 *  - data: scalars and null become their string form (123 -> "123", null -> "", true -> "1",
 *    1.5 -> "1.5"), a Stringable object its __toString(); an unset data is "".
 *  - opcode/flags/code: numeric strings, floats with no fraction and bools become ints
 *    ('2' -> 2); a non-numeric string is 0 (so flags 'abc' is no flag; the default
 *    finish=true still makes the frame final).
 *  - finish: any non-null value is judged by its truthiness (0, '' clear FIN; 'yes' sets it).
 *  - reason: its string form (123 -> "123", null -> "").
 *  - values that cannot be converted (arrays, plain objects) must not crash PHP: either an
 *    exception, or a warning and a result; the test only requires PHP to survive them.
 * No diagnostic is expected for the converted cases.
 */
require __DIR__ . '/../include/wsserver_test.inc';
use Swoole\WebSocket\Frame;
use Swoole\WebSocket\CloseFrame;

function frame(array $props, string $class = Frame::class): Frame
{
    $f = new $class();
    foreach ($props as $k => $v) {
        $f->$k = $v;
    }
    return $f;
}
function clean(string $label, Frame $f): void
{
    [$r, $e] = ws_capture(fn () => ws_pack($f));
    printf("%-26s %s%s\n", $label, ws_show($r), $e ? '  diagnostics: ' . implode(' | ', $e) : '');
}
function survive(string $label, Frame $f): void
{
    ob_start();
    [$r, $e] = ws_capture(function () use ($f) {
        try {
            $a = Swoole\WebSocket\Server::pack($f);
        } catch (Throwable $t) {
        }
        try {
            $b = (string) $f;
        } catch (Throwable $t) {
        }
        return true;
    });
    ob_end_clean();
    echo $label, ": survived\n";
}
class Txt
{
    public function __toString(): string
    {
        return 'ts';
    }
}

clean('data = 123', frame(['data' => 123]));
clean('data = null', frame(['data' => null]));
clean('data = true', frame(['data' => true]));
clean('data = false', frame(['data' => false]));
clean('data = 1.5', frame(['data' => 1.5]));
clean('data = Stringable', frame(['data' => new Txt()]));
$f = new Frame();
unset($f->data);
clean('data unset', $f);
clean("opcode = '2'", frame(['data' => 'x', 'opcode' => '2']));
clean("opcode = '9'", frame(['data' => 'x', 'opcode' => '9']));
clean('opcode = 2.0', frame(['data' => 'x', 'opcode' => 2.0]));
clean('opcode = true', frame(['data' => 'x', 'opcode' => true]));
clean("flags = 'abc'", frame(['data' => 'x', 'flags' => 'abc']));
clean('flags = null', frame(['data' => 'x', 'flags' => null]));
clean("flags = '4'", frame(['data' => 'x', 'flags' => '4']));
clean("flags = '2' (compress)", frame(['data' => 'Hello', 'flags' => '2']));
clean('finish = 0', frame(['data' => 'x', 'finish' => 0]));
clean("finish = ''", frame(['data' => 'x', 'finish' => '']));
clean("finish = 'yes'", frame(['data' => 'x', 'finish' => 'yes', 'flags' => 0]));
clean("code = '1001'", frame(['code' => '1001'], CloseFrame::class));
clean('code = 3000.0', frame(['code' => 3000.0], CloseFrame::class));
clean('reason = 123', frame(['reason' => 123], CloseFrame::class));
clean('reason = null', frame(['reason' => null], CloseFrame::class));
// A non-numeric close code is 0, which may not be sent: refused like code 0.
[$r, $e] = ws_capture(fn () => Swoole\WebSocket\Server::pack(frame(['code' => 'abc'], CloseFrame::class)));
echo "code = 'abc': ", ws_show($r), ' ', count($e), ' ', strtok($e[0] ?? '-', ':'), "\n";

survive('data = []', frame(['data' => []]));
survive('data = [1,2]', frame(['data' => [1, 2]]));
survive('data = stdClass', frame(['data' => new stdClass()]));
survive('data = closure', frame(['data' => fn () => 1]));
survive("opcode = 'abc'", frame(['opcode' => 'abc']));
survive('opcode = null', frame(['opcode' => null]));
survive('opcode = []', frame(['opcode' => []]));
survive('opcode = stdClass', frame(['opcode' => new stdClass()]));
survive('flags = []', frame(['flags' => []]));
survive('flags = stdClass', frame(['flags' => new stdClass()]));
survive('finish = []', frame(['finish' => []]));
survive('code = []', frame(['code' => []], CloseFrame::class));
survive('reason = stdClass', frame(['reason' => new stdClass()], CloseFrame::class));
survive('reason = []', frame(['reason' => [1]], CloseFrame::class));
$f = new Frame();
unset($f->opcode, $f->flags, $f->finish);
survive('opcode/flags/finish unset', $f);
$c = new CloseFrame();
unset($c->code, $c->reason);
survive('code/reason unset', $c);
$f = new Frame();
$f->data = &$f->data;  // a reference
survive('data is a reference', $f);
$f = new Frame();
$f->data = $f;         // the frame itself
survive('data is the frame', $f);
echo "end\n";
?>
--EXPECT--
data = 123                 string(5) 8103313233
data = null                string(2) 8100
data = true                string(3) 810131
data = false               string(2) 8100
data = 1.5                 string(5) 8103312e35
data = Stringable          string(4) 81027473
data unset                 string(2) 8100
opcode = '2'               string(3) 820178
opcode = '9'               string(3) 890178
opcode = 2.0               string(3) 820178
opcode = true              string(3) 810178
flags = 'abc'              string(3) 810178
flags = null               string(3) 810178
flags = '4'                string(3) c10178
flags = '2' (compress)     string(9) c107f248cdc9c90700
finish = 0                 string(3) 010178
finish = ''                string(3) 010178
finish = 'yes'             string(3) 810178
code = '1001'              string(4) 880203e9
code = 3000.0              string(4) 88020bb8
reason = 123               string(7) 880503e8313233
reason = null              string(4) 880203e8
code = 'abc': false 1 E_WARNING
data = []: survived
data = [1,2]: survived
data = stdClass: survived
data = closure: survived
opcode = 'abc': survived
opcode = null: survived
opcode = []: survived
opcode = stdClass: survived
flags = []: survived
flags = stdClass: survived
finish = []: survived
code = []: survived
reason = stdClass: survived
reason = []: survived
opcode/flags/finish unset: survived
code/reason unset: survived
data is a reference: survived
data is the frame: survived
end
