--TEST--
Server: SWOOLE_PROCESS with worker_num 4 and 2 reactor threads: 20 connections spread over the workers, broadcast to all $server->connections from any worker, getClientList()/stats() see them all, sendMessage() and task() round trips, every close event exactly once
--SKIPIF--
<?php if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed'); ?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';
$srv = ws_start_server(ws_server_script(<<<'PHP'
<?php
use Swoole\WebSocket\Server;
$server = new Server('127.0.0.1', 0, SWOOLE_PROCESS);
echo "PORT {$server->port}\n";
$server->set(['worker_num' => 4, 'reactor_num' => 2, 'task_worker_num' => 1]);
$server->on('workerStart', function (Server $s, int $id) { echo "workerStart $id\n"; });
$server->on('open', function (Server $s, $req) { echo "open {$req->fd}\n"; });
$server->on('message', function (Server $s, $f) {
    [$cmd, $arg] = array_pad(explode(':', $f->data, 2), 2, '');
    if ($cmd === 'who') {
        $s->push($f->fd, "w={$s->getWorkerId()}");
    } elseif ($cmd === 'broadcast') {
        $n = 0;
        foreach ($s->connections as $fd) {
            $n += $s->isEstablished($fd) && $s->push($fd, "all:$arg") ? 1 : 0;
        }
        $s->push($f->fd, "pushed $n");
    } elseif ($cmd === 'list') {
        $s->push($f->fd, count($s->getClientList(0, 100)) . ' ' . $s->stats()['connection_num']);
    } elseif ($cmd === 'pipe') {
        $dst = ($s->getWorkerId() + 1) % 4;
        $s->sendMessage(['fd' => $f->fd, 'from' => $s->getWorkerId()], $dst);
    } elseif ($cmd === 'task') {
        $s->task(['fd' => $f->fd, 'data' => $arg]);
    }
});
$server->on('pipeMessage', function (Server $s, int $src, $msg) {
    $s->push($msg['fd'], "pipe from {$msg['from']} to {$s->getWorkerId()}");
});
$server->on('task', function (Server $s, int $id, int $src, $data) {
    return $data;
});
$server->on('finish', function (Server $s, int $id, $data) {
    $s->push($data['fd'], "task done: {$data['data']}");
});
$server->on('close', function (Server $s, int $fd) { echo "close $fd\n"; });
$server->start();
PHP));
for ($i = 0; $i < 5; $i++) ws_server_wait_output($srv, "workerStart $i", 10.0);

function ask(WsTestClient $c, string $m): string
{
    $c->send($m);
    return $c->recv(5.0)['payload'] ?? 'no reply';
}

$clients = [];
$workers = [];
for ($i = 0; $i < 20; $i++) {
    $clients[$i] = WsTestClient::connect($srv['port']);
    $workers[ask($clients[$i], 'who')] = true;
}
ksort($workers);
echo "workers serving: ", implode(' ', array_keys($workers)), "\n";
echo "list and stats: ", ask($clients[7], 'list'), "\n";
foreach ([0, 13] as $sender) {
    $clients[$sender]->send("broadcast:from $sender");
    $got = 0;
    $reply = '';
    foreach ($clients as $k => $c) {
        for ($j = 0; $j < 2; $j++) {  // the sender also gets "pushed N"
            $f = $c->recv(5.0);
            if (($f['payload'] ?? '') === "all:from $sender") {
                $got++;
                if ($k !== $sender) break;
            } elseif (str_starts_with($f['payload'] ?? '', 'pushed')) {
                $reply = $f['payload'];
            }
            if ($k !== $sender) break;
        }
    }
    echo "broadcast from $sender: $reply, received by $got\n";
}
preg_match('~^pipe from (\d) to (\d)$~', ask($clients[3], 'pipe'), $m);
echo "pipe message to the next worker: ", var_export($m && (int) $m[2] === ((int) $m[1] + 1) % 4, true), "\n";
echo ask($clients[3], 'task:hello'), "\n";
foreach ($clients as $c) {
    $c->sendClose(1000);
    $c->recv(3.0);
    $c->close();
}
usleep(300000);
$out = ws_stop_server($srv);
preg_match_all('~^open (\d+)$~m', $out, $opens);
preg_match_all('~^close (\d+)$~m', $out, $closes);
sort($opens[1]);
sort($closes[1]);
echo "opens: ", count($opens[1]), ", closes: ", count($closes[1]), ", same fds once each: ",
    var_export($opens[1] === $closes[1] && count(array_unique($closes[1])) === 20, true), "\n";
?>
--EXPECT--
workers serving: w=0 w=1 w=2 w=3
list and stats: 20 20
broadcast from 0: pushed 20, received by 20
broadcast from 13: pushed 20, received by 20
pipe message to the next worker: true
task done: hello
opens: 20, closes: 20, same fds once each: true
