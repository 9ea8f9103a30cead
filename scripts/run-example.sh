#!/usr/bin/env bash
# Build the extension if needed and start examples/server.php with it.
#
#   scripts/run-example.sh               examples/server.php
#   scripts/run-example.sh FILE [ARGS]   another example (or any script)
#
# Installs the Debian packages the build needs when some are missing, builds in
# the tree (phpize, configure, make; only what changed on later runs) and runs
#   php -d extension=$PWD/modules/wsserver.so examples/server.php
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$WS_ROOT"

example="${1:-examples/server.php}"
[ $# -gt 0 ] && shift
if [ ! -f "$example" ]; then
  echo "run-example.sh: no such file: $example" >&2
  exit 1
fi

ws_ensure_packages >&2
mkdir -p _build
log=_build/run-example-build.log
echo "run-example.sh: building modules/wsserver.so (log: $log)" >&2
if ! ws_build_ext_incremental >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "run-example.sh: building the extension failed (full log: $log)" >&2
  exit 1
fi

so="$WS_ROOT/modules/wsserver.so"
echo "+ php -d extension=$so $example $*" >&2
exec php -d "extension=$so" "$example" "$@"
