#!/usr/bin/env bash
# load/psql-copy: wxcube loading article_total (365 days × 20 sandbox accounts)
# from its store into PostgreSQL, against `psql -c "\copy ... from 'file.csv'
# csv header"` of the same rows into a table of the same shape (the anchor),
# both into an empty table, on a server this script starts in a temp folder.
# Also times COPY text and COPY binary of the same rows with psql (which COPY
# format PostgreSQL parses faster).
#
#   bench/load/psql-copy.sh [--days 365] [--accounts 20]
#
# Prints a table, then the ratio line `load/psql-copy R` (wxcube ÷ anchor) last.
set -euo pipefail
cd "$(dirname "$0")/../.."

pgbin="${WXCUBE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# WXCUBE_BIN: use this binary instead of building a release one.
if [ -n "${WXCUBE_BIN:-}" ]; then
  bin="$WXCUBE_BIN"
else
  scratch="${WXCUBE_BUILD_PATH:-.build}"
  echo "building wxcube (release, in $scratch)..." >&2
  swift build -c release --product wxcube --scratch-path "$scratch" >&2
  bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/wxcube"
fi

work="$(mktemp -d)"
chmod 755 "$work"
cleanup() {
  [ -f "$work/pg/data/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap cleanup EXIT

python3 bench/load/psql_copy.py --wxcube "$bin" --pgbin "$pgbin" --work "$work" "$@"
