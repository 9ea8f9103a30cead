--TEST--
pack()/unpack()/__toString(): static methods with the documented signatures (Reflection)
--FILE--
<?php
function sig(string $class, string $method): void
{
    $m = new ReflectionMethod($class, $method);
    echo $class, '::', $m->getName(),
        ' static=', var_export($m->isStatic(), true),
        ' public=', var_export($m->isPublic(), true),
        ' required=', $m->getNumberOfRequiredParameters(),
        ' params=', $m->getNumberOfParameters(),
        ' returns=', $m->hasReturnType() ? (string) $m->getReturnType() : '-', "\n";
    foreach ($m->getParameters() as $p) {
        echo '  #', $p->getPosition(), ' $', $p->getName(),
            ' type=', $p->hasType() ? (string) $p->getType() : '-',
            ' optional=', var_export($p->isOptional(), true);
        if ($p->isDefaultValueAvailable()) {
            echo ' default=', var_export($p->getDefaultValue(), true);
        }
        echo "\n";
    }
}
foreach (['Swoole\WebSocket\Server', 'Swoole\WebSocket\Frame'] as $c) {
    sig($c, 'pack');
    sig($c, 'unpack');
}
sig('Swoole\WebSocket\Frame', '__toString');

// The defaults are the documented constants.
$p = (new ReflectionMethod('Swoole\WebSocket\Server', 'pack'))->getParameters();
var_dump($p[1]->getDefaultValue() === WEBSOCKET_OPCODE_TEXT, $p[2]->getDefaultValue() === SWOOLE_WEBSOCKET_FLAG_FIN);

// The methods are reachable through subclasses too.
var_dump(is_callable(['Swoole\WebSocket\CloseFrame', 'pack']), is_callable(['Swoole\WebSocket\CloseFrame', 'unpack']));
var_dump(bin2hex(Swoole\WebSocket\CloseFrame::pack('hi')));
?>
--EXPECT--
Swoole\WebSocket\Server::pack static=true public=true required=1 params=3 returns=string|false
  #0 $data type=Swoole\WebSocket\Frame|string optional=false
  #1 $opcode type=int optional=true default=1
  #2 $flags type=int optional=true default=1
Swoole\WebSocket\Server::unpack static=true public=true required=1 params=1 returns=Swoole\WebSocket\Frame|false
  #0 $data type=string optional=false
Swoole\WebSocket\Frame::pack static=true public=true required=1 params=3 returns=string|false
  #0 $data type=Swoole\WebSocket\Frame|string optional=false
  #1 $opcode type=int optional=true default=1
  #2 $flags type=int optional=true default=1
Swoole\WebSocket\Frame::unpack static=true public=true required=1 params=1 returns=Swoole\WebSocket\Frame|false
  #0 $data type=string optional=false
Swoole\WebSocket\Frame::__toString static=false public=true required=0 params=0 returns=string
bool(true)
bool(true)
bool(true)
bool(true)
string(8) "81026869"
