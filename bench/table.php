<?php
// Swoole\Table from PHP: set(), get(), get(field), incr() and exists() calls per second in
// one process, on a table of 64 Ki rows with an int, a float and a 32-byte string column.
// Runs unchanged with Swoole: compare the two back to back on the same machine.
//
//   php -d extension=modules/wsserver.so bench/table.php [seconds per operation]
//   php -d extension=/path/to/swoole.so bench/table.php [seconds per operation]

use Swoole\Table;

$seconds = (float) ($argv[1] ?? 1.0);
$rows = 65536;
$table = new Table($rows);
$table->column('id', Table::TYPE_INT);
$table->column('score', Table::TYPE_FLOAT);
$table->column('name', Table::TYPE_STRING, 32);
$table->create();
$keys = [];
for ($i = 0; $i < $rows / 2; $i++) {
    $keys[] = "user:$i";
}
$n = count($keys);
$row = ['id' => 42, 'score' => 1.5, 'name' => 'a name of about 24 bytes'];

$cases = [
    'set' => function (int $i) use ($table, $keys, $n, $row) { $table->set($keys[$i % $n], $row); },
    'get' => function (int $i) use ($table, $keys, $n) { $table->get($keys[$i % $n]); },
    'get(field)' => function (int $i) use ($table, $keys, $n) { $table->get($keys[$i % $n], 'id'); },
    'incr' => function (int $i) use ($table, $keys, $n) { $table->incr($keys[$i % $n], 'id'); },
    'exists' => function (int $i) use ($table, $keys, $n) { $table->exists($keys[$i % $n]); },
];

printf("%s, %s, %d rows, %.1f s per operation\n", extension_loaded('swoole') ? 'swoole ' . SWOOLE_VERSION : 'wsserver',
    PHP_VERSION, $rows, $seconds);
foreach ($cases as $name => $op) {
    $count = 0;
    $start = microtime(true);
    $deadline = $start + $seconds;
    do {
        for ($j = 0; $j < 1000; $j++) {
            $op($count++);
        }
    } while (microtime(true) < $deadline);
    $elapsed = microtime(true) - $start;
    printf("%-11s %10.0f ops/s  %6.1f ns/op\n", $name, $count / $elapsed, $elapsed / $count * 1e9);
}
