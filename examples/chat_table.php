<?php
// A chat room served by 4 worker processes. Who is who (fd => name) lives in a
// Swoole\Table created before start(), so every worker sees every user, whichever
// worker their connection landed on.
//
//   php -d extension=wsserver.so examples/chat_table.php
//
// Protocol (text frames): the first message "name:<name>" joins the room; every later
// message is sent to everyone as "<name>: <text>"; "/who" lists the users.

use Swoole\Table;
use Swoole\WebSocket\Server;

$users = new Table(1024);
$users->column('name', Table::TYPE_STRING, 32);
$users->create();

$server = new Server('127.0.0.1', 9501, SWOOLE_PROCESS);
$server->set(['worker_num' => 4]);

function broadcast(Server $server, Table $users, string $text): void
{
    foreach ($users as $fd => $user) {
        if ($server->isEstablished((int) $fd)) {
            $server->push((int) $fd, $text);
        }
    }
}

$server->on('open', function (Server $server, $request) {
    $server->push($request->fd, 'welcome: send "name:<your name>" to join');
});

$server->on('message', function (Server $server, $frame) use ($users) {
    $fd = (string) $frame->fd;
    $name = $users->get($fd, 'name');
    if ($name === false) {
        if (strncmp($frame->data, 'name:', 5) !== 0 || trim(substr($frame->data, 5)) === '') {
            $server->push($frame->fd, 'send "name:<your name>" first');
            return;
        }
        $name = trim(substr($frame->data, 5));
        $users->set($fd, ['name' => $name]);
        broadcast($server, $users, "$name joined (worker {$server->getWorkerId()})");
        return;
    }
    if ($frame->data === '/who') {
        $names = [];
        foreach ($users as $user) {
            $names[] = $user['name'];
        }
        sort($names);
        $server->push($frame->fd, 'users: ' . implode(', ', $names));
        return;
    }
    broadcast($server, $users, "$name: {$frame->data}");
});

$server->on('close', function (Server $server, int $fd) use ($users) {
    $name = $users->get((string) $fd, 'name');
    if ($name !== false) {
        $users->del((string) $fd);
        broadcast($server, $users, "$name left");
    }
});

echo "chat on ws://127.0.0.1:9501 with 4 workers\n";
$server->start();
