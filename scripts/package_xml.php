<?php
/*
 * Generates package.xml (PEAR package 2.0) for the wsserver PECL release.
 *
 *   php scripts/package_xml.php                 write package.xml at the repository root
 *   php scripts/package_xml.php -o FILE         write FILE instead
 *   php scripts/package_xml.php --stdout        print it
 *   php scripts/package_xml.php --list          print "role path" for each packaged file
 *   php scripts/package_xml.php --date Y-m-d    release date (default: today, UTC)
 *
 * The file list comes from `git ls-files` (the files in git's index: `git add` a
 * new file before regenerating); outside git it falls back to walking the tree.
 * Only what PECL needs is kept:
 *   src  : config.m4, config.w32, php_wsserver.h, Makefile.frag, other top-level
 *          C/C++ sources, src/**, stubs/**
 *   test : tests/**.phpt (not tests/unit, tests/fuzz), tests/include/**
 *   doc  : README.md, LICENSE, CREDITS, docs/**, examples/**
 * Everything else (.ci, scripts, bench, tests/unit, tests/fuzz, _build, build
 * artefacts, package.xml itself) is left out.
 */

declare(strict_types=1);

const PKG_NAME      = 'wsserver';
const PKG_VERSION   = '0.1.0';
const PKG_API       = '0.1.0';
const PKG_STABILITY = 'alpha';
const PHP_MIN       = '8.2.0';
const PEAR_MIN      = '1.10.0';

function fail(string $msg): never
{
    fwrite(STDERR, "package_xml.php: $msg\n");
    exit(1);
}

/** Files of the tree, relative to $root, '/'-separated. */
function list_files(string $root): array
{
    $files = null;
    if (is_dir("$root/.git") || is_file("$root/.git")) {
        $cmd = 'git -C ' . escapeshellarg($root)
             . ' ls-files -z --cached 2>/dev/null';
        $out = shell_exec($cmd);
        if (is_string($out) && $out !== '') {
            $files = array_values(array_filter(explode("\0", $out), 'strlen'));
        }
    }
    if ($files === null) {
        $files = [];
        $it = new RecursiveIteratorIterator(
            new RecursiveCallbackFilterIterator(
                new RecursiveDirectoryIterator($root, FilesystemIterator::SKIP_DOTS),
                function (SplFileInfo $f) use ($root): bool {
                    $rel = substr($f->getPathname(), strlen($root) + 1);
                    if ($f->isDir()) {
                        // Directories that never hold packaged sources.
                        return !in_array($f->getFilename(), ['.git', '.libs', 'autom4te.cache'], true)
                            && !in_array($rel, ['_build', 'build', 'modules'], true);
                    }
                    return true;
                }
            )
        );
        foreach ($it as $f) {
            if ($f->isFile()) {
                $files[] = substr($f->getPathname(), strlen($root) + 1);
            }
        }
    }
    // A tracked file deleted in the work tree is not shipped.
    return array_values(array_filter($files, fn (string $p): bool => is_file("$root/$p")));
}

/** PEAR role of $path, or null if PECL does not need it. */
function role_of(string $path): ?string
{
    // Build artefacts, in case the tree is walked without .gitignore.
    if (preg_match('#(^|/)\.libs/|\.(o|lo|la|dep|so|a|gcda|gcno)$#', $path)
        || preg_match('#^(config\.h|config\.h\.in|run-tests\.php)$#', $path)) {
        return null;
    }
    if (preg_match('#^tests/[^/]+/[^/]+\.(diff|exp|log|out|php|sh|mem)$#', $path)) {
        return null;
    }

    if (in_array($path, ['config.m4', 'config.w32', 'php_wsserver.h', 'Makefile.frag', 'Makefile.frag.w32'], true)
        || preg_match('#^[^/]+\.(c|cc|cpp|h|hh|hpp)$#', $path)
        || preg_match('#^(src|stubs)/#', $path)) {
        return 'src';
    }
    if (preg_match('#^tests/(unit|fuzz)/#', $path)) {
        return null;
    }
    if (preg_match('#^tests/include/#', $path) || preg_match('#^tests/.*\.phpt$#', $path)) {
        return 'test';
    }
    if (in_array($path, ['README.md', 'LICENSE', 'CREDITS'], true)
        || preg_match('#^(docs|examples)/#', $path)) {
        return 'doc';
    }
    return null;
}

function x(string $s): string
{
    return htmlspecialchars($s, ENT_XML1 | ENT_QUOTES, 'UTF-8');
}

