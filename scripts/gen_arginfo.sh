#!/bin/sh
# Regenerates stubs/*_arginfo.h from stubs/*.stub.php with PHP's own gen_stub.php.
#
# Generate with the oldest PHP we support (8.2): a newer gen_stub.php may emit macros
# that 8.2's headers lack. gen_stub.php 8.2 loads PHP-Parser 4.15.1 from
# build/PHP-Parser-4.15.1/lib and downloads it when that directory is missing; to work
# offline we point it at a system copy of PHP-Parser 4.x (Debian: apt-get install php-parser,
# which installs /usr/share/php/PhpParser).
#
# Usage: scripts/gen_arginfo.sh [stub...]   (default: all stubs/*.stub.php)
# Environment: PHP (php binary), PHP_CONFIG (php-config), PHP_PARSER_DIR (directory that
# contains PhpParser/, default /usr/share/php).
set -eu

cd "$(dirname "$0")/.."

PHP=${PHP:-php}
PHP_CONFIG=${PHP_CONFIG:-php-config}
PHP_PARSER_DIR=${PHP_PARSER_DIR:-/usr/share/php}
PARSER_VERSION=4.15.1

if ! "$PHP" -r 'exit(PHP_VERSION_ID >= 80200 && PHP_VERSION_ID < 80300 ? 0 : 1);'; then
    echo "gen_arginfo.sh: warning: $("$PHP" -r 'echo PHP_VERSION;') is not PHP 8.2; the headers may not build on 8.2" >&2
fi

# phpize copies gen_stub.php into build/; without a phpize run, take it from the PHP install.
if [ ! -f build/gen_stub.php ]; then
    found=
    for dir in "$($PHP_CONFIG --extension-dir)/build" "$($PHP_CONFIG --prefix)/lib/php/build"; do
        if [ -f "$dir/gen_stub.php" ]; then
            found="$dir/gen_stub.php"
            break
        fi
    done
    if [ -z "$found" ]; then
        echo "gen_arginfo.sh: gen_stub.php not found; run phpize first" >&2
        exit 1
    fi
    mkdir -p build
    cp "$found" build/gen_stub.php
fi

parser="build/PHP-Parser-$PARSER_VERSION"
if [ ! -e "$parser/lib/PhpParser" ]; then
    if [ ! -d "$PHP_PARSER_DIR/PhpParser" ]; then
        echo "gen_arginfo.sh: PHP-Parser 4.x not found in $PHP_PARSER_DIR (apt-get install php-parser," >&2
        echo "or set PHP_PARSER_DIR to the directory holding PhpParser/)" >&2
        exit 1
    fi
    mkdir -p "$parser"
    rm -f "$parser/lib"
    ln -s "$PHP_PARSER_DIR" "$parser/lib"
fi

if [ "$#" -eq 0 ]; then
    set -- stubs/*.stub.php
fi

# -f: regenerate even when the "Stub hash" line says the header is up to date.
"$PHP" build/gen_stub.php -f "$@"
