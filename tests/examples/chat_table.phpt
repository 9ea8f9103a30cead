--TEST--
Example: examples/chat_table.php runs unchanged with 4 workers: two clients join, each sees the other's name and messages through the shared Swoole\Table
--SKIPIF--
<?php
if (!function_exists('posix_kill') || !function_exists('proc_open')) die('skip posix and proc_open needed');
$probe = @stream_socket_server('tcp://127.0.0.1:9501');
if (!$probe) die('skip port 9501 is in use');
fclose($probe);
?>
--FILE--
<?php
require __DIR__ . '/../include/ws_client.inc';

/** Reads text frames until one equals $want (bounded); returns it or what came last. */
function expect_text(WsTestClient $c, string $want): string
{
    $last = 'nothing';
    for ($i = 0; $i < 20; $i++) {
        $f = $c->recv(5.0);
        if ($f === null) {
            return "timeout after: $last";
        }
        $last = $f['payload'];
        if ($last === $want) {
            return $last;
        }
    }
    return "not seen, last: $last";
}

$srv = ws_start_server(__DIR__ . '/../../examples/chat_table.php', 9501, 10.0);
try {
    $alice = WsTestClient::connect(9501);
    echo expect_text($alice, 'welcome: send "name:<your name>" to join'), "\n";
    $alice->send('hello?');
    echo expect_text($alice, 'send "name:<your name>" first'), "\n";
    $alice->send('name:Alice');
    $f = $alice->recv(5.0);
    echo preg_replace('~worker \d~', 'worker N', $f['payload'] ?? 'none'), "\n";

    $bob = WsTestClient::connect(9501);
    expect_text($bob, 'welcome: send "name:<your name>" to join');
    $bob->send('name:Bob');
    $f = $bob->recv(5.0);
    echo preg_replace('~worker \d~', 'worker N', $f['payload'] ?? 'none'), "\n";
    $f = $alice->recv(5.0);  // Alice sees Bob join
    echo preg_replace('~worker \d~', 'worker N', $f['payload'] ?? 'none'), "\n";

    $alice->send('hi Bob');
    echo expect_text($bob, 'Alice: hi Bob'), "\n";
    echo expect_text($alice, 'Alice: hi Bob'), "\n";
    $bob->send('hello Alice');
    echo expect_text($alice, 'Bob: hello Alice'), "\n";
    $bob->send('/who');
    echo expect_text($bob, 'users: Alice, Bob'), "\n";

    $bob->close();
    echo expect_text($alice, 'Bob left'), "\n";
    $alice->send('/who');
    echo expect_text($alice, 'users: Alice'), "\n";
    $alice->close();
} finally {
    $out = ws_stop_server($srv);
}
echo strtok($out, "\n"), "\n";
?>
--EXPECT--
welcome: send "name:<your name>" to join
send "name:<your name>" first
Alice joined (worker N)
Bob joined (worker N)
Bob joined (worker N)
Alice: hi Bob
Alice: hi Bob
Bob: hello Alice
users: Alice, Bob
Bob left
users: Alice
chat on ws://127.0.0.1:9501 with 4 workers
