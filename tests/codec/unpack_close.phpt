--TEST--
unpack(): close frames give a CloseFrame (code 1005 for an empty body, reason, data ''; code and UTF-8 not judged)
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();

$cases = [
    'empty body'             => "\x88\x00",
    'empty body, masked'     => "\x88\x80\x12\x34\x56\x78",
    'code 1000'              => "\x88\x02\x03\xe8",
    'code 1001 + bye'        => "\x88\x05\x03\xe9bye",
    'code 4999 + utf-8'      => "\x88\x04\x13\x87\xc3\xa9",
    'code 0 (not judged)'    => "\x88\x02\x00\x00",
    'code 1005 (not judged)' => "\x88\x02\x03\xed",
    'code 1006 (not judged)' => "\x88\x02\x03\xee",
    'code 5000 (not judged)' => "\x88\x02\x13\x88",
    'code 65535'             => "\x88\x02\xff\xff",
    'bad utf-8 reason'       => "\x88\x04\x03\xe8\xff\xc0",
    'reason with NUL'        => "\x88\x04\x03\xe8a\x00",
    'trailing bytes'         => "\x88\x02\x03\xe8\x81\x00",
];
foreach ($cases as $label => $wire) {
    printf("%-24s %s\n", $label, ws_frame_str(ws_unpack($wire)));
}
// Largest close body: 2 + 123 bytes.
$f = ws_unpack("\x88\x7d\x0f\xa0" . str_repeat('r', 123));
var_dump($f->code, strlen($f->reason), $f->data);
// A 1-byte body is malformed.
var_dump(ws_unpack("\x88\x01\x03"), ws_unpack("\x88\x81\x01\x02\x03\x04\x05"));
// The object is a CloseFrame, so also a Frame, and packs back to the same bytes.
$f = Swoole\WebSocket\Server::unpack("\x88\x05\x03\xe9bye");
var_dump($f instanceof Swoole\WebSocket\Frame, get_class($f), bin2hex(Swoole\WebSocket\Server::pack($f)));
?>
--EXPECT--
empty body               Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1005 reason=hex: data=hex:
empty body, masked       Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=33 finish=true code=1005 reason=hex: data=hex:
code 1000                Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1000 reason=hex: data=hex:
code 1001 + bye          Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1001 reason=hex:627965 data=hex:
code 4999 + utf-8        Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=4999 reason=hex:c3a9 data=hex:
code 0 (not judged)      Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=0 reason=hex: data=hex:
code 1005 (not judged)   Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1005 reason=hex: data=hex:
code 1006 (not judged)   Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1006 reason=hex: data=hex:
code 5000 (not judged)   Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=5000 reason=hex: data=hex:
code 65535               Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=65535 reason=hex: data=hex:
bad utf-8 reason         Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1000 reason=hex:ffc0 data=hex:
reason with NUL          Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1000 reason=hex:6100 data=hex:
trailing bytes           Swoole\WebSocket\CloseFrame fd=0 opcode=8 flags=1 finish=true code=1000 reason=hex: data=hex:
int(4000)
int(123)
string(0) ""
bool(false)
bool(false)
bool(true)
string(27) "Swoole\WebSocket\CloseFrame"
string(14) "880503e9627965"
