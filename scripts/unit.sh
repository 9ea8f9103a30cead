#!/usr/bin/env bash
# Configure, build and run the C++ unit tests of src/core.
#   scripts/unit.sh          -> _build/unit
#   scripts/unit.sh --asan   -> _build/unit-asan (AddressSanitizer + UBSan)
# Extra arguments after the options are passed to ctest (e.g. -R Utf8).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/_build/unit"
sanitize=OFF
jobs="${JOBS:-2}"
ctest_args=()

for arg in "$@"; do
  case "$arg" in
    --asan) build="$root/_build/unit-asan"; sanitize=ON ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) ctest_args+=("$arg") ;;
  esac
done

cmake -S "$root/tests/unit" -B "$build" -DWSSERVER_SANITIZE="$sanitize"
cmake --build "$build" -j "$jobs"

if [ "$sanitize" = ON ]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi
ctest --test-dir "$build" --output-on-failure -j "$jobs" ${ctest_args[@]+"${ctest_args[@]}"}
