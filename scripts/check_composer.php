<?php
/*
 * Checks composer.json (PIE's package description) against the build: Debian's composer
 * predates PIE's "php-ext" section, so `composer validate` checks the rest and this
 * script checks that section: the type, the extension name (the module config.m4 builds)
 * and that every configure option is one config.m4 declares.
 *
 *   php scripts/check_composer.php [ROOT]
 */
$root = $argv[1] ?? dirname(__DIR__);
$errors = [];
$json = json_decode((string)file_get_contents("$root/composer.json"), true);
if (!is_array($json)) {
    fwrite(STDERR, "composer.json: not valid JSON\n");
    exit(1);
}
$m4 = (string)file_get_contents("$root/config.m4");
preg_match('/PHP_NEW_EXTENSION\((\w+),/', $m4, $m);
$module = $m[1] ?? '';
preg_match_all('/PHP_ARG_(ENABLE|WITH)\(\[([\w-]+)\]/', $m4, $args, PREG_SET_ORDER);
$declared = [];
foreach ($args as [, $kind, $name]) {
    $declared[] = strtolower($kind) . '-' . $name;
}

if (($json['type'] ?? '') !== 'php-ext') {
    $errors[] = "type must be \"php-ext\"";
}
$ext = $json['php-ext'] ?? null;
if (!is_array($ext)) {
    $errors[] = 'no "php-ext" section';
} else {
    if (($ext['extension-name'] ?? '') !== $module) {
        $errors[] = "php-ext.extension-name must be \"$module\" (config.m4's PHP_NEW_EXTENSION)";
    }
    foreach ($ext['configure-options'] ?? [] as $i => $opt) {
        $name = $opt['name'] ?? '';
        if (!in_array($name, $declared, true)) {
            $errors[] = "php-ext.configure-options[$i]: --$name is not an option of config.m4 (" . implode(', ', $declared) . ')';
        }
        if (!is_string($opt['description'] ?? null) || $opt['description'] === '') {
            $errors[] = "php-ext.configure-options[$i]: no description";
        }
    }
}
if (!preg_match('/^>=\s*(\d+\.\d+)/', $json['require']['php'] ?? '', $php)) {
    $errors[] = 'require.php must give the lowest PHP version (">=8.2")';
}
foreach ($errors as $e) {
    fwrite(STDERR, "composer.json: $e\n");
}
if ($errors) {
    exit(1);
}
echo "composer.json: php-ext \"$module\", " . count($ext['configure-options'] ?? []) . " configure options, all in config.m4\n";
