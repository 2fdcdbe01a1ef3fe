#!/usr/bin/env bash
# Side-by-side benchmark of wxcube's exporters against anchors measured on this
# machine in this run (issue 7): gzip -6, libxlsxwriter (C, constant_memory),
# Python XlsxWriter (constant_memory), Python orjson and pyarrow's Parquet
# writer (pq.write_table, zstd; issue 15).
#
#   bench/compare.sh [--rows N]          # default 1,000,000 rows of article_total
#
# Prints a table, then the ratio lines (wxcube ÷ anchor, lower is better) last.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libxlsxwriter-dev >/dev/null 2>&1 || need_apt+=(libxlsxwriter-dev)
command -v gzip >/dev/null || need_apt+=(gzip)
command -v cc >/dev/null || need_apt+=(gcc)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
python3 -c "import xlsxwriter, orjson, openpyxl, pyarrow" 2>/dev/null || python3 -m pip install -q xlsxwriter orjson openpyxl pyarrow

# WXCUBE_BUILD_PATH: another build folder (e.g. .build-release) so a debug
# build in .build is not rebuilt in release mode.
scratch="${WXCUBE_BUILD_PATH:-.build}"
echo "building wxcube (release, in $scratch)..." >&2
swift build -c release --product wxcube --scratch-path "$scratch" >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/wxcube-bench"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/xlsx_anchor" bench/anchors/xlsx_libxlsxwriter.c -lxlsxwriter

python3 bench/compare.py --wxcube "$bin" --xlsx-anchor "$work/xlsx_anchor" --work "$work" "$@"
