--TEST--
Swoole\Event::add/set/del/isset on a stream_socket_pair, a real TCP socket and an int fd: callbacks get what add() got, run in coroutines and keep Event::wait() alive while an fd is registered
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Event;

// a socket pair: read callback, del from inside it
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$fd = Event::add($a, function ($s) use ($a) {
    var_dump($s === $a, Coroutine::getCid() > 0);
    $data = fread($s, 100);
    echo "read: $data\n";
    if ($data === 'bye') {
        var_dump(Event::del($s), Event::isset($s));
    }
});
var_dump(is_int($fd) && $fd > 2, Event::isset($a), Event::isset($a, SWOOLE_EVENT_WRITE), Event::isset($a, SWOOLE_EVENT_READ));
fwrite($b, 'hello');
Swoole\Timer::after(5, function () use ($b) {
    fwrite($b, 'bye');
});
// a write callback, removed after its first call
Event::add($b, null, function ($s) use ($b) {
    var_dump($s === $b);
    echo "writable\n";
    Event::del($s);
}, SWOOLE_EVENT_WRITE);
Event::wait();
echo "loop ended\n";
var_dump(Event::del($a), Event::isset($a));

// a real TCP socket on 127.0.0.1: accept and read through callbacks
$server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
$addr = stream_socket_get_name($server, false);
Event::add($server, function ($srv) {
    $conn = stream_socket_accept($srv, 0);
    echo "accepted\n";
    Event::add($conn, function ($c) {
        $data = fread($c, 100);
        if ($data === '' || $data === false) {
            echo "peer closed\n";
            Event::del($c);
            fclose($c);
            return;
        }
        echo "server got: $data\n";
        fwrite($c, strtoupper($data));
    });
    Event::del($srv);
});
$client = stream_socket_client("tcp://$addr", $errno, $errstr, 5);
fwrite($client, 'ping');
Event::add($client, function ($c) {
    echo "client got: ", fread($c, 100), "\n";
    Event::del($c);
    fclose($c);
});
Event::wait();
echo "tcp done\n";

// an int fd (what add() returned), set() switching callbacks and interest
[$c, $d] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$dfd = Event::add($d, fn () => null);
Event::del($d);
var_dump(swoole_event_add($dfd, function ($fd) use ($dfd, $d) {
    var_dump($fd === $dfd);
    echo "int fd read: ", fread($d, 100), "\n";
    swoole_event_set($fd, null, function ($fd) {
        echo "now writable\n";
        swoole_event_del($fd);
    }, SWOOLE_EVENT_WRITE);
}) === $dfd);
var_dump(swoole_event_isset($dfd, SWOOLE_EVENT_READ), swoole_event_isset($dfd, SWOOLE_EVENT_WRITE));
fwrite($c, 'x');
Event::wait();
var_dump(swoole_event_isset($dfd));

// inside a coroutine runtime (Coroutine\run) too
Coroutine\run(function () use ($c, $d) {
    Event::add($d, function ($s) {
        echo "in run: ", fread($s, 10), "\n";
        Event::del($s);
    });
    go(function () use ($c) {
        Coroutine::sleep(0.001);
        fwrite($c, 'y');
    });
});
echo "run done\n";

// nothing calls Event::wait(): the loop at the end of the script serves the fd
[$g, $h] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
Event::add($g, function ($s) {
    echo "at the end: ", fread($s, 10), "\n";
    Event::del($s);
});
Event::defer(function () use ($h) {
    fwrite($h, 'late');
});
echo "script end\n";
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
read: hello
bool(true)
writable
bool(true)
bool(true)
read: bye
bool(true)
bool(false)
loop ended
bool(false)
bool(false)
accepted
server got: ping
client got: PING
peer closed
tcp done
bool(true)
bool(true)
bool(false)
bool(true)
int fd read: x
now writable
bool(false)
in run: y
run done
script end
at the end: late
