# shellcheck shell=bash
# Helpers shared by scripts/test.sh and scripts/run-example.sh. Source it; it only
# defines variables and functions.

WS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WS_JOBS="${JOBS:-2}"

# Debian packages the build, the tests and the packaging need.
WS_APT_PACKAGES=(
  php-dev php-cli php-xml php-pear php-parser
  g++ make cmake pkg-config zlib1g-dev libssl-dev libgtest-dev
  clang libclang-rt-14-dev python3
)

ws_have_package() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]
}

# Run a command as root: directly when we are root, else through sudo.
ws_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "need root (or sudo) to run: $*" >&2
    return 1
  fi
}

# Install the packages of WS_APT_PACKAGES that are missing (apt-get update first).
ws_ensure_packages() {
  local p missing=()
  for p in "${WS_APT_PACKAGES[@]}"; do
    ws_have_package "$p" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all ${#WS_APT_PACKAGES[@]} packages are installed"
    return 0
  fi
  echo "installing missing packages: ${missing[*]}"
  ws_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
  ws_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

# Paths (relative to $WS_ROOT) that phpize, configure, make and run-tests.php
# generate; keep in step with .gitignore. Used only outside git.
WS_GENERATED_RE='^(Makefile(\.fragments|\.objects|\.global)?|config\.(h|h\.in|h\.in~|log|nice|status|cache|guess|sub)|configure(\.ac|\.in|~)?|libtool|ltmain\.sh|run-tests\.php|acinclude\.m4|aclocal\.m4|install-sh|missing|mkinstalldirs|tmp-php\.ini)$|^tests/[^/]+/[^/]+\.(diff|exp|log|out|php|sh|mem)$|\.(o|lo|la|dep|gcda|gcno|tgz)$'

# The files of the source tree, relative to $WS_ROOT, NUL-separated: tracked plus
# untracked-but-not-ignored files from git, or a walk of the tree outside git.
ws_source_files() {
  if git -C "$WS_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$WS_ROOT" ls-files -z --cached --others --exclude-standard |
      (cd "$WS_ROOT" && while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done)
  else
    (cd "$WS_ROOT" && find . \( -name .git -o -name _build -o -name autom4te.cache -o -name .libs \
        -o -path ./build -o -path ./modules \) -prune -o -type f -print0 |
      sed -z 's#^\./##' | grep -zvE "$WS_GENERATED_RE")
  fi
}

# Copy the source tree (no build artefacts) to $1, which is emptied first.
ws_copy_tree() {
  local dest="$1"
  rm -rf "$dest" && mkdir -p "$dest" || return 1
  ws_source_files | (cd "$WS_ROOT" && tar --null -T - -cf -) | tar -xf - -C "$dest"
}

# gen_stub.php (run by make when a stub is newer than its arginfo) wants
# PHP-Parser 4.15.1 in build/ and would download it; point it at Debian's
# php-parser (4.15.x) instead. Needs phpize to have run in the current directory.
ws_link_php_parser() {
  local d=build/PHP-Parser-4.15.1/lib
  if [ -d /usr/share/php/PhpParser ] && [ ! -e "$d/PhpParser" ]; then
    mkdir -p "$d" && ln -s /usr/share/php/PhpParser "$d/PhpParser"
  fi
  return 0
}

# Build the extension in directory $1 from scratch: phpize, configure, make.
# Further arguments go to configure. The output of make alone is also written to
# $WS_MAKE_LOG when that is set (to look for compiler warnings).
ws_build_ext() {
  local dir="$1"
  shift
  (
    set -o pipefail
    cd "$dir" || exit 1
    [ -f config.m4 ] || { echo "no config.m4 in $dir" >&2; exit 1; }
    phpize || exit 1
    ws_link_php_parser
    ./configure --enable-wsserver "$@" || exit 1
    make clean >/dev/null || exit 1
    if [ -n "${WS_MAKE_LOG:-}" ]; then
      make -j"$WS_JOBS" 2>&1 | tee "$WS_MAKE_LOG"
    else
      make -j"$WS_JOBS"
    fi
  )
}

# Build in $WS_ROOT only what changed (full build when there is no Makefile yet or
# config.m4 is newer than it).
ws_build_ext_incremental() {
  (
    cd "$WS_ROOT" || exit 1
    if [ -f Makefile ] && [ -f configure ] && [ ! config.m4 -nt Makefile ]; then
      make -j"$WS_JOBS"
    else
      ws_build_ext "$WS_ROOT"
    fi
  )
}

# Compiler warnings in a make log ($1), one per line.
ws_compiler_warnings() {
  grep -E 'warning:' "$1" | grep -vE '^libtool: ' || true
}

# Build a tiny preload library that strips RTLD_DEEPBIND from dlopen(): PHP
# loads extensions with RTLD_DEEPBIND, which the sanitizer runtimes refuse.
# Prints its path.
ws_nodeepbind_lib() {
  local dir="$WS_ROOT/_build/preload"
  local so="$dir/nodeepbind.so"
  if [ ! -f "$so" ]; then
    mkdir -p "$dir" || return 1
    cat >"$dir/nodeepbind.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>

/* Forward to the next dlopen() (the sanitizer's interceptor) without RTLD_DEEPBIND. */
void *dlopen(const char *file, int flags)
{
    static void *(*next)(const char *, int);
    if (!next)
        next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return next(file, flags & ~RTLD_DEEPBIND);
}
EOF
    cc -shared -fPIC -O2 -o "$so" "$dir/nodeepbind.c" -ldl >&2 || return 1
  fi
  printf '%s\n' "$so"
}

# LD_PRELOAD value to load the sanitizer-instrumented extension $1 into an
# uninstrumented php: the DEEPBIND shim, then the sanitizer runtimes it links.
ws_sanitizer_preload() {
  local so="$1" shim libs
  shim="$(ws_nodeepbind_lib)" || return 1
  libs="$(ldd "$so" | awk '/lib(asan|ubsan|clang_rt\.[a-z_]*san)[^ ]*\.so/ && $3 ~ /^\// {print $3}' | paste -sd: -)"
  if [ -z "$libs" ]; then
    libs="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
  fi
  printf '%s:%s\n' "$shim" "$libs"
}
