#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of src/core.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# seconds-per-target defaults to 60; 0 only replays the seed corpus once (a smoke
# test). Targets default to every tests/fuzz/fuzz_*.cc. Binaries go to _build/fuzz/,
# the working corpus grows in _build/fuzz/corpus-<target> (seeded from
# tests/fuzz/corpus/<target>, which stays small), crashes land in
# _build/fuzz/artifacts/<target>/. Exits non-zero if any target finds anything.
# Environment: CXX (default clang++), FUZZ_ARGS (extra libFuzzer flags).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/_build/fuzz"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [seconds-per-target] [target...]" >&2; exit 2 ;;
esac

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/fuzz_*.cc; do
    targets+=("$(basename "$f" .cc)")
  done
fi

cxx="${CXX:-clang++}"
jobs="${JOBS:-2}"
common=(-std=c++17 -g -O1 -fno-sanitize-recover=undefined -fno-omit-frame-pointer
        -I"$root/src" -I"$root/tests/fuzz")
# The engine is compiled once per invocation (instrumented for coverage, without
# libFuzzer's main) and linked into every target, instead of once per target.
core_flags=("${common[@]}" -fsanitize=fuzzer-no-link,address,undefined)
target_flags=("${common[@]}" -fsanitize=fuzzer,address,undefined)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$out"
failed=()

objdir="$out/obj.$$"
rm -rf "$objdir" && mkdir -p "$objdir"
trap 'rm -rf "$objdir"' EXIT
echo "=== building the engine ($jobs jobs)"
# One object per source, named after its path under src/core (net/reactor.cc -> net_reactor.o),
# at most $jobs compilers at a time.
pids=()
bad=0
for src in "$root"/src/core/*/*.cc; do
  rel="${src#"$root/src/core/"}"
  "$cxx" "${core_flags[@]}" -c "$src" -o "$objdir/${rel//\//_}.o" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || bad=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || bad=1
done
if [ "$bad" -ne 0 ]; then
  echo "fuzz.sh: building the engine failed" >&2
  exit 1
fi

for target in "${targets[@]}"; do
  src="$root/tests/fuzz/$target.cc"
  if [ ! -f "$src" ]; then
    echo "fuzz.sh: no such target: $src" >&2
    failed+=("$target(missing)")
    continue
  fi
  echo "=== building $target"
  # Link to a temporary name and rename, so a fuzzer still running from an earlier
  # invocation keeps its binary.
  if ! "$cxx" "${target_flags[@]}" "$src" "$objdir"/*.o -lz -lssl -lcrypto -o "$out/$target.tmp.$$" ||
     ! mv -f "$out/$target.tmp.$$" "$out/$target"; then
    rm -f "$out/$target.tmp.$$"
    failed+=("$target(build)")
    continue
  fi

  corpus="$out/corpus-$target"
  artifacts="$out/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$root/tests/fuzz/corpus/$target" ]; then
    cp -n "$root/tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true
  fi

  args=(-artifact_prefix="$artifacts/" -print_final_stats=1 -timeout=30 -rss_limit_mb=2560)
  [ -f "$root/tests/fuzz/$target.dict" ] && args+=(-dict="$root/tests/fuzz/$target.dict")
  case "$target" in
    fuzz_frame_decoder) args+=(-max_len=8192) ;;
  esac
  if [ "$seconds" -eq 0 ]; then
    args+=(-runs=0)
  else
    args+=(-max_total_time="$seconds")
  fi
  # shellcheck disable=SC2206
  args+=(${FUZZ_ARGS:-})

  echo "=== running $target for ${seconds}s"
  log="$out/$target.log"
  start=$(date +%s)
  "$out/$target" "${args[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  grep -aE '^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::new_units_added)' "$log" | tail -4
  echo "=== $target: exit $rc after $((end - start))s, corpus $(ls "$corpus" | wc -l) files (log: $log)"
  if [ $rc -ne 0 ]; then
    grep -aE -m5 'ERROR|SUMMARY|check failed|runtime error|Test unit written' "$log" || tail -20 "$log"
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all targets clean"
