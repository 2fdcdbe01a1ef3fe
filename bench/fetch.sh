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
trap 'rm -rf "$work"' EXIT

accounts=20
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = "--accounts" ]; then j=$((i + 1)); accounts="${!j}"; fi
done

. bench/sandbox.sh
start_sandbox "$bin" "$accounts" "$work"

python3 bench/fetch.py --wxcube "$bin" --url "$url" --work "$work" "$@"
