--TEST--
unpack(): a frame cut at any byte position gives false, with no diagnostic
--FILE--
<?php
require __DIR__ . '/../include/wsserver_test.inc';
ws_report_all_errors();
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;

$frames = [
    '7-bit length'          => "\x81\x05hello",
    '7-bit length, 125'     => ws_raw(0x82, str_repeat('b', 125)),
    '16-bit length'         => ws_raw(0x81, str_repeat('a', 126)),
    '16-bit length, 65535'  => ws_raw(0x82, str_repeat('c', 65535)),
    '64-bit length'         => ws_raw(0x82, str_repeat('d', 65536)),
    'masked 7-bit'          => ws_raw(0x81, 'hello', "\x37\xfa\x21\x3d"),
    'masked 16-bit'         => ws_raw(0x81, str_repeat('e', 300), "\x01\x02\x03\x04"),
    'masked 64-bit'         => ws_raw(0x82, str_repeat('f', 65537), "\xa0\xb0\xc0\xd0"),
    'masked empty'          => ws_raw(0x81, '', "\x01\x02\x03\x04"),
    'close'                 => "\x88\x05\x03\xe9bye",
    'masked close'          => ws_raw(0x88, "\x03\xe8ok", "\x05\x06\x07\x08"),
    'ping'                  => "\x89\x02hi",
    'compressed'            => "\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00",
];
foreach ($frames as $label => $wire) {
    $len = strlen($wire);
    $wrong = [];
    for ($i = 0; $i < $len; $i++) {
        $part = substr($wire, 0, $i);
        if (Server::unpack($part) !== false || Frame::unpack($part) !== false) {
            $wrong[] = $i;
        }
    }
    $whole = Server::unpack($wire);
    printf("%-22s %6d prefixes -> false: %s; whole frame decodes: %s\n", $label, $len,
        $wrong ? 'NO, at ' . implode(',', array_slice($wrong, 0, 10)) : 'yes',
        var_export($whole instanceof Frame, true));
}
// A header announcing far more data than given.
var_dump(Server::unpack("\x82\x7f\x00\x00\x00\x00\xff\xff\xff\xff" . str_repeat('x', 100)));
var_dump(Server::unpack("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff" . 'x'));
var_dump(Server::unpack("\x82\x7e\xff\xff" . str_repeat('x', 65534)));
var_dump(Server::unpack("\x82\xff\x00\x00\x00\x00\x00\x01\x00\x00\x01\x02\x03\x04" . str_repeat('x', 65535)));
?>
--EXPECT--
7-bit length                7 prefixes -> false: yes; whole frame decodes: true
7-bit length, 125         127 prefixes -> false: yes; whole frame decodes: true
16-bit length             130 prefixes -> false: yes; whole frame decodes: true
16-bit length, 65535    65539 prefixes -> false: yes; whole frame decodes: true
64-bit length           65546 prefixes -> false: yes; whole frame decodes: true
masked 7-bit               11 prefixes -> false: yes; whole frame decodes: true
masked 16-bit             308 prefixes -> false: yes; whole frame decodes: true
masked 64-bit           65551 prefixes -> false: yes; whole frame decodes: true
masked empty                6 prefixes -> false: yes; whole frame decodes: true
close                       7 prefixes -> false: yes; whole frame decodes: true
masked close               10 prefixes -> false: yes; whole frame decodes: true
ping                        4 prefixes -> false: yes; whole frame decodes: true
compressed                  9 prefixes -> false: yes; whole frame decodes: true
bool(false)
bool(false)
bool(false)
bool(false)
