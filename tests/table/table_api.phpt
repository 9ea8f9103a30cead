--TEST--
Swoole\Table: sizes and rounding, set/get/incr/decr/del/exists, string truncation, warnings, a full table, stats, iteration, Countable
--FILE--
<?php
use Swoole\Table;

$t = new Table(100);
var_dump($t instanceof Iterator, $t instanceof Countable, $t->getSize(), $t->getMemorySize(), $t->stats(), count($t));
var_dump($t->column('id', Table::TYPE_INT), $t->column('name', Table::TYPE_STRING, 10), $t->column('score', Table::TYPE_FLOAT));
var_dump($t->column('id', Table::TYPE_INT));            // already exists
var_dump($t->column('bad', Table::TYPE_STRING));        // no size
var_dump($t->column('bad', 7));                         // unknown type
var_dump($t->create(), $t->size, $t->memorySize === $t->getMemorySize(), $t->create());
var_dump($t->column('late', Table::TYPE_INT));

echo "-- set/get\n";
var_dump($t->set('alice', ['id' => 1, 'name' => 'Alice', 'score' => 2.5, 'unknown' => 'ignored', 7 => 'ignored']));
var_dump($t->get('alice'), $t->get('alice', 'name'), $t->get('alice', 'nope'), $t->get('nobody'));
var_dump($t->set('alice', ['name' => '1234567890123456789']));  // capacity 10 rounded up to 16
var_dump($t->get('alice'));
var_dump($t->set('bob', ['id' => '42', 'score' => '1.5']));    // converted like Swoole
var_dump($t->get('bob'));

echo "-- incr/decr\n";
var_dump($t->incr('alice', 'id'), $t->incr('alice', 'id', 10), $t->decr('alice', 'id', 20));
var_dump($t->incr('alice', 'score', 0.25), $t->decr('alice', 'score'));
var_dump($t->incr('carol', 'id', 5), $t->get('carol'));        // a new row starts at zero
var_dump($t->incr('alice', 'name'), $t->incr('alice', 'nope'));

echo "-- keys\n";
$k63 = str_repeat('k', 63);
var_dump($t->set($k63, ['id' => 63]), $t->get($k63, 'id'));
var_dump($t->set($k63 . 'x', ['id' => 64]), $t->get(''), $t->exists(''), $t->del(str_repeat('z', 100)));

echo "-- del/exists/count\n";
var_dump(count($t), $t->count(), $t->exists('bob'), $t->exist('bob'), $t->del('bob'), $t->delete('bob'), $t->exists('bob'), count($t));

echo "-- iteration\n";
$seen = [];
foreach ($t as $key => $row) {
    $seen[$key] = $row['id'];
}
ksort($seen);
var_dump($seen);
$t->rewind();
var_dump($t->valid(), is_string($t->key()), is_array($t->current()));

echo "-- stats\n";
$s = $t->stats();
var_dump(array_keys($s), $s['num'], $s['insert_count'], $s['delete_count'], $s['total_slice_num']);

echo "-- full table\n";
$small = new Table(1);  // rounded up to 64 rows, 12 conflict slots
$small->column('v', Table::TYPE_INT);
$small->create();
$stored = 0;
for ($i = 0; $i < 200; $i++) {
    if (!@$small->set("key$i", ['v' => $i])) {
        break;
    }
    $stored++;
}
var_dump($small->getSize(), $stored >= 12 && $stored <= 76, count($small) === $stored);
var_dump($small->set("key$i", ['v' => 1]));
var_dump($small->incr("key$i", 'v'));
for ($j = 0; $j < $stored; $j++) {
    $small->del("key$j");
}
var_dump(count($small), $small->set('again', ['v' => 1]));

echo "-- destroy\n";
var_dump($small->destroy(), $small->getMemorySize(), count($small));
try {
    $c = clone $small;
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$small->get('again');
echo "not reached\n";
?>
--EXPECTF--
bool(true)
bool(true)
int(128)
int(0)
bool(false)
int(0)
bool(true)
bool(true)
bool(true)

Warning: Swoole\Table::column(): column[id] already exists in %s on line %d
bool(false)

Warning: Swoole\Table::column(): the length of string type values has to be more than zero in %s on line %d
bool(false)

Warning: Swoole\Table::column(): unknown column type in %s on line %d
bool(false)
bool(true)
int(128)
bool(true)
bool(false)

Warning: Swoole\Table::column(): unable to add column after table has been created in %s on line %d
bool(false)
-- set/get
bool(true)
array(3) {
  ["id"]=>
  int(1)
  ["name"]=>
  string(5) "Alice"
  ["score"]=>
  float(2.5)
}
string(5) "Alice"
bool(false)
bool(false)

Warning: Swoole\Table::set(): [key=alice,field=name]string value is too long in %s on line %d
bool(true)
array(3) {
  ["id"]=>
  int(1)
  ["name"]=>
  string(16) "1234567890123456"
  ["score"]=>
  float(2.5)
}
bool(true)
array(3) {
  ["id"]=>
  int(42)
  ["name"]=>
  string(0) ""
  ["score"]=>
  float(1.5)
}
-- incr/decr
int(2)
int(12)
int(-8)
float(2.75)
float(1.75)
int(5)
array(3) {
  ["id"]=>
  int(5)
  ["name"]=>
  string(0) ""
  ["score"]=>
  float(0)
}

Warning: Swoole\Table::incr(): can't execute 'incr' on a string type column in %s on line %d

Warning: Swoole\Table::incr(): column[nope] does not exist in %s on line %d
bool(false)
bool(false)
-- keys
bool(true)
int(63)

Warning: Swoole\Table::set(): key length exceeds the limit of 63 bytes in %s on line %d

Warning: Swoole\Table::get(): key must not be empty in %s on line %d

Warning: Swoole\Table::exists(): key must not be empty in %s on line %d

Warning: Swoole\Table::del(): key length exceeds the limit of 63 bytes in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)
-- del/exists/count
int(4)
int(4)
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
int(3)
-- iteration
array(3) {
  ["alice"]=>
  int(-8)
  ["carol"]=>
  int(5)
  ["kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"]=>
  int(63)
}
bool(true)
bool(true)
bool(true)
-- stats
array(8) {
  [0]=>
  string(3) "num"
  [1]=>
  string(14) "conflict_count"
  [2]=>
  string(18) "conflict_max_level"
  [3]=>
  string(12) "insert_count"
  [4]=>
  string(12) "update_count"
  [5]=>
  string(12) "delete_count"
  [6]=>
  string(19) "available_slice_num"
  [7]=>
  string(15) "total_slice_num"
}
int(3)
int(4)
int(1)
int(25)
-- full table
int(64)
bool(true)
bool(true)

Warning: Swoole\Table::set(): failed to set('key%d'), unable to allocate memory in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): unable to allocate memory in %s on line %d
bool(false)
int(0)
bool(true)
-- destroy
bool(true)
int(0)
int(0)
Error: Trying to clone an uncloneable object of class Swoole\Table

Fatal error: Swoole\Table::get(): table is not created or has been destroyed in %s on line %d
