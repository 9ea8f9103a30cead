#!/usr/bin/env bash
# Server benchmarks of BENCHMARKS.md with ../shared/tools/wsbench: wsserver and, when given,
# Swoole, back to back, one fresh server per run. Prints server CPU µs per operation (idle:
# RSS bytes per connection) per scenario as a markdown table. See bench/README.md.
#
#   bench/run.sh [--swoole PATH/swoole.so] [--scenarios LIST] [--full] [options]
#
# Options:
#   --ext PATH          wsserver.so to measure (default: modules/wsserver.so of this checkout)
#   --swoole PATH       swoole.so: measure Swoole too, alternating with wsserver run by run
#   --scenarios LIST    comma-separated ids (default: all): echo1 echo16 echo64k echo1000
#                       connect broadcast idle
#   -t, --duration S    measurement window per run, seconds (default 5)
#   -w, --warmup S      warmup per run, seconds (default 1)
#   -r, --repeat N      runs per server and scenario; the table shows the median (default 1)
#   --full              the protocol of BENCHMARKS.md: -t 10 -w 2 -r 3
#   --mode M            base (default) or process: SWOOLE_PROCESS, worker_num 1, reactor_num 1
#   --idle-hold S       idle: how long the connections are held (default 2)
#   --port P            first port to try on 127.0.0.1 (default 19500; up to P+99 are used)
#   --server-core N     core for the server (default 0); --client-core N for wsbench (default 1)
#   --wsbench PATH      use this wsbench binary instead of building one
#   --build-dir DIR     where wsbench is built and logs/results go (default: _build/bench,
#                       git-ignored)
#   --php PATH          the php binary (default: php on PATH)
#   --list              print the scenarios and exit
#
# Exit status: 0 when every run went through without a problem, 1 when some run had one (the
# table says which), 2 on bad usage or a missing build.
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
PHP=php
EXT=$REPO/modules/wsserver.so
SWOOLE=
SCENARIOS=all
DURATION=5
WARMUP=1
REPEAT=1
IDLE_HOLD=2
PORT_BASE=19500
SERVER_CORE=0
CLIENT_CORE=1
WSBENCH=
WSBENCH_SRC=$REPO/../shared/tools/wsbench
BUILD_DIR=$REPO/_build/bench
START_TIMEOUT=15   # s for a server to reach workerStart
STOP_TIMEOUT=10    # s for a server to exit after SIGTERM

ALL_SCENARIOS="echo1 echo16 echo64k echo1000 connect broadcast idle"

# id -> "server-script|wsbench arguments" (the arguments are also the table's row label)
scenario() {
    case "$1" in
        echo1) echo "echo_server.php|echo -c 100 -d 1 -s 32" ;;
        echo16) echo "echo_server.php|echo -c 100 -d 16 -s 32" ;;
        echo64k) echo "echo_server.php|echo -c 10 -d 1 -s 64k" ;;
        echo1000) echo "echo_server.php|echo -c 1000 -d 1 -s 32" ;;
        connect) echo "echo_server.php|connect -c 50" ;;
        broadcast) echo "broadcast_server.php|broadcast -c 1000 -s 32" ;;
        idle) echo "echo_server.php|idle -c 10000" ;;
        *) return 1 ;;
    esac
}

usage() { sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --ext) need_arg "$@"; EXT=$2; shift 2 ;;
        --swoole) need_arg "$@"; SWOOLE=$2; shift 2 ;;
        --scenarios) need_arg "$@"; SCENARIOS=$2; shift 2 ;;
        -t|--duration) need_arg "$@"; DURATION=$2; shift 2 ;;
        -w|--warmup) need_arg "$@"; WARMUP=$2; shift 2 ;;
        -r|--repeat) need_arg "$@"; REPEAT=$2; shift 2 ;;
        --full) DURATION=10; WARMUP=2; REPEAT=3; shift ;;
        --mode) need_arg "$@"
            case "$2" in base|process) export BENCH_SERVER_MODE=$2 ;; *) die "--mode: base or process" ;; esac
            shift 2 ;;
        --idle-hold) need_arg "$@"; IDLE_HOLD=$2; shift 2 ;;
        --port) need_arg "$@"; PORT_BASE=$2; shift 2 ;;
        --server-core) need_arg "$@"; SERVER_CORE=$2; shift 2 ;;
        --client-core) need_arg "$@"; CLIENT_CORE=$2; shift 2 ;;
        --wsbench) need_arg "$@"; WSBENCH=$2; shift 2 ;;
        --build-dir) need_arg "$@"; BUILD_DIR=$2; shift 2 ;;
        --php) need_arg "$@"; PHP=$2; shift 2 ;;
        --list)
            for s in $ALL_SCENARIOS; do printf '%-10s %s\n' "$s" "$(scenario "$s" | tr '|' '\t')"; done
            exit 0 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

