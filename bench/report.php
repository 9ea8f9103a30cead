<?php
// Turns bench/run.sh's result file into text. Used by run.sh; can be rerun on an old file.
//   php bench/report.php line  RESULTS.tsv          one line about the last run in the file
//   php bench/report.php table RESULTS.tsv [NOTE]    the markdown tables (NOTE goes above them)
//
// RESULTS.tsv has one run per line, tab-separated:
//   scenario-id  wsbench-arguments  server  repetition  wsbench-exit-code  problem
//   others-cpu-%  steal-%  wsbench-json
// "problem" is empty when the server behaved (started, survived the run, stopped on SIGTERM).
// others-cpu-% is the CPU the rest of the machine used during the wsbench run (every core's
// busy time minus the server's and wsbench's, 100 = one core); steal-% the hypervisor's steal.
//
// The figure per scenario is what BENCHMARKS.md compares: server CPU microseconds per
// operation = server_cpu_pct * 10^4 / operations per second (echo: messages, connect:
// handshakes, broadcast: deliveries), and for idle the server's RSS growth per connection.

const SERVERS = ['wsserver', 'Swoole'];

function metric_of(string $args): array
{
    $mode = strtok($args, ' ');
    return match ($mode) {
        'echo' => ['rate' => 'msg_per_s', 'unit' => 'µs/msg', 'what' => 'msg/s'],
        'connect' => ['rate' => 'handshakes_per_s', 'unit' => 'µs/handshake', 'what' => 'handshakes/s'],
        'broadcast' => ['rate' => 'deliveries_per_s', 'unit' => 'µs/delivery', 'what' => 'deliveries/s'],
        'idle' => ['rate' => null, 'unit' => 'B/conn', 'what' => ''],
        default => ['rate' => null, 'unit' => '?', 'what' => ''],
    };
}

function read_runs(string $file): array
{
    $runs = [];
    foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
        $f = explode("\t", $line, 9);
        if (count($f) < 9) {
            continue;
        }
        [$id, $args, $server, $rep, $rc, $problem, $others, $steal, $json] = $f;
        $j = json_decode($json, true);
        $runs[] = [
            'id' => $id, 'args' => $args, 'server' => $server, 'rep' => (int)$rep, 'rc' => (int)$rc,
            'problem' => $problem, 'others' => $others, 'steal' => $steal, 'json' => is_array($j) ? $j : null,
        ];
    }
    return $runs;
}

// The run's figure, or null when there is none.
function value_of(array $run): ?float
{
    $j = $run['json'];
    if ($j === null) {
        return null;
    }
    $m = metric_of($run['args']);
    if ($m['rate'] === null) {
        return isset($j['rss_per_conn_b']) && ($j['established'] ?? 0) > 0 ? (float)$j['rss_per_conn_b'] : null;
    }
    $rate = (float)($j[$m['rate']] ?? 0);
    $cpu = (float)($j['server_cpu_pct'] ?? -1);
    if ($rate <= 0 || $cpu < 0) {
        return null;
    }
    return $cpu * 1e4 / $rate;
}

// What went wrong in a run, '' when nothing did.
function trouble_of(array $run): string
{
    $t = [];
    if ($run['problem'] !== '') {
        $t[] = $run['problem'];
    }
    $j = $run['json'];
    if ($j === null) {
        $t[] = "wsbench exit {$run['rc']}, no result";
    } else {
        if (($j['established'] ?? 0) < ($j['conns'] ?? 0) && strtok($run['args'], ' ') !== 'connect') {
            $t[] = "established {$j['established']}/{$j['conns']}";
        }
        if (($j['errors'] ?? 0) > 0) {
            $kinds = [];
            foreach ($j['error_detail'] ?? [] as $k => $n) {
                if ($n > 0) {
                    $kinds[] = "$k $n";
                }
            }
            $first = ($j['first_error'] ?? '') !== '' ? ", first: {$j['first_error']}" : '';
            $t[] = "{$j['errors']} errors (" . implode(', ', $kinds) . ")$first";
        } elseif ($run['rc'] !== 0) {
            $t[] = "wsbench exit {$run['rc']}";
        }
    }
    return implode('; ', $t);
}

function fmt(?float $v): string
{
    if ($v === null) {
        return '—';
    }
    if ($v >= 100) {
        return number_format($v, 0, '.', ',');
    }
    return $v >= 10 ? sprintf('%.1f', $v) : sprintf('%.2f', $v);
}

function median(array $v): ?float
{
    if (!$v) {
        return null;
    }
    sort($v);
    $n = count($v);
    return $n % 2 ? $v[intdiv($n, 2)] : ($v[$n / 2 - 1] + $v[$n / 2]) / 2;
}

