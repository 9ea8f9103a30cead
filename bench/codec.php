<?php
// Frame codec throughput from PHP: pack()/unpack() calls per second for typical frames.
//   php -d extension=modules/wsserver.so bench/codec.php [seconds-per-case]
// Each case runs for a fixed time (default 0.5 s) and reports calls/s and ns/call.
// The numbers include PHP's call overhead, which dominates small frames.

use Swoole\WebSocket\Frame;

if (!class_exists(Frame::class)) {
    fwrite(STDERR, "load the extension: php -d extension=modules/wsserver.so bench/codec.php\n");
    exit(1);
}

$seconds = (float)($argv[1] ?? 0.5);

// Client frames as a browser sends them: masked with a fixed key (fine for a benchmark).
function masked_frame(int $opcode, string $payload): string
{
    $key = "\x11\x22\x33\x44";
    $len = strlen($payload);
    $head = chr(0x80 | $opcode);
    if ($len < 126) {
        $head .= chr(0x80 | $len);
    } elseif ($len < 65536) {
        $head .= chr(0x80 | 126) . pack('n', $len);
    } else {
        $head .= chr(0x80 | 127) . pack('J', $len);
    }
    return $head . $key . ($payload ^ str_repeat($key, intdiv($len + 3, 4)));
}

$text32 = str_repeat('a', 32);
$text1k = str_repeat('hello wsserver ', 69);
$bin64k = random_bytes(65536);
$frame = new Frame();
$frame->data = $text32;

$cases = [
    'pack 32 B text' => fn() => Frame::pack($text32),
    'pack 1 KiB text' => fn() => Frame::pack($text1k),
    'pack 64 KiB binary' => fn() => Frame::pack($bin64k, WEBSOCKET_OPCODE_BINARY),
    'pack Frame object 32 B' => fn() => Frame::pack($frame),
    'pack 1 KiB text, compressed' => fn() => Frame::pack($text1k, WEBSOCKET_OPCODE_TEXT,
        SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS),
    'unpack 32 B masked text' => (function () use ($text32) {
        $wire = masked_frame(1, $text32);
        return fn() => Frame::unpack($wire);
    })(),
    'unpack 1 KiB masked text' => (function () use ($text1k) {
        $wire = masked_frame(1, $text1k);
        return fn() => Frame::unpack($wire);
    })(),
    'unpack 64 KiB masked binary' => (function () use ($bin64k) {
        $wire = masked_frame(2, $bin64k);
        return fn() => Frame::unpack($wire);
    })(),
];

printf("%-32s %14s %10s\n", 'case', 'calls/s', 'ns/call');
foreach ($cases as $name => $fn) {
    $calls = 0;
    $start = hrtime(true);
    $deadline = $start + (int)($seconds * 1e9);
    do {
        for ($i = 0; $i < 1000; $i++) {
            $fn();
        }
        $calls += 1000;
        $now = hrtime(true);
    } while ($now < $deadline);
    $ns = ($now - $start) / $calls;
    printf("%-32s %14s %10.0f\n", $name, number_format(1e9 / $ns), $ns);
}
