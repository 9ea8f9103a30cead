--TEST--
Server: event order, Http\Request fields, push/isEstablished/exist/getClientInfo/connections/disconnect/timers
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$script = ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
use Swoole\WebSocket\Frame;
$server = new Server("127.0.0.1", 0);
echo "PORT {$server->port}\n";
set_error_handler(function ($no, $msg) { echo "WARNING: $msg\n"; return true; });
$server->on('start', function (Server $s) { echo "start master_pid_ok=", var_export($s->master_pid === getmypid(), true), "\n"; });
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id worker_id={$s->getWorkerId()}\n"; });
$server->on('workerStop', function (Server $s, int $id) { echo "workerStop $id\n"; });
$server->on('shutdown', function (Server $s) { echo "shutdown\n"; });
$server->on('connect', function (Server $s, int $fd, int $reactor) { echo "connect $fd reactor=$reactor\n"; });
$server->on('open', function (Server $s, Swoole\Http\Request $r) {
    echo "open fd={$r->fd} uri={$r->server['request_uri']} qs=" . ($r->server['query_string'] ?? '-') . " method={$r->server['request_method']}\n";
    echo "get=", json_encode($r->get), " cookie=", json_encode($r->cookie), " x-test=", $r->header['x-test'] ?? '-', "\n";
    $keys = array_keys($r->server);
    sort($keys);
    echo "server keys: ", implode(',', $keys), "\n";
    echo "remote_addr={$r->server['remote_addr']} port_ok=", var_export($r->server['server_port'] === $s->port, true),
        " raw=", var_export($r->rawContent(), true), "\n";
});
$server->on('message', function (Server $s, Frame $f) {
    echo "message fd={$f->fd} data={$f->data} opcode={$f->opcode} flags={$f->flags} finish=", var_export($f->finish, true), "\n";
    switch ($f->data) {
    case 'est':
        $s->push($f->fd, json_encode([$s->isEstablished($f->fd), $s->exist($f->fd), $s->exists($f->fd), $s->exists(999), $s->isEstablished(999)]));
        break;
    case 'info':
        $i = $s->getClientInfo($f->fd);
        $s->push($f->fd, implode(',', array_keys($i)) . " status={$i['websocket_status']} ip={$i['remote_ip']} reactor={$i['reactor_id']}");
        break;
    case 'bad':
        $s->push($f->fd, json_encode([$s->push(999, 'x'), $s->getClientInfo(999), $s->disconnect(999)]));
        break;
    case 'count':
        $ids = [];
        foreach ($s->connections as $id) { $ids[] = $id; }
        $s->push($f->fd, json_encode([count($s->connections), $ids, $s->getClientList()]));
        break;
    case 'frame':
        $fr = new Frame();
        $fr->data = 'binary';
        $fr->opcode = WEBSOCKET_OPCODE_BINARY;
        $s->push($f->fd, $fr);
        break;
    case 'timers':
        $fd = $f->fd;
        $s->defer(function () use ($s, $fd) { $s->push($fd, 'defer'); });
        $s->after(30, function ($to, $word) use ($s) { $s->push($to, "after $word"); }, $fd, 'x');
        $n = 0;
        $s->tick(10, function ($id, $to) use ($s, &$n) { $s->push($to, 'tick ' . ++$n); if ($n === 2) { var_dump($s->clearTimer($id)); } }, $fd);
        break;
    case 'bye':
        var_dump($s->disconnect($f->fd, 4000, 'bye'));
        break;
    }
});
$server->on('close', function (Server $s, int $fd, int $reactor) {
    $i = $s->getClientInfo($fd);
    echo "close $fd reactor=$reactor peer_code=", $i['close_code'] ?? '-', " peer_reason=", $i['close_reason'] ?? '-', "\n";
});
var_dump($server->start());
PHP);
$srv = ws_start_server($script);
$c = WsTestClient::connect($srv['port'], '/chat/room?a=1&b[]=x%20y&b[]=2', 2.0, ['X-Test: yes', 'Cookie: sid=abc%21; theme=dark']);
foreach (['est', 'info', 'bad', 'count', 'frame'] as $cmd) {
    $c->send($cmd);
    echo "$cmd -> ", ws_frame_line($c->recv()), "\n";
}
$c2 = WsTestClient::connect($srv['port']);
$c->send('count');
echo "count -> ", ws_frame_line($c->recv()), "\n";
$c2->sendClose(1001, 'gone');
echo "c2 -> ", ws_frame_line($c2->recv()), "\n";
$c2->waitEof();
$c2->close();
$c->send('timers');
for ($i = 0; $i < 4; $i++) {
    echo "timers -> ", ws_frame_line($c->recv()), "\n";
}
$c->send('bye');
echo "bye -> ", ws_frame_line($c->recv()), "\n";
$c->sendClose(4000, 'bye');
var_dump($c->waitEof());
$c->close();
ws_server_wait_output($srv, 'close 1 ');
echo ws_stop_server($srv);
?>
--EXPECT--
est -> opcode=1 fin=1 payload=[true,true,true,false,false]
info -> opcode=1 fin=1 payload=websocket_status,server_port,server_fd,socket_fd,socket_type,remote_port,remote_ip,reactor_id,connect_time,last_time,last_recv_time,last_send_time,last_dispatch_time,close_errno,recv_queued_bytes,send_queued_bytes status=3 ip=127.0.0.1 reactor=0
bad -> opcode=1 fin=1 payload=[false,false,false]
count -> opcode=1 fin=1 payload=[1,[1],[1]]
frame -> opcode=2 fin=1 payload=binary
count -> opcode=1 fin=1 payload=[2,[1,2],[1,2]]
c2 -> close code=1001 reason=
timers -> opcode=1 fin=1 payload=defer
timers -> opcode=1 fin=1 payload=tick 1
timers -> opcode=1 fin=1 payload=tick 2
timers -> opcode=1 fin=1 payload=after x
bye -> close code=4000 reason=bye
bool(true)
start master_pid_ok=true
workerStart 0 worker_id=0
connect 1 reactor=0
open fd=1 uri=/chat/room qs=a=1&b[]=x%20y&b[]=2 method=GET
get={"a":"1","b":["x y","2"]} cookie={"sid":"abc!","theme":"dark"} x-test=yes
server keys: master_time,path_info,query_string,remote_addr,remote_port,request_method,request_time,request_time_float,request_uri,server_addr,server_port,server_protocol
remote_addr=127.0.0.1 port_ok=true raw=''
message fd=1 data=est opcode=1 flags=1 finish=true
message fd=1 data=info opcode=1 flags=1 finish=true
message fd=1 data=bad opcode=1 flags=1 finish=true
WARNING: Swoole\WebSocket\Server::push(): session#999 does not exists
WARNING: Swoole\WebSocket\Server::disconnect(): session#999 does not exists
message fd=1 data=count opcode=1 flags=1 finish=true
message fd=1 data=frame opcode=1 flags=1 finish=true
connect 2 reactor=0
open fd=2 uri=/ qs=- method=GET
get=null cookie=null x-test=-
server keys: master_time,path_info,remote_addr,remote_port,request_method,request_time,request_time_float,request_uri,server_addr,server_port,server_protocol
remote_addr=127.0.0.1 port_ok=true raw=''
message fd=1 data=count opcode=1 flags=1 finish=true
close 2 reactor=0 peer_code=1001 peer_reason=gone
message fd=1 data=timers opcode=1 flags=1 finish=true
bool(true)
message fd=1 data=bye opcode=1 flags=1 finish=true
bool(true)
close 1 reactor=0 peer_code=4000 peer_reason=bye
workerStop 0
shutdown
bool(true)
