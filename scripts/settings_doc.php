<?php
// Prints docs/SETTINGS.md from the extension's own table of set() keys (kSettings in
// src/php/server_settings.cc, read through the internal wsserver_settings_table()):
//
//   php -d extension=$PWD/modules/wsserver.so scripts/settings_doc.php > docs/SETTINGS.md
//
// tests/server/settings_table.phpt includes this file and fails when docs/SETTINGS.md is
// not what it prints.

function wsserver_settings_markdown(array $rows): string
{
    $cell = fn (string $text): string => str_replace('|', '\|', $text);
    $out = "# Settings of set()\n\n"
        . "Every key `Swoole\\Server::set()` and `Swoole\\Server\\Port::set()` know, in the order\n"
        . "they are checked (the first bad key is the one the warning names; `set()` then returns\n"
        . "false and changes nothing). Keys not listed are accepted and ignored: they only show in\n"
        . "`\$server->setting`.\n\n"
        . "- type: `int` takes an int, a float >= 0 (truncated) or an integer string, and is >= 0;\n"
        . "  `bool` takes a bool or an int; `float (seconds)` takes an int or a float;\n"
        . "  `int (flags)` is an int whose bits are read.\n"
        . "- applies to: `server` keys given to a port's `set()` are checked, then ignored;\n"
        . "  `port` keys are a port's own (the server's `set()` ignores them).\n"
        . "- mode: the process model in which the key matters (every key is accepted in both).\n\n"
        . "This file is generated from the table in `src/php/server_settings.cc`:\n"
        . "`php -d extension=\$PWD/modules/wsserver.so scripts/settings_doc.php > docs/SETTINGS.md`.\n\n"
        . "| key | type | default | range | applies to | mode | what it does |\n"
        . "|---|---|---|---|---|---|---|\n";
    foreach ($rows as $row) {
        $out .= sprintf(
            "| `%s` | %s | %s | %s | %s | %s | %s |\n",
            $row['name'],
            $cell($row['type']),
            $cell($row['default']),
            $cell($row['range']),
            $cell($row['applies']),
            $cell($row['mode']),
            $cell($row['doc'])
        );
    }
    return $out;
}

if (realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    if (!function_exists('wsserver_settings_table')) {
        fwrite(STDERR, "settings_doc.php: wsserver is not loaded (php -d extension=.../wsserver.so)\n");
        exit(1);
    }
    echo wsserver_settings_markdown(wsserver_settings_table());
}
