#!/usr/bin/env bash
# The test command of wsserver: builds everything and runs every test.
#
#   scripts/test.sh            all steps but unit (unit-asan runs the same tests): what CI runs
#   scripts/test.sh --quick    skip the ASan build, its tests, fuzzing and pecl (runs unit)
#   scripts/test.sh --only a,b run only the named steps (see the list below)
#   WS_VERBOSE=1 scripts/test.sh   also stream each step's output
#
# Steps: deps examples build phpt unit asan-build asan-phpt unit-asan fuzz
#        package-xml composer pecl. Each prints one result line; its full output is in
#        _build/logs/<step>.log (the end of it is printed when it fails).
# Counting: phpt steps count run-tests.php's passed/failed tests, unit steps
# count ctest's tests, every other step counts as one test. A step whose piece
# is missing counts as failed. The last line is "N passed, N failed"; the exit
# status is non-zero when anything failed.
set -uo pipefail

# shellcheck source=scripts/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$WS_ROOT" || exit 1

SELF="$WS_ROOT/scripts/test.sh"
LOGS="$WS_ROOT/_build/logs"
ALL_STEPS=(deps examples build phpt unit asan-build asan-phpt unit-asan fuzz package-xml composer pecl)
QUICK_SKIPS=" asan-build asan-phpt unit-asan fuzz pecl "
# The full run takes the unit tests under ASan (unit-asan) instead of a second plain run of
# the same tests: it keeps CI under 25 minutes on a 2-core machine.
FULL_SKIPS=" unit "

# ---------------------------------------------------------------------------
# helpers used inside steps

# Record this step's own test counts (passed failed [skipped]).
counts() { printf '%s %s %s\n' "$1" "$2" "${3:-0}" >"$WS_COUNT_FILE"; }

need_file() {
  if [ ! -e "$1" ]; then
    echo "MISSING: $1 ($2)"
    return 1
  fi
}