function render(string $root, string $date): string
{
    $entries = [];
    foreach (list_files($root) as $path) {
        $role = role_of($path);
        if ($role !== null) {
            $entries[$path] = $role;
        }
    }
    ksort($entries, SORT_STRING);
    foreach (['config.m4'] as $must) {
        if (!isset($entries[$must])) {
            fwrite(STDERR, "package_xml.php: warning: $must is missing; the package will not build\n");
        }
    }

    $files = '';
    foreach ($entries as $path => $role) {
        $md5 = md5_file("$root/$path");
        if ($md5 === false) {
            fail("cannot read $path");
        }
        $files .= sprintf("   <file name=\"%s\" role=\"%s\" md5sum=\"%s\"/>\n", x($path), $role, $md5);
    }

    $name = PKG_NAME;
    $version = PKG_VERSION;
    $api = PKG_API;
    $stability = PKG_STABILITY;
    $php_min = PHP_MIN;
    $pear_min = PEAR_MIN;

    return <<<XML
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/package_xml.php; edit that script, not this file. -->
<package packagerversion="1.10.13" version="2.0" xmlns="http://pear.php.net/dtd/package-2.0" xmlns:tasks="http://pear.php.net/dtd/tasks-1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://pear.php.net/dtd/tasks-1.0 http://pear.php.net/dtd/tasks-1.0.xsd http://pear.php.net/dtd/package-2.0 http://pear.php.net/dtd/package-2.0.xsd">
 <name>$name</name>
 <channel>pecl.php.net</channel>
 <summary>WebSocket server with the API of Swoole\\WebSocket\\Server</summary>
 <description>wsserver reimplements Swoole's WebSocket server API (Swoole\\WebSocket\\Server, Swoole\\WebSocket\\Frame, Swoole\\WebSocket\\CloseFrame and their constants) as a C++17 extension: the WebSocket, HTTP and TCP server in SWOOLE_BASE and SWOOLE_PROCESS modes (workers, task workers, extra ports, TLS), Swoole\\Http\\Request and Response, and the frame codec (RFC 6455, RFC 7692). A script written for Swoole's WebSocket server runs on it unchanged.</description>
 <lead>
  <name>the wsserver authors</name>
  <user>wsserver</user>
  <email>wsserver@example.invalid</email>
  <active>yes</active>
 </lead>
 <date>$date</date>
 <version>
  <release>$version</release>
  <api>$api</api>
 </version>
 <stability>
  <release>$stability</release>
  <api>$stability</api>
 </stability>
 <license uri="https://opensource.org/licenses/MIT">MIT</license>
 <notes>
- The WebSocket server in SWOOLE_BASE and SWOOLE_PROCESS modes, with Http\\Request/Response, tasks, extra ports and TLS; the frame codec.
 </notes>
 <contents>
  <dir name="/">
$files  </dir>
 </contents>
 <dependencies>
  <required>
   <php>
    <min>$php_min</min>
   </php>
   <pearinstaller>
    <min>$pear_min</min>
   </pearinstaller>
  </required>
 </dependencies>
 <providesextension>$name</providesextension>
 <extsrcrelease/>
</package>

XML;
}

$root = dirname(__DIR__);
$out = "$root/package.xml";
$date = gmdate('Y-m-d');
$mode = 'write';

for ($i = 1; $i < $argc; $i++) {
    switch ($argv[$i]) {
        case '-o':
        case '--output':
            $out = $argv[++$i] ?? fail("{$argv[$i - 1]} needs a file name");
            break;
        case '--stdout':
            $mode = 'stdout';
            break;
        case '--list':
            $mode = 'list';
            break;
        case '--date':
            $date = $argv[++$i] ?? fail('--date needs a value');
            if (!preg_match('/^\d{4}-\d{2}-\d{2}$/', $date)) {
                fail("bad date '$date' (want YYYY-MM-DD)");
            }
            break;
        case '-h':
        case '--help':
            $src = file(__FILE__);
            echo implode('', array_map(fn ($l) => preg_replace('/^ \* ?/', '', $l), array_slice($src, 2, 7)));
            exit(0);
        default:
            fail("unknown argument '{$argv[$i]}' (see --help)");
    }
}

if ($mode === 'list') {
    $rows = [];
    foreach (list_files($root) as $path) {
        $role = role_of($path);
        if ($role !== null) {
            $rows[$path] = $role;
        }
    }
    ksort($rows, SORT_STRING);
    foreach ($rows as $path => $role) {
        echo "$role $path\n";
    }
    exit(0);
}

$xml = render($root, $date);
if ($mode === 'stdout') {
    echo $xml;
} elseif (file_put_contents($out, $xml) === false) {
    fail("cannot write $out");
}
