#!/usr/bin/env bash
# Installs what the tests read outputs with, then runs every test.
# Idempotent: on a machine that has everything it goes straight to the lint and `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v unzip >/dev/null || need_apt+=(unzip)
command -v soffice >/dev/null || need_apt+=(libreoffice-calc-nogui)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
for p in libxml2-dev zlib1g-dev libsqlite3-dev libssl-dev libzstd-dev libsnappy-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
# The postgres output's tests start their own server with initdb/pg_ctl.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
python3 -c "import openpyxl, duckdb, pyarrow" 2>/dev/null || python3 -m pip install -q openpyxl duckdb pyarrow

# Formatting is part of the tests: `bash scripts/format.sh` fixes what this reports.
swift format lint --strict -r Sources Tests
swift build --build-tests
swift test "$@"