is_num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
is_int() { [[ $1 =~ ^[0-9]+$ ]]; }
is_num "$DURATION" && is_num "$WARMUP" && is_num "$IDLE_HOLD" || die "durations must be numbers of seconds"
is_int "$REPEAT" && [ "$REPEAT" -ge 1 ] && [ "$REPEAT" -le 20 ] || die "--repeat must be 1..20"
is_int "$PORT_BASE" && [ "$PORT_BASE" -ge 1024 ] && [ "$PORT_BASE" -le 65400 ] || die "--port must be 1024..65400"
is_int "$SERVER_CORE" && is_int "$CLIENT_CORE" || die "cores are numbers"
[ "$SCENARIOS" = all ] && SCENARIOS=$ALL_SCENARIOS
SCENARIOS=${SCENARIOS//,/ }
for s in $SCENARIOS; do scenario "$s" >/dev/null || die "unknown scenario '$s' (--list shows them)"; done
command -v taskset >/dev/null || die "taskset is missing (util-linux)"
command -v timeout >/dev/null || die "timeout is missing (coreutils)"
command -v "$PHP" >/dev/null || die "php not found: $PHP"
if [ "$(nproc --all 2>/dev/null || echo 1)" -lt 2 ]; then
    echo "run.sh: fewer than 2 cores: server and wsbench share one, figures will be skewed" >&2
    CLIENT_CORE=$SERVER_CORE
fi

# The extensions: each must provide Swoole\WebSocket\Server on its own.
check_ext() {
    [ -f "$2" ] || die "$1: $2 not found${3:+ ($3)}"
    "$PHP" -d extension="$2" -r 'exit(class_exists("Swoole\\WebSocket\\Server") ? 0 : 1);' \
        >/dev/null 2>&1 || die "$1: $2 does not load or has no Swoole\\WebSocket\\Server"
}
EXT=$(cd "$(dirname "$EXT")" 2>/dev/null && pwd)/$(basename "$EXT")
check_ext wsserver "$EXT" "build it: phpize && ./configure --enable-wsserver && make"
if [ -n "$SWOOLE" ]; then
    SWOOLE=$(cd "$(dirname "$SWOOLE")" 2>/dev/null && pwd)/$(basename "$SWOOLE")
    check_ext Swoole "$SWOOLE"
fi

mkdir -p "$BUILD_DIR" || die "cannot create $BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

# wsbench: built from its Makefile into BUILD_DIR/wsbench (make rebuilds it when the source changes).
if [ -z "$WSBENCH" ]; then
    [ -f "$WSBENCH_SRC/Makefile" ] || die "wsbench source not found at $WSBENCH_SRC (give --wsbench PATH)"
    WSBENCH_SRC=$(cd "$WSBENCH_SRC" && pwd)
    mkdir -p "$BUILD_DIR/wsbench"
    make -s -C "$BUILD_DIR/wsbench" -f "$WSBENCH_SRC/Makefile" VPATH="$WSBENCH_SRC" wsbench \
        || die "building wsbench failed"
    WSBENCH=$BUILD_DIR/wsbench/wsbench
fi
[ -x "$WSBENCH" ] || die "wsbench not executable: $WSBENCH"

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BUILD_DIR/run-$STAMP-$$
mkdir -p "$OUT" || die "cannot create $OUT"
RESULTS=$OUT/results.tsv
: >"$RESULTS"

SERVER_PID=
SERVER_KIDS=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    for k in $SERVER_KIDS; do kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null; done
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

# A port on 127.0.0.1 that nothing listens on (bounded: 100 candidates).
PORT_NEXT=0
pick_port() {
    local i p
    for ((i = 0; i < 100; i++)); do
        p=$((PORT_BASE + PORT_NEXT % 100))
        PORT_NEXT=$((PORT_NEXT + 1))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Every descendant of a PID (from /proc), so that none outlives its run.
descendants() {
    local kids k
    kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
    for k in $kids; do echo "$k"; descendants "$k"; done
}

# Sleep in 0.1 s steps until the command succeeds, at most $1 seconds.
wait_until() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    "$@"
}
not_alive() { ! kill -0 "$1" 2>/dev/null; }

status_words() {
    if [ "$1" -gt 128 ]; then
        local sig=$(($1 - 128))
        echo "killed by signal $sig ($(kill -l "$sig" 2>/dev/null || echo ?))"
    else
        echo "exit status $1"
    fi
}

one_line() { tr '\t\n' '  ' | cut -c1-300; }

# Machine noise. Busy and steal jiffies of all cores together (from /proc/stat).
machine_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $9; exit }' /proc/stat; }
# utime + stime of one process, in jiffies (0 once it is gone).
proc_jiffies() { sed 's/^.*) //' /proc/"$1"/stat 2>/dev/null | awk '{ print $12 + $13; f = 1 } END { if (!f) print 0 }'; }
# CPU time of this shell's reaped children (bash's `times`), in jiffies, into CHILD_JIFFIES.
# Called directly, never in $(...) or a pipeline: a forked shell starts with no children's time.
children_jiffies() {
    times >"$OUT/.times"
    CHILD_JIFFIES=$(tail -n1 "$OUT/.times" | awk -v hz="$HZ" '{
        t = 0
        for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
        printf "%d", t * hz }')
}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_one ID SERVER-NAME EXT REP: one fresh server, one wsbench run, one line in RESULTS.
run_one() {
    local id=$1 name=$2 ext=$3 rep=$4
    local def script args mode conns nofile port ready log json err problem="" rc=0 st noise=$'-\t-'
    def=$(scenario "$id")
    script=$BENCH_DIR/${def%%|*}
    args=${def#*|}
    mode=${args%% *}
    conns=$(sed -n 's/.*-c \([0-9]*\).*/\1/p' <<<"$args")
    # File descriptors: connections + slack (broadcast adds a sender). Raised only in the
    # subshells that start the server and wsbench, never for the caller.
    nofile=$(ulimit -n)
    if [ "$nofile" != unlimited ] && [ "$nofile" -lt $((conns + 256)) ]; then nofile=$((conns + 256)); fi
    local base=$OUT/$id.$name.$rep
    log=$base.server.log json=$base.json err=$base.wsbench.log ready=$base.ready

    local attempt
    for attempt in 1 2 3; do
        port=$(pick_port) || { problem="no free port in $PORT_BASE..$((PORT_BASE + 99))"; break; }
        rm -f "$ready"
        (ulimit -n "$nofile" || exit 111
         exec taskset -c "$SERVER_CORE" "$PHP" -d extension="$ext" "$script" "$port" "$ready") >"$log" 2>&1 &
        SERVER_PID=$!
        if wait_until "$START_TIMEOUT" test -s "$ready"; then
            problem=""
            break
        fi
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            problem="not ready (no workerStart) after ${START_TIMEOUT}s"
            kill -KILL "$SERVER_PID" 2>/dev/null
            wait "$SERVER_PID" 2>/dev/null
            break
        fi
        wait "$SERVER_PID"
        st=$?
        problem="server did not start: $(status_words $st): $(head -c 300 "$log" | one_line)"
        grep -qi 'address already in use' "$log" || break
    done

    if [ -z "$problem" ]; then
        sleep 0.3
        SERVER_KIDS=$(descendants "$SERVER_PID")
        local timing
        if [ "$mode" = idle ]; then timing="-t $IDLE_HOLD"; else timing="-t $DURATION -w $WARMUP"; fi
        # Bounded: wsbench's own deadlines (30 s opening, 5 s close...) plus slack.
        local limit
        limit=$(awk -v d="$DURATION" -v w="$WARMUP" -v h="$IDLE_HOLD" 'BEGIN { printf "%d", d + w + h + 90 }')
        local m0 m1 st0 st1 s0 s1 c0 c1 t0 t1
        read -r m0 st0 < <(machine_jiffies)
        s0=$(proc_jiffies "$SERVER_PID")
        children_jiffies
        c0=$CHILD_JIFFIES
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        (ulimit -n "$nofile" || exit 111
         exec timeout -k 5 "$limit" taskset -c "$CLIENT_CORE" "$WSBENCH" $args $timing --json \
             -p "$SERVER_PID" "ws://127.0.0.1:$port/") >"$json" 2>"$err"
        rc=$?
        t1=$(date +%s%N)
        read -r m1 st1 < <(machine_jiffies)
        s1=$(proc_jiffies "$SERVER_PID")
        children_jiffies
        c1=$CHILD_JIFFIES
        # Others = every core's busy time minus the server's and wsbench's, as % of one core;
        # steal = time the hypervisor gave our virtual CPUs to someone else.
        noise=$(awk -v m=$((m1 - m0)) -v st=$((st1 - st0)) -v s=$((s1 - s0)) -v c=$((c1 - c0)) \
            -v ns=$((t1 - t0)) -v hz="$HZ" 'BEGIN {
                w = ns / 1e9 * hz; o = (m - st - s - c) / w * 100; if (o < 0) o = 0
                printf "%.0f\t%.0f", o, st / w * 100 }')
        [ "$rc" = 124 ] && problem="wsbench hit the ${limit}s limit (hang?)"
        [ "$rc" = 111 ] && problem="cannot raise ulimit -n to $nofile"
        SERVER_KIDS="$SERVER_KIDS $(descendants "$SERVER_PID")"

        if not_alive "$SERVER_PID"; then
            wait "$SERVER_PID"
            st=$?
            problem="${problem:+$problem; }server died during the run: $(status_words $st)"
            [ -s "$log" ] && problem="$problem, its output ends: $(tail -c 300 "$log" | one_line)"
        else
            t0=$(date +%s%N)
            kill -TERM "$SERVER_PID"
            if wait_until "$STOP_TIMEOUT" not_alive "$SERVER_PID"; then
                t1=$(date +%s%N)
                wait "$SERVER_PID"
                st=$?
                if [ "$st" -gt 128 ] && [ "$st" != 143 ]; then
                    problem="${problem:+$problem; }on SIGTERM: $(status_words $st)"
                fi
                echo "stopped $(((t1 - t0) / 1000000)) ms after SIGTERM, $(status_words $st)" >>"$log"
            else
                problem="${problem:+$problem; }still running ${STOP_TIMEOUT}s after SIGTERM (killed)"
                kill -KILL "$SERVER_PID" 2>/dev/null
                wait "$SERVER_PID" 2>/dev/null
            fi
        fi
        local k
        for k in $SERVER_KIDS; do
            if kill -0 "$k" 2>/dev/null; then
                kill -KILL "$k" 2>/dev/null
                problem="${problem:+$problem; }child $k outlived the server (killed)"
            fi
        done
        # PHP warnings or errors printed by the server are worth a look.
        if grep -qE 'PHP (Warning|Fatal|Notice)|Fatal error|Segmentation|Assertion|ERROR' "$log"; then
            problem="${problem:+$problem; }server printed: $(grep -m1 -E 'PHP (Warning|Fatal|Notice)|Fatal error|Segmentation|Assertion|ERROR' "$log" | one_line)"
        fi
    fi
    SERVER_PID=
    SERVER_KIDS=
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$args" "$name" "$rep" "$rc" \
        "$(printf '%s' "$problem" | one_line)" "$noise" "$(head -n1 "$json" 2>/dev/null | tr -d '\t')" >>"$RESULTS"
    "$PHP" "$BENCH_DIR/report.php" line "$RESULTS" >&2
}

commit_of() {
    local dir
    dir=$(dirname "$(dirname "$1")")
    git -C "$dir" rev-parse --short HEAD 2>/dev/null | tr -d '\n'
    [ -n "$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ] && printf ' (modified)'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "results and logs: $OUT" >&2
echo "protocol: window ${DURATION}s, warmup ${WARMUP}s, idle hold ${IDLE_HOLD}s, $REPEAT run(s) per server, server on core $SERVER_CORE, wsbench on core $CLIENT_CORE" >&2
for id in $SCENARIOS; do
    for ((rep = 1; rep <= REPEAT; rep++)); do
        # Alternate who goes first, so slow drift in machine load hits both alike.
        if [ -n "$SWOOLE" ] && [ $((rep % 2)) = 0 ]; then
            run_one "$id" Swoole "$SWOOLE" "$rep"
            run_one "$id" wsserver "$EXT" "$rep"
        else
            run_one "$id" wsserver "$EXT" "$rep"
            [ -n "$SWOOLE" ] && run_one "$id" Swoole "$SWOOLE" "$rep"
        fi
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

NOTE="$(date +%F) — wsserver $(commit_of "$EXT")"
if [ -n "$SWOOLE" ]; then
    NOTE="$NOTE vs Swoole $("$PHP" -d extension="$SWOOLE" -r 'echo SWOOLE_VERSION;' 2>/dev/null)"
fi
NOTE="$NOTE; ${BENCH_SERVER_MODE:-base} mode; window ${DURATION}s, warmup ${WARMUP}s, median of $REPEAT; server CPU µs per operation"
NOTE="$NOTE (idle: RSS bytes per connection), lower is better; load average $LOAD_BEFORE before, $LOAD_AFTER after."
"$PHP" "$BENCH_DIR/report.php" table "$RESULTS" "$NOTE" | tee "$OUT/table.md"
cut -f6 "$RESULTS" | grep -q . && exit 1
awk -F'\t' '$5 != 0 { bad = 1 } END { exit bad }' "$RESULTS" || exit 1
exit 0
