#!/usr/bin/env bash
# Back-fill benchmark (issue 7): wxcube run against wechatpy on 16 threads,
# both fetching the same calls from one `wxcube sandbox` process.
#
#   bench/fetch.sh [--accounts 20] [--days 365]
#
# Prints a table, then `fetch/wechatpy R` (wxcube wall ÷ wechatpy wall) and
# `run_peak_rss_mib M` last.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c "import wechatpy" 2>/dev/null || python3 -m pip install -q wechatpy

# WXCUBE_BUILD_PATH: another build folder (e.g. .build-release) so a debug
# build in .build is not rebuilt in release mode.
scratch="${WXCUBE_BUILD_PATH:-.build}"
echo "building wxcube (release, in $scratch)..." >&2
swift build -c release --product wxcube --scratch-path "$scratch" >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/wxcube"

work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill -INT "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

accounts=20
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = "--accounts" ]; then j=$((i + 1)); accounts="${!j}"; fi
done

"$bin" sandbox --port 0 --accounts "$accounts" >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$work/sandbox.out" 2>/dev/null && break
  sleep 0.1
done
url="$(sed -n 's/.*listening on //p' "$work/sandbox.out")"
[ -n "$url" ] || { echo "the sandbox did not start:" >&2; cat "$work/sandbox.err" >&2; exit 1; }

python3 bench/fetch.py --wxcube "$bin" --url "$url" --work "$work" "$@"
