--TEST--
Swoole\Event::write (output beyond the socket buffer goes out as the fd drains), cycle (after and before each round), dispatch, Socket objects, and the warnings of add/set/del/isset/write
--FILE--
<?php
use Swoole\Event;

[$c, $d] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$total = 3000000;
$got = 0;
Event::add($d, function ($s) use (&$got, $total, $c) {
    $got += strlen(fread($s, 65536));
    if ($got >= $total) {
        Event::del($s);
        Event::del($c);
    }
});
Event::add($c, fn () => null);
$after = $before = 0;
var_dump(Event::cycle(function () use (&$after) { $after++; }));
var_dump(swoole_event_cycle(function () use (&$before) { $before++; }, true));
var_dump(Event::write($c, str_repeat('x', $total)));
var_dump(Event::set($c, null, null, 0));
Event::wait();
var_dump($got, $after > 0, $before > 0);
var_dump(Event::cycle(null), Event::cycle(null, true), Event::cycle(null));

// dispatch(): one round
[$e, $f] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$seen = 0;
Event::add($f, function ($s) use (&$seen) {
    $seen++;
    echo "dispatch read: ", fread($s, 10), "\n";
});
fwrite($e, 'd');
for ($i = 0; $i < 100 && $seen === 0; $i++) {
    var_dump(swoole_event_dispatch());
}
Event::del($f);

// an ext/sockets Socket
if (function_exists('socket_create_pair')) {
    socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $pair);
    Event::add($pair[0], function ($s) use ($pair) {
        var_dump($s === $pair[0]);
        echo "socket read: ", socket_read($s, 10), "\n";
        Event::del($s);
    });
    socket_write($pair[1], 'sock');
    Event::wait();
} else {
    echo "bool(true)\nsocket read: sock\n";
}

// errors
var_dump(Event::add($e, null));
var_dump(Event::add($e, fn () => 1, null, 0));
var_dump(Event::add($e, fn () => 1, null, SWOOLE_EVENT_WRITE));
var_dump(Event::add(-1, fn () => 1));
var_dump(Event::add(1.5, fn () => 1));
Event::add($e, fn () => 1);
var_dump(Event::add($e, fn () => 1));
var_dump(Event::set($f, fn () => 1));
var_dump(Event::write($e, ''), Event::write($f, 'x'));
var_dump(Event::del($f), Event::isset($f));
var_dump(Event::del($e));
try {
    Event::add($e, 'no_such_function');
} catch (Throwable $t) {
    echo get_class($t), ' ', $t->getCode(), ': ', $t->getMessage(), "\n";
}
var_dump(Event::cycle('no_such_function'), Event::cycle(null));
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(true)
int(3000000)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
%Adispatch read: d
bool(true)
bool(true)
socket read: sock

Warning: Swoole\Event::add(): Swoole\Event: unable to find readable callback of fd [%d] in %s on line %d
bool(false)

Warning: Swoole\Event::add(): invalid events in %s on line %d
bool(false)

Warning: Swoole\Event::add(): Swoole\Event: unable to find writable callback of fd [%d] in %s on line %d
bool(false)

Warning: Swoole\Event::add(): invalid file descriptor#-1 passed in %s on line %d

Warning: Swoole\Event::add(): unknown fd type in %s on line %d
bool(false)

Warning: Swoole\Event::add(): invalid file descriptor passed in %s on line %d

Warning: Swoole\Event::add(): unknown fd type in %s on line %d
bool(false)

Warning: Swoole\Event::add(): already exist in %s on line %d
bool(false)

Warning: Swoole\Event::set(): socket[%d] is not found in the reactor in %s on line %d
bool(false)

Warning: Swoole\Event::write(): data empty in %s on line %d

Warning: Swoole\Event::write(): socket[%d] is not found in the reactor in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)
bool(true)

Warning: Swoole\Event::add(): function 'no_such_function' is not callable in %s on line %d

Warning: Swoole\Event::add(): Swoole\Event: unable to find readable callback of fd [%d] in %s on line %d
Swoole\Exception 505: readable_callback must be of type callable, string given

Warning: Swoole\Event::cycle(): function 'no_such_function' is not callable in %s on line %d
bool(false)
bool(false)