# Run the phpt suite of tree $1 against extension $2; extra env in "$@".
run_phpt() {
  local tree="$1" so="$2"
  shift 2
  need_file "$so" "the extension was not built" || return 1
  need_file "$tree/run-tests.php" "phpize copies it; the build step did not run" || return 1
  if ! compgen -G "$tree/tests/*/*.phpt" >/dev/null; then
    echo "MISSING: $tree/tests/*/*.phpt (no phpt tests yet)"
    return 1
  fi
  local out="$LOGS/$WS_STEP.summary" rc
  (cd "$tree" && env "$@" php run-tests.php -q --show-diff --no-color --no-progress \
      -d "extension=$so" tests/) 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  local passed failed borked warned skipped
  passed=$(sed -nE 's/^Tests passed *: *([0-9]+).*/\1/p' "$out" | tail -1)
  failed=$(sed -nE 's/^Tests failed *: *([0-9]+).*/\1/p' "$out" | tail -1)
  borked=$(sed -nE 's/^Tests borked *: *([0-9]+).*/\1/p' "$out" | tail -1)
  warned=$(sed -nE 's/^Tests warned *: *([0-9]+).*/\1/p' "$out" | tail -1)
  skipped=$(sed -nE 's/^Tests skipped *: *([0-9]+).*/\1/p' "$out" | tail -1)
  if [ -z "$passed" ]; then
    echo "no run-tests.php summary found"
    return 1
  fi
  failed=$(( ${failed:-0} + ${borked:-0} + ${warned:-0} ))
  counts "$passed" "$failed" "${skipped:-0}"
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no phpt test ran (all skipped?)"
    return 1
  fi
  [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
}

# Run scripts/unit.sh with "$@" and count ctest's tests.
run_unit() {
  need_file scripts/unit.sh "the unit test runner" || return 1
  local out="$LOGS/$WS_STEP.summary" rc line total failed
  bash scripts/unit.sh "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$out" | tail -1)
  if [ -n "$line" ]; then
    failed=$(sed -nE 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' <<<"$line")
    total=$(sed -nE 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/p' <<<"$line")
    counts $(( total - failed )) "$failed"
    [ "$total" -gt 0 ] || { echo "ctest ran no test"; return 1; }
  elif grep -q 'No tests were found' "$out"; then
    echo "ctest found no tests"
    return 1
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------
# the steps (each runs in its own process: scripts/test.sh --step NAME)

step_deps() {
  # Third-party clients of the interop tests (tests/interop/*.phpt): Python's
  # websockets and Node's ws (Debian's node-ws, in /usr/share/nodejs; an already
  # installed nodejs, e.g. nodesource's, satisfies its dependency).
  # composer validates composer.json (the composer step).
  WS_APT_PACKAGES+=(python3-websockets nodejs node-ws composer)
  ws_ensure_packages
}

step_examples() {
  local f bad=0 n=0
  compgen -G 'examples/*.php' >/dev/null || { echo "MISSING: examples/*.php"; return 1; }
  for f in examples/*.php; do
    n=$((n + 1))
    php -n -l "$f" || bad=1
  done
  echo "$n examples checked with php -l"
  return "$bad"
}

step_build() {
  need_file config.m4 "the extension's build file" || return 1
  local make_log="$LOGS/build.make.log" warnings
  WS_MAKE_LOG="$make_log" ws_build_ext "$WS_ROOT" || return 1
  need_file modules/wsserver.so "make did not produce it" || return 1
  warnings="$(ws_compiler_warnings "$make_log")"
  if [ -n "$warnings" ]; then
    echo "COMPILER WARNINGS:"
    printf '%s\n' "$warnings"
    return 1
  fi
  echo "no compiler warnings"
  php -d "extension=$WS_ROOT/modules/wsserver.so" --ri wsserver || return 1
}

step_phpt() {
  run_phpt "$WS_ROOT" "$WS_ROOT/modules/wsserver.so"
}

step_unit() {
  run_unit
}

ASAN_TREE="$WS_ROOT/_build/asan-ext"

step_asan_build() {
  need_file config.m4 "the extension's build file" || return 1
  ws_copy_tree "$ASAN_TREE" || return 1
  ws_build_ext "$ASAN_TREE" --enable-wsserver-asan || return 1
  need_file "$ASAN_TREE/modules/wsserver.so" "make did not produce it" || return 1
  # grep -q on a pipe would exit at the first match and, under pipefail, fail the
  # pipeline through ldd's SIGPIPE: read ldd's whole output first.
  if ! grep -qE 'lib(asan|clang_rt\.asan)' <<<"$(ldd "$ASAN_TREE/modules/wsserver.so")"; then
    echo "modules/wsserver.so of the --enable-wsserver-asan build links no AddressSanitizer runtime:"
    echo "libtool links shared modules with -nostdlib, so -fsanitize=address in LDFLAGS does not"
    echo "pull libasan in; config.m4 has to add the runtimes to WSSERVER_SHARED_LIBADD itself."
    return 1
  fi
}

step_asan_phpt() {
  local so="$ASAN_TREE/modules/wsserver.so" preload
  need_file "$so" "the asan-build step failed" || return 1
  if ! grep -qE 'lib(asan|clang_rt\.asan)' <<<"$(ldd "$so")"; then
    echo "MISSING: an ASan-instrumented $so (the asan-build step failed)"
    return 1
  fi
  preload="$(ws_sanitizer_preload "$so")" || return 1
  echo "LD_PRELOAD=$preload"
  # php itself is not instrumented: no leak checking, Zend's allocator off so
  # ASan sees every allocation, modules kept loaded for readable stacks.
  run_phpt "$ASAN_TREE" "$so" \
    LD_PRELOAD="$preload" \
    USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 \
    ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0:abort_on_error=1:detect_stack_use_after_return=0" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}

step_unit_asan() {
  run_unit --asan
}

step_fuzz() {
  need_file scripts/fuzz.sh "the fuzz runner" || return 1
  bash scripts/fuzz.sh 8  # seconds per target: a smoke pass; long runs are scripts/fuzz.sh 1800
}

step_package_xml() {
  need_file package.xml "generate it: php scripts/package_xml.php" || return 1
  local fresh="$LOGS/package.xml.fresh"
  php scripts/package_xml.php -o "$fresh" || return 1
  if diff -u -I '^ *<date>' package.xml "$fresh"; then
    echo "package.xml is up to date"
  else
    echo
    echo "package.xml is OUT OF DATE (diff above: - committed, + expected)."
    echo "Run: php scripts/package_xml.php   and commit package.xml."
    return 1
  fi
}

step_composer() {
  # PIE installs from composer.json. Debian's composer validates the schema it knows;
  # scripts/check_composer.php checks PIE's php-ext section against config.m4.
  need_file composer.json "PIE's package description" || return 1
  if command -v composer >/dev/null 2>&1; then
    COMPOSER_ALLOW_SUPERUSER=1 composer validate --no-check-publish --no-interaction || return 1
  else
    echo "MISSING: composer (Debian package composer; the deps step installs it)"
    return 1
  fi
  php scripts/check_composer.php
}

step_pecl() {
  need_file package.xml "generate it: php scripts/package_xml.php" || return 1
  local base="$WS_ROOT/_build/pecl" root conf tgz so
  rm -rf "$base" && mkdir -p "$base" || return 1
  ws_copy_tree "$base/src" || return 1
  root="$base/root"
  conf="$root/pear.conf"
  mkdir -p "$root/wrap" "$root/tmp" || return 1

  # A private PEAR configuration (own registry, temp, cache and download dirs)
  # so nothing outside $base is written. pecl installs the built .so to the
  # extension dir php-config reports, so pecl gets a php-config wrapper (via
  # php_prefix) that reports one inside $base.
  ln -s "$(command -v phpize)" "$root/wrap/phpize" || return 1
  cat >"$root/wrap/php-config" <<EOF
#!/bin/sh
case "\$1" in
  --prefix) echo "$root/prefix" ;;
  --extension-dir) echo "$root/prefix/ext" ;;
  *) exec "$(command -v php-config)" "\$@" ;;
esac
EOF
  chmod +x "$root/wrap/php-config"
  pear config-create "$root" "$conf" >/dev/null || return 1
  local kv
  for kv in "php_prefix $root/wrap/" "temp_dir $root/tmp" "cache_dir $root/cache" \
            "download_dir $root/download" "ext_dir $root/prefix/ext" "auto_discover 0"; do
    # shellcheck disable=SC2086
    pear -c "$conf" config-set $kv >/dev/null || { echo "pear config-set $kv failed"; return 1; }
  done

  echo "--- pecl package"
  (cd "$base/src" && pecl -c "$conf" package) || return 1
  tgz="$(compgen -G "$base/src/wsserver-*.tgz" | head -1)"
  need_file "$tgz" "pecl package did not produce a tarball" || return 1
  local listing
  listing="$(tar -tzf "$tgz")" || return 1
  echo "$(wc -l <<<"$listing") entries in $(basename "$tgz")"
  grep -qE '^wsserver-[^/]+/config\.m4$' <<<"$listing" || { echo "config.m4 is not in the tarball"; return 1; }
  echo "--- pecl install $(basename "$tgz")"
  MAKE="make -j$WS_JOBS" pecl -c "$conf" install "$tgz" </dev/null || return 1
  so="$root/prefix/ext/wsserver.so"
  need_file "$so" "pecl install did not install it" || return 1
  echo "--- php --ri wsserver (installed by pecl)"
  php -d "extension=$so" --ri wsserver
}

# ---------------------------------------------------------------------------
# one step, in its own process

if [ "${1:-}" = --step ]; then
  WS_STEP="$2"
  : "${WS_COUNT_FILE:=/dev/null}"
  mkdir -p "$LOGS"
  "step_${2//-/_}"
  exit $?
fi

# ---------------------------------------------------------------------------
# the driver

quick=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only=",$2,"; shift ;;
    --only=*) only=",${1#--only=},"; ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

step_timeout() {
  case "$1" in
    deps) echo 1200 ;;
    examples|package-xml) echo 120 ;;
    # Its ASan build of the engine and the tests takes most of the time: 4-5 min on a
    # quiet machine, over 10 when other work shares the two cores.
    unit-asan) echo 1500 ;;
    *) echo 900 ;;
  esac
}

mkdir -p "$LOGS"
steps=()
for s in "${ALL_STEPS[@]}"; do
  if [ -n "$only" ]; then
    [[ "$only" == *",$s,"* ]] || continue
  elif [ "$quick" = 1 ] && [[ "$QUICK_SKIPS" == *" $s "* ]]; then
    continue
  elif [ "$quick" = 0 ] && [[ "$FULL_SKIPS" == *" $s "* ]]; then
    continue
  fi
  steps+=("$s")
done
if [ ${#steps[@]} -eq 0 ]; then
  echo "no step selected; steps are: ${ALL_STEPS[*]}" >&2
  exit 2
fi

total_passed=0
total_failed=0
failed_steps=()
started=$SECONDS
i=0
for s in "${steps[@]}"; do
  i=$((i + 1))
  log="$LOGS/$s.log"
  count_file="$LOGS/$s.counts"
  rm -f "$count_file"
  printf '[%2d/%d] %-11s ' "$i" "${#steps[@]}" "$s"
  t0=$SECONDS
  if [ "${WS_VERBOSE:-0}" = 1 ]; then
    echo
    WS_COUNT_FILE="$count_file" timeout -k 10 "$(step_timeout "$s")" bash "$SELF" --step "$s" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    printf '[%2d/%d] %-11s ' "$i" "${#steps[@]}" "$s"
  else
    WS_COUNT_FILE="$count_file" timeout -k 10 "$(step_timeout "$s")" bash "$SELF" --step "$s" </dev/null >"$log" 2>&1
    rc=$?
  fi
  dt=$((SECONDS - t0))
  [ "$rc" = 124 ] && echo "TIMEOUT after $(step_timeout "$s")s" >>"$log"

  p="" f="" sk=0
  [ -s "$count_file" ] && read -r p f sk <"$count_file"
  if [ -z "$p" ]; then
    if [ "$rc" = 0 ]; then p=1 f=0; else p=0 f=1; fi
  elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    f=1 # the step failed besides its counted tests (crash, warnings, ...)
  fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))

  extra=""
  [ "${sk:-0}" != 0 ] && extra=", $sk skipped"
  if [ "$rc" = 0 ]; then
    printf 'ok     %d passed, %d failed%s (%ds)\n' "$p" "$f" "$extra" "$dt"
  else
    failed_steps+=("$s")
    printf 'FAILED %d passed, %d failed%s (%ds, exit %d) -- log: %s\n' "$p" "$f" "$extra" "$dt" "$rc" "${log#"$WS_ROOT"/}"
    if [ "${WS_VERBOSE:-0}" != 1 ]; then
      if grep -qE 'error:|warning:|^(FAIL|MISSING|TIMEOUT)|ERROR' "$log"; then
        echo "------- errors in ${log#"$WS_ROOT"/} -------"
        grep -E 'error:|warning:|^(FAIL|MISSING|TIMEOUT)|ERROR' "$log" | head -n 60 | sed 's/^/  | /'
      fi
      echo "------- last lines of ${log#"$WS_ROOT"/} -------"
      tail -n 60 "$log" | sed 's/^/  | /'
      echo "------- end of $s -------"
    fi
  fi
done

echo "total time: $((SECONDS - started))s${failed_steps[*]:+; failed steps: ${failed_steps[*]}}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
