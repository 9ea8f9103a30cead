--TEST--
Swoole\Table: add(), update(), cmpset(), cmpdel() and getdel() as Swoole 6.2 has them, with their warnings
--FILE--
<?php
use Swoole\Table;

$t = new Table(64);
$t->column('n', Table::TYPE_INT);
$t->column('f', Table::TYPE_FLOAT);
$t->column('s', Table::TYPE_STRING, 8);
$t->create();

var_dump($t->update('k', ['n' => 1]), $t->add('k', ['n' => 1, 's' => 'one']), $t->add('k', ['n' => 2]));
var_dump($t->update('k', ['n' => 2, 'f' => 0.5]), $t->get('k'));

echo "-- cmpset\n";
var_dump($t->cmpset('k', ['n' => 1], ['s' => 'x']));
var_dump($t->cmpset('k', ['n' => 2, 's' => 'one', 'f' => 0.5], ['s' => 'two']), $t->get('k', 's'));
var_dump($t->cmpset('k', ['s' => 'two-and-more-than-8'], ['n' => 9]));  // expected strings are compared whole
var_dump($t->cmpset('missing', ['n' => 0], ['n' => 1]), $t->exists('missing'));
var_dump($t->cmpset('k', [], ['n' => 1]));
var_dump($t->cmpset('k', [0 => 1], ['n' => 1]));
var_dump($t->cmpset('k', ['nope' => 1], ['n' => 1]));

echo "-- cmpdel\n";
var_dump($t->cmpdel('k', ['s' => 'one']), $t->cmpdel('k', ['s' => 'two', 'n' => 2]), $t->exists('k'));

echo "-- getdel\n";
$t->set('g', ['n' => 7, 's' => 'gee']);
var_dump($t->getdel('g', 'nope'), $t->exists('g'));
var_dump($t->getdel('g', 's'), $t->exists('g'), $t->getdel('g'));
$t->set('h', ['n' => 8]);
var_dump($t->getdel('h'), count($t));
?>
--EXPECTF--
bool(false)
bool(true)
bool(false)
bool(true)
array(3) {
  ["n"]=>
  int(2)
  ["f"]=>
  float(0.5)
  ["s"]=>
  string(3) "one"
}
-- cmpset
bool(false)
bool(true)
string(3) "two"
bool(false)
bool(false)
bool(false)

Warning: Swoole\Table::cmpset(): expected values must not be empty in %s on line %d
bool(false)

Warning: Swoole\Table::cmpset(): expected values must use column names in %s on line %d
bool(false)

Warning: Swoole\Table::cmpset(): column[nope] does not exist in %s on line %d
bool(false)
-- cmpdel
bool(false)
bool(true)
bool(false)
-- getdel
bool(false)
bool(true)
string(3) "gee"
bool(false)
bool(false)
array(3) {
  ["n"]=>
  int(8)
  ["f"]=>
  float(0)
  ["s"]=>
  string(0) ""
}
int(0)
