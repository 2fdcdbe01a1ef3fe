"""Runs bench/compare.sh's measurements; see that script. Per format, wxcube and
its anchors run in turn (ours, anchor, ours, anchor...), 3 times each, and the
medians count: a neighbour's load on this shared machine then falls on both
sides alike, not on whichever side happened to run while it lasted. Ratios
compare seconds per row, so an anchor may run on fewer rows when it is too
slow to run on all of them (--slow-anchor-rows)."""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

REPEATS = 3


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"no JSON result from {' '.join(cmd)}:\n{out.stdout}\n{out.stderr}")
    return json.loads(lines[-1])


def median(results):
    results = sorted(results, key=lambda r: r["wall_seconds"])
    best = results[len(results) // 2]
    best["peak_rss_mib"] = max(r.get("peak_rss_mib", 0) for r in results)
    return best


def gzip_anchor(csv_path, rows):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["gzip", "-6", "-c", csv_path], check=True, stdout=sink)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # RUSAGE_CHILDREN's peak covers every child so far, so gzip's own peak is not known here.
    return {"anchor": "gzip-6", "rows": rows, "wall_seconds": wall, "cpu_seconds": cpu, "peak_rss_mib": 0.0}


def per_row(r):
    return r["wall_seconds"] / max(1, r["rows"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wxcube", required=True)
    ap.add_argument("--xlsx-anchor", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--slow-anchor-rows", type=int, default=200_000,
                    help="rows for Python XlsxWriter (the slowest anchor); ratios are per row")
    ap.add_argument("--split-rows", type=int, default=1_048_577,
                    help="also run the xlsx exporter once at this many rows (the sheet split) for memory; 0 to skip")
    ap.add_argument("--only", default="csv.gz,xlsx,ndjson,parquet",
                    help="comma-separated formats to measure (with their anchors), e.g. --only parquet")
    args = ap.parse_args()
    only = set(args.only.split(","))
    w, n = args.work, args.rows
    csv_path = os.path.join(w, "rows.csv")

    print(f"generating {n} rows for the anchors...", file=sys.stderr)
    subprocess.run([args.wxcube, "--rows", str(n), "--anchor-csv", csv_path], check=True)

    py = os.path.join(os.path.dirname(__file__), "anchors/python_anchors.py")
    anchor_runs = {
        "csv.gz": {"gzip-6": lambda: gzip_anchor(csv_path, n)},
        "xlsx": {
            "libxlsxwriter": lambda: run_json([args.xlsx_anchor, csv_path, csv_path + ".types", os.path.join(w, "anchor.xlsx")]),
            "xlsxwriter": lambda: run_json([sys.executable, py, "xlsxwriter", csv_path, os.path.join(w, "anchor_py.xlsx"),
                                            "--rows", str(min(n, args.slow_anchor_rows))]),
        },
        "ndjson": {"orjson": lambda: run_json([sys.executable, py, "orjson", csv_path, os.path.join(w, "anchor.ndjson")])},
        "parquet": {"pyarrow": lambda: run_json([sys.executable, py, "pyarrow", csv_path, os.path.join(w, "anchor.parquet")])},
    }

    ours, anchors = {}, {}
    for fmt, ext in [("csv.gz", "csv.gz"), ("xlsx", "xlsx"), ("ndjson", "ndjson"), ("parquet", "parquet")]:
        if fmt not in only:
            continue
        print(f"wxcube {fmt} and {', '.join(anchor_runs[fmt])}, in turn...", file=sys.stderr)
        out = os.path.join(w, f"wxcube.{ext}")
        runs = {"wxcube": []} | {name: [] for name in anchor_runs[fmt]}
        for _ in range(REPEATS):
            runs["wxcube"].append(run_json([args.wxcube, "--rows", str(n), "--format", fmt, "--out", out]))
            for name, run in anchor_runs[fmt].items():
                runs[name].append(run())
        ours[fmt] = median(runs.pop("wxcube"))
        anchors |= {name: median(r) for name, r in runs.items()}
        if fmt == "xlsx":
            check = subprocess.run([sys.executable, "-c", (
                "import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1], read_only=True); "
                "print(sum(sum(1 for _ in ws.iter_rows(values_only=True)) - 1 for ws in wb.worksheets if ws.title != 'About'))"), out],
                check=True, capture_output=True, text=True)
            rows_read = int(check.stdout.strip())
            if rows_read != n:
                sys.exit(f"xlsx check failed: openpyxl read {rows_read} data rows, expected {n}")
        if fmt == "parquet":
            check = subprocess.run([sys.executable, "-c", (
                "import pyarrow.parquet as pq,sys; print(pq.read_table(sys.argv[1]).num_rows)"), out],
                check=True, capture_output=True, text=True)
            if int(check.stdout.strip()) != n:
                sys.exit(f"parquet check failed: pyarrow read {check.stdout.strip()} rows, expected {n}")
    split = None
    if args.split_rows and "xlsx" in only:
        print(f"wxcube xlsx at {args.split_rows} rows (sheet split)...", file=sys.stderr)
        split = run_json([args.wxcube, "--rows", str(args.split_rows), "--format", "xlsx",
                          "--out", os.path.join(w, "split.xlsx")])

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"{'side':<22}{'rows':>10}{'wall s':>10}{'cpu s':>10}{'rows/s':>12}{'MB/s':>9}{'peak MiB':>10}")
    for name, r in [(f"wxcube {k}", v) for k, v in ours.items()] + [(f"anchor {k}", v) for k, v in anchors.items()] + \
            ([("wxcube xlsx (split)", split)] if split else []):
        mbs = r.get("mb_per_second", "")
        print(f"{name:<22}{r['rows']:>10}{r['wall_seconds']:>10.3f}{r.get('cpu_seconds', 0):>10.3f}"
              f"{r['rows'] / r['wall_seconds']:>12.0f}{(f'{mbs:.1f}' if mbs != '' else ''):>9}{r.get('peak_rss_mib', 0):>10.1f}")
    peak = max([r["peak_rss_mib"] for r in ours.values()] + ([split["peak_rss_mib"]] if split else []))
    for fmt, anchor, label in [("csv.gz", "gzip-6", "csv.gz/gzip-6"), ("xlsx", "libxlsxwriter", "xlsx/libxlsxwriter"),
                               ("xlsx", "xlsxwriter", "xlsx/xlsxwriter"), ("ndjson", "orjson", "ndjson/orjson"),
                               ("parquet", "pyarrow", "parquet/pyarrow")]:
        if fmt in ours and anchor in anchors:
            print(f"{label} {per_row(ours[fmt]) / per_row(anchors[anchor]):.3f}")
    if "parquet" in ours and "pyarrow" in anchors:
        print(f"parquet_peak_rss_mib {ours['parquet']['peak_rss_mib']:.1f} (pyarrow {anchors['pyarrow']['peak_rss_mib']:.1f}, "
              f"its Arrow table built in {anchors['pyarrow'].get('build_seconds', 0):.1f} s untimed)")
    print(f"peak_rss_mib {peak:.1f}")


if __name__ == "__main__":
    main()
