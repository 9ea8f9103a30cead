--TEST--
Server methods: signatures as in Swoole (Reflection)
--FILE--
<?php
function sig(string $class, string $method): void
{
    $m = new ReflectionMethod($class, $method);
    $ps = [];
    foreach ($m->getParameters() as $p) {
        $s = ($p->hasType() ? $p->getType() . ' ' : '') . ($p->isVariadic() ? '...' : '') . '$' . $p->getName();
        if ($p->isDefaultValueAvailable()) {
            $s .= ' = ' . ($p->isDefaultValueConstant() ? $p->getDefaultValueConstantName() : var_export($p->getDefaultValue(), true));
        }
        $ps[] = $s;
    }
    echo $m->getDeclaringClass()->getName(), '::', $m->getName(), '(', implode(', ', $ps), ')',
        $m->hasReturnType() ? ': ' . $m->getReturnType() : '', "\n";
}
foreach (['__construct', 'on', 'getCallback', 'set', 'start', 'send', 'exists', 'exist', 'close', 'shutdown', 'stop',
          'getLastError', 'getClientInfo', 'getClientList', 'getWorkerId', 'getWorkerPid', 'getManagerPid',
          'getMasterPid', 'connection_info', 'connection_list', 'tick', 'after', 'clearTimer', 'defer'] as $m) {
    sig('Swoole\WebSocket\Server', $m);
}
foreach (['push', 'disconnect', 'ping', 'isEstablished'] as $m) {
    sig('Swoole\WebSocket\Server', $m);
}
foreach (['status', 'header', 'write', 'end', 'isWritable', 'cookie', 'setCookie', 'rawcookie', 'setRawCookie', 'redirect', 'close'] as $m) {
    sig('Swoole\Http\Response', $m);
}
foreach (['getContent', 'rawContent'] as $m) {
    sig('Swoole\Http\Request', $m);
}
var_dump(array_keys(get_class_vars('Swoole\Http\Request')));
var_dump(class_implements('Swoole\Connection\Iterator'));
?>
--EXPECT--
Swoole\Server::__construct(string $host = '0.0.0.0', int $port = 0, int $mode = SWOOLE_BASE, int $sock_type = SWOOLE_SOCK_TCP)
Swoole\Server::on(string $event_name, callable $callback): bool
Swoole\Server::getCallback(string $event_name): Closure|array|string|null
Swoole\Server::set(array $settings): bool
Swoole\Server::start(): bool
Swoole\Server::send(string|int $fd, string $send_data, int $serverSocket = -1): bool
Swoole\Server::exists(int $fd): bool
Swoole\Server::exist(int $fd): bool
Swoole\Server::close(int $fd, bool $reset = false): bool
Swoole\Server::shutdown(): bool
Swoole\Server::stop(int $workerId = -1): bool
Swoole\Server::getLastError(): int
Swoole\Server::getClientInfo(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false
Swoole\Server::getClientList(int $start_fd = 0, int $find_count = 10): array|false
Swoole\Server::getWorkerId(): int|false
Swoole\Server::getWorkerPid(int $worker_id = -1): int|false
Swoole\Server::getManagerPid(): int
Swoole\Server::getMasterPid(): int
Swoole\Server::connection_info(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false
Swoole\Server::connection_list(int $start_fd = 0, int $find_count = 10): array|false
Swoole\Server::tick(int $ms, callable $callback, mixed ...$params): int|false
Swoole\Server::after(int $ms, callable $callback, mixed ...$params): int|false
Swoole\Server::clearTimer(int $timer_id): bool
Swoole\Server::defer(callable $callback): bool
Swoole\WebSocket\Server::push(int $fd, Swoole\WebSocket\Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int $flags = SWOOLE_WEBSOCKET_FLAG_FIN): bool
Swoole\WebSocket\Server::disconnect(int $fd, int $code = SWOOLE_WEBSOCKET_CLOSE_NORMAL, string $reason = ''): bool
Swoole\WebSocket\Server::ping(int $fd, string $data = ''): bool
Swoole\WebSocket\Server::isEstablished(int $fd): bool
Swoole\Http\Response::status(int $http_code, string $reason = ''): bool
Swoole\Http\Response::header(string $key, array|string $value, bool $format = true): bool
Swoole\Http\Response::write(string $content): bool
Swoole\Http\Response::end(?string $content = NULL): bool
Swoole\Http\Response::isWritable(): bool
Swoole\Http\Response::cookie(Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool
Swoole\Http\Response::setCookie(Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool
Swoole\Http\Response::rawcookie(Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool
Swoole\Http\Response::setRawCookie(Swoole\Http\Cookie|string $name_or_object, string $value = '', int $expires = 0, string $path = '/', string $domain = '', bool $secure = false, bool $httponly = false, string $samesite = '', string $priority = '', bool $partitioned = false): bool
Swoole\Http\Response::redirect(string $location, int $http_code = 302): bool
Swoole\Http\Response::close(): bool
Swoole\Http\Request::getContent(): string|false
Swoole\Http\Request::rawContent(): string|false
array(9) {
  [0]=>
  string(2) "fd"
  [1]=>
  string(8) "streamId"
  [2]=>
  string(6) "header"
  [3]=>
  string(6) "server"
  [4]=>
  string(6) "cookie"
  [5]=>
  string(3) "get"
  [6]=>
  string(5) "files"
  [7]=>
  string(4) "post"
  [8]=>
  string(8) "tmpfiles"
}
array(3) {
  ["Iterator"]=>
  string(8) "Iterator"
  ["Traversable"]=>
  string(11) "Traversable"
  ["Countable"]=>
  string(9) "Countable"
}
