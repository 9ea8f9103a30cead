--TEST--
Frame and CloseFrame: public untyped properties and their defaults
--FILE--
<?php
function show_props(string $class): void
{
    $r = new ReflectionClass($class);
    $o = new $class();
    echo $class, "\n";
    $props = $r->getProperties();
    usort($props, fn ($a, $b) => strcmp($a->getName(), $b->getName()));
    foreach ($props as $p) {
        echo '  $', $p->getName(),
            ' public=', var_export($p->isPublic(), true),
            ' static=', var_export($p->isStatic(), true),
            ' readonly=', var_export($p->isReadOnly(), true),
            ' typed=', var_export($p->hasType(), true),
            ' declared_in=', $p->getDeclaringClass()->getName(),
            ' default=', var_export($p->getDefaultValue(), true),
            ' value=', var_export($p->getValue($o), true), "\n";
    }
}
show_props('Swoole\WebSocket\Frame');
show_props('Swoole\WebSocket\CloseFrame');

var_dump(WEBSOCKET_OPCODE_TEXT === (new Swoole\WebSocket\Frame)->opcode);
var_dump(SWOOLE_WEBSOCKET_FLAG_FIN === (new Swoole\WebSocket\Frame)->flags);
var_dump(WEBSOCKET_OPCODE_CLOSE === (new Swoole\WebSocket\CloseFrame)->opcode);
var_dump(WEBSOCKET_CLOSE_NORMAL === (new Swoole\WebSocket\CloseFrame)->code);

// Untyped: any value can be stored and read back unchanged.
$f = new Swoole\WebSocket\Frame();
$f->fd = 'x';
$f->data = [1];
$f->opcode = null;
$f->flags = 1.5;
$f->finish = 'yes';
var_dump($f->fd, $f->data, $f->opcode, $f->flags, $f->finish);
$c = new Swoole\WebSocket\CloseFrame();
$c->code = null;
$c->reason = 42;
var_dump($c->code, $c->reason);

// A new object does not share state with another.
$a = new Swoole\WebSocket\Frame();
$a->data = 'changed';
var_dump((new Swoole\WebSocket\Frame)->data);
?>
--EXPECT--
Swoole\WebSocket\Frame
  $data public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default='' value=''
  $fd public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=0 value=0
  $finish public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=true value=true
  $flags public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=1 value=1
  $opcode public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=1 value=1
Swoole\WebSocket\CloseFrame
  $code public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\CloseFrame default=1000 value=1000
  $data public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default='' value=''
  $fd public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=0 value=0
  $finish public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=true value=true
  $flags public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\Frame default=1 value=1
  $opcode public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\CloseFrame default=8 value=8
  $reason public=true static=false readonly=false typed=false declared_in=Swoole\WebSocket\CloseFrame default='' value=''
bool(true)
bool(true)
bool(true)
bool(true)
string(1) "x"
array(1) {
  [0]=>
  int(1)
}
NULL
float(1.5)
string(3) "yes"
NULL
int(42)
string(0) ""
