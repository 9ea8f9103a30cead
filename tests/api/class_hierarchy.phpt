--TEST--
class hierarchy: Server <- Http\Server <- WebSocket\Server; Frame is Stringable; CloseFrame extends Frame
--FILE--
<?php
foreach (['Swoole\Server', 'Swoole\Http\Server', 'Swoole\WebSocket\Server',
          'Swoole\WebSocket\Frame', 'Swoole\WebSocket\CloseFrame'] as $c) {
    $r = new ReflectionClass($c);
    echo $r->getName(), ': parent=', var_export(get_parent_class($c), true),
        ' internal=', var_export($r->isInternal(), true),
        ' ext=', var_export($r->getExtensionName(), true),
        ' abstract=', var_export($r->isAbstract(), true),
        ' final=', var_export($r->isFinal(), true), "\n";
}
var_dump(is_subclass_of('Swoole\WebSocket\Server', 'Swoole\Server'));
var_dump(is_a('Swoole\WebSocket\Server', 'Swoole\Http\Server', true));

var_dump(in_array('Stringable', class_implements('Swoole\WebSocket\Frame'), true));
var_dump(in_array('Stringable', class_implements('Swoole\WebSocket\CloseFrame'), true));
$f = new Swoole\WebSocket\Frame();
$c = new Swoole\WebSocket\CloseFrame();
var_dump($f instanceof Stringable, $c instanceof Stringable, $c instanceof Swoole\WebSocket\Frame);
var_dump($f instanceof Swoole\WebSocket\CloseFrame);
var_dump(method_exists($f, '__toString'));

// User classes may extend both frame classes.
class MyFrame extends Swoole\WebSocket\Frame {}
class MyClose extends Swoole\WebSocket\CloseFrame {}
var_dump((new MyFrame) instanceof Swoole\WebSocket\Frame, (new MyClose) instanceof Swoole\WebSocket\CloseFrame);
var_dump(class_exists('swoole\websocket\frame'));
?>
--EXPECT--
Swoole\Server: parent=false internal=true ext='wsserver' abstract=false final=false
Swoole\Http\Server: parent='Swoole\\Server' internal=true ext='wsserver' abstract=false final=false
Swoole\WebSocket\Server: parent='Swoole\\Http\\Server' internal=true ext='wsserver' abstract=false final=false
Swoole\WebSocket\Frame: parent=false internal=true ext='wsserver' abstract=false final=false
Swoole\WebSocket\CloseFrame: parent='Swoole\\WebSocket\\Frame' internal=true ext='wsserver' abstract=false final=false
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