function line(array $run): string
{
    $j = $run['json'];
    $m = metric_of($run['args']);
    $v = value_of($run);
    $s = sprintf('%-9s %-26s #%d  %s %s', $run['server'], $run['args'], $run['rep'], fmt($v), $m['unit']);
    if ($j !== null && $m['rate'] !== null) {
        $s .= sprintf('  (%s %s, server %.0f%%, client busiest thread %.0f%%)',
            number_format((float)($j[$m['rate']] ?? 0), 0, '.', ','), $m['what'],
            $j['server_cpu_pct'] ?? -1, $j['client_busiest_thread_pct'] ?? -1);
    } elseif ($j !== null) {
        $s .= sprintf('  (RSS %s -> %s KiB for %d connections)', $j['rss_before_kb'] ?? '?',
            $j['rss_after_kb'] ?? '?', $j['established'] ?? 0);
    }
    $s .= "  [others {$run['others']}%, steal {$run['steal']}%]";
    $t = trouble_of($run);
    return $t === '' ? $s : "$s  PROBLEM: $t";
}

function table(array $runs, string $note): string
{
    // Scenario order = order of first appearance.
    $by = [];
    foreach ($runs as $r) {
        $by[$r['id']]['args'] = $r['args'];
        $by[$r['id']]['runs'][$r['server']][] = $r;
    }
    $haveSwoole = (bool)array_filter($runs, fn($r) => $r['server'] === 'Swoole');
    $out = $note !== '' ? "$note\n\n" : '';
    $out .= "| scenario | wsserver | Swoole | ratio (wsserver ÷ Swoole) |\n|---|---|---|---|\n";
    $details = "| scenario | server | runs | figure per run | rate per run | server CPU % | client busiest thread % | others CPU % | steal % | problems |\n"
        . "|---|---|---|---|---|---|---|---|---|---|\n";
    foreach ($by as $id => $sc) {
        $m = metric_of($sc['args']);
        $cells = [];
        $med = [];
        foreach (SERVERS as $srv) {
            $rs = $sc['runs'][$srv] ?? [];
            if (!$rs) {
                $cells[$srv] = $srv === 'Swoole' && !$haveSwoole ? 'not run' : '—';
                $med[$srv] = null;
                continue;
            }
            $vals = array_values(array_filter(array_map('value_of', $rs), fn($v) => $v !== null));
            $med[$srv] = median($vals);
            $cell = fmt($med[$srv]);
            if (count($vals) > 1) {
                $cell .= ' (' . fmt(min($vals)) . '–' . fmt(max($vals)) . ')';
            }
            $bad = array_filter(array_map('trouble_of', $rs));
            if ($bad) {
                $cell .= ' **' . count($bad) . '/' . count($rs) . ' runs with problems**';
            }
            $cells[$srv] = $cell;
            $rates = $cpus = $clients = [];
            foreach ($rs as $r) {
                $j = $r['json'];
                $rates[] = $j !== null && $m['rate'] !== null ? number_format((float)($j[$m['rate']] ?? 0), 0, '.', ',') : '—';
                $cpus[] = $j !== null ? (string)($j['server_cpu_pct'] ?? '—') : '—';
                $clients[] = $j !== null ? (string)($j['client_busiest_thread_pct'] ?? '—') : '—';
            }
            $details .= sprintf("| `%s` | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", $sc['args'], $srv, count($rs),
                implode(', ', array_map(fn($r) => fmt(value_of($r)), $rs)),
                $m['rate'] !== null ? implode(', ', $rates) . " {$m['what']}" : '—',
                implode(', ', $cpus), implode(', ', $clients),
                implode(', ', array_column($rs, 'others')), implode(', ', array_column($rs, 'steal')),
                str_replace('|', '/', implode('; ', $bad)) ?: '');
        }
        $ratio = $med['wsserver'] !== null && $med['Swoole'] !== null && $med['Swoole'] > 0
            ? sprintf('%.2f', $med['wsserver'] / $med['Swoole']) : '—';
        $out .= sprintf("| `%s` (%s) | %s | %s | %s |\n", $sc['args'], $m['unit'], $cells['wsserver'],
            $cells['Swoole'], $ratio);
    }
    return $out . "\nDetails (one value per run, in run order):\n\n" . $details;
}

$mode = $argv[1] ?? '';
$file = $argv[2] ?? '';
if (!in_array($mode, ['line', 'table'], true) || !is_readable($file)) {
    fwrite(STDERR, "usage: php report.php line|table RESULTS.tsv [NOTE]\n");
    exit(2);
}
$runs = read_runs($file);
if ($mode === 'line') {
    echo $runs ? line(end($runs)) . "\n" : "no runs\n";
} else {
    echo table($runs, $argv[3] ?? '');
}
