--TEST--
Swoole\Table, Swoole\Atomic, Swoole\Atomic\Long, Swoole\Lock: Reflection shows exactly Swoole 6.2.1's classes (constants, properties, methods, parameters, defaults, return types)
--FILE--
<?php
// The expected text is Swoole 6.2.1's own Reflection output (docs: ../shared/reference/
// swoole-api-runtime.txt); only the extension name in "<internal:...>" differs.
$first = true;
foreach (['Swoole\Table', 'Swoole\Atomic', 'Swoole\Atomic\Long', 'Swoole\Lock'] as $class) {
    if (!$first) {
        echo "\n";
    }
    $first = false;
    echo "## $class\n";
    echo trim(str_replace('<internal:wsserver', '<internal:swoole', (string) new ReflectionClass($class))), "\n";
}
?>
--EXPECT--
## Swoole\Table
Class [ <internal:swoole> <iterateable> class Swoole\Table implements Iterator, Traversable, Countable ] {

  - Constants [3] {
    Constant [ public int TYPE_INT ] { 1 }
    Constant [ public int TYPE_STRING ] { 3 }
    Constant [ public int TYPE_FLOAT ] { 2 }
  }

  - Static properties [0] {
  }

  - Static methods [0] {
  }

  - Properties [2] {
    Property [ public $size = NULL ]
    Property [ public $memorySize = NULL ]
  }

  - Methods [26] {
    Method [ <internal:swoole, ctor> public method __construct ] {

      - Parameters [2] {
        Parameter #0 [ <required> int $table_size ]
        Parameter #1 [ <optional> float $conflict_proportion = 0.2 ]
      }
    }

    Method [ <internal:swoole> public method column ] {

      - Parameters [3] {
        Parameter #0 [ <required> string $name ]
        Parameter #1 [ <required> int $type ]
        Parameter #2 [ <optional> int $size = 0 ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method create ] {

      - Parameters [0] {
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method destroy ] {

      - Parameters [0] {
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method set ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> array $value ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method add ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> array $values ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method update ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> array $values ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method cmpset ] {

      - Parameters [3] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> array $expected ]
        Parameter #2 [ <required> array $values ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method get ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <optional> ?string $field = null ]
      }
      - Return [ array|string|int|float|false ]
    }

    Method [ <internal:swoole> public method getdel ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <optional> ?string $field = null ]
      }
      - Return [ array|string|int|float|false ]
    }

    Method [ <internal:swoole, prototype Countable> public method count ] {

      - Parameters [0] {
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method del ] {

      - Parameters [1] {
        Parameter #0 [ <required> string $key ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method delete ] {

      - Parameters [1] {
        Parameter #0 [ <required> string $key ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method cmpdel ] {

      - Parameters [2] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> array $expected ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method exists ] {

      - Parameters [1] {
        Parameter #0 [ <required> string $key ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method exist ] {

      - Parameters [1] {
        Parameter #0 [ <required> string $key ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method incr ] {

      - Parameters [3] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> string $column ]
        Parameter #2 [ <optional> int|float $incrby = 1 ]
      }
      - Return [ int|float|false ]
    }

    Method [ <internal:swoole> public method decr ] {

      - Parameters [3] {
        Parameter #0 [ <required> string $key ]
        Parameter #1 [ <required> string $column ]
        Parameter #2 [ <optional> int|float $incrby = 1 ]
      }
      - Return [ int|float|false ]
    }

    Method [ <internal:swoole> public method getSize ] {

      - Parameters [0] {
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method getMemorySize ] {

      - Parameters [0] {
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method stats ] {

      - Parameters [0] {
      }
      - Return [ array|false ]
    }

    Method [ <internal:swoole, prototype Iterator> public method rewind ] {

      - Parameters [0] {
      }
      - Return [ void ]
    }

    Method [ <internal:swoole, prototype Iterator> public method valid ] {

      - Parameters [0] {
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole, prototype Iterator> public method next ] {

      - Parameters [0] {
      }
      - Return [ void ]
    }

    Method [ <internal:swoole, prototype Iterator> public method current ] {

      - Parameters [0] {
      }
      - Return [ mixed ]
    }

    Method [ <internal:swoole, prototype Iterator> public method key ] {

      - Parameters [0] {
      }
      - Return [ mixed ]
    }
  }
}

## Swoole\Atomic
Class [ <internal:swoole> class Swoole\Atomic ] {

  - Constants [0] {
  }

  - Static properties [0] {
  }

  - Static methods [0] {
  }

  - Properties [0] {
  }

  - Methods [8] {
    Method [ <internal:swoole, ctor> public method __construct ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $value = 0 ]
      }
    }

    Method [ <internal:swoole> public method add ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $add_value = 1 ]
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method sub ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $sub_value = 1 ]
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method get ] {

      - Parameters [0] {
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method set ] {

      - Parameters [1] {
        Parameter #0 [ <required> int $value ]
      }
      - Return [ void ]
    }

    Method [ <internal:swoole> public method wait ] {

      - Parameters [1] {
        Parameter #0 [ <optional> float $timeout = 1.0 ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method wakeup ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $count = 1 ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method cmpset ] {

      - Parameters [2] {
        Parameter #0 [ <required> int $cmp_value ]
        Parameter #1 [ <required> int $new_value ]
      }
      - Return [ bool ]
    }
  }
}

## Swoole\Atomic\Long
Class [ <internal:swoole> class Swoole\Atomic\Long ] {

  - Constants [0] {
  }

  - Static properties [0] {
  }

  - Static methods [0] {
  }

  - Properties [0] {
  }

  - Methods [6] {
    Method [ <internal:swoole, ctor> public method __construct ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $value = 0 ]
      }
    }

    Method [ <internal:swoole> public method add ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $add_value = 1 ]
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method sub ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $sub_value = 1 ]
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method get ] {

      - Parameters [0] {
      }
      - Return [ int ]
    }

    Method [ <internal:swoole> public method set ] {

      - Parameters [1] {
        Parameter #0 [ <required> int $value ]
      }
      - Return [ void ]
    }

    Method [ <internal:swoole> public method cmpset ] {

      - Parameters [2] {
        Parameter #0 [ <required> int $cmp_value ]
        Parameter #1 [ <required> int $new_value ]
      }
      - Return [ bool ]
    }
  }
}

## Swoole\Lock
Class [ <internal:swoole> class Swoole\Lock ] {

  - Constants [3] {
    Constant [ public int MUTEX ] { 3 }
    Constant [ public int RWLOCK ] { 1 }
    Constant [ public int SPINLOCK ] { 5 }
  }

  - Static properties [0] {
  }

  - Static methods [0] {
  }

  - Properties [1] {
    Property [ public $errCode = 0 ]
  }

  - Methods [3] {
    Method [ <internal:swoole, ctor> public method __construct ] {

      - Parameters [1] {
        Parameter #0 [ <optional> int $type = SWOOLE_MUTEX ]
      }
    }

    Method [ <internal:swoole> public method lock ] {

      - Parameters [2] {
        Parameter #0 [ <optional> int $operation = LOCK_EX ]
        Parameter #1 [ <optional> float $timeout = -1 ]
      }
      - Return [ bool ]
    }

    Method [ <internal:swoole> public method unlock ] {

      - Parameters [0] {
      }
      - Return [ bool ]
    }
  }
}
