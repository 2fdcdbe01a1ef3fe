"""bench/compare.sh --end-to-end's measurements (issue 12): store to file.

1. Untimed: `wxcube run` back-fills getarticletotal for N accounts x D days from
   the `wxcube sandbox` process compare.sh started, into a SQLite store.
2. For csv.gz, xlsx, ndjson and parquet: `wxcube run --offline` exporting article_total
   (flatten + the shipped derive), timed as a whole process (start to exit:
   opening the store, reading and decoding the stored bodies, the stages, the
   writer, the manifest). One untimed warm-up run per format, then 5 timed
   runs each, alternating with the format's anchor (ours, anchor, ours, ...)
   so that load from neighbours on a shared machine falls on both sides; the
   medians count; peak RSS is the largest of the runs (os.wait4 on each
   wxcube process).
3. The anchors write the same rows from memory, timed as in compare.py: the
   rows are wxcube's own CSV output (gunzipped, from the warm-up run), loaded
   untimed.

Lines printed last:
  e2e csv.gz/gzip-6 R          wxcube run wall / gzip -6 over the same CSV bytes
  e2e xlsx/libxlsxwriter R     wxcube run wall / libxlsxwriter (constant_memory)
  e2e ndjson/orjson R          wxcube run wall / orjson writing loaded rows
  e2e parquet/pyarrow R        wxcube run wall / pq.write_table (zstd) of the loaded rows as an Arrow table
  e2e parquet_peak_rss_mib M   peak RSS of the parquet runs
  e2e peak_rss_mib M           largest peak RSS of the csv.gz, xlsx and ndjson runs
  e2e decode_mb_per_s D        stored JSON bytes decoded / seconds spent decoding them

decode_mb_per_s comes from a counter inside wxcube: each stored body's
decode (single pass over the bytes into items, split by ref_date, sorted) is
timed with a monotonic clock and its bytes added up; `wxcube run` logs
"export: decoded B bytes of stored JSON (K bodies) in S s" at the end. The
median NDJSON run's line is used (the same bodies are decoded for every format).
"""
import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import backfill

REPEATS = 5


def pipeline(args, store, fmt=None):
    outputs = []
    if fmt:
        ext = {"csv.gz": "csv.gz", "xlsx": "xlsx", "ndjson": "ndjson", "parquet": "parquet"}[fmt]
        outputs = [{"datasets": "[article_total]", "format": fmt, "path": f"article_total.{ext}"}]
    return backfill.pipeline(name="e2e-bench", accounts=args.accounts, base_url=args.url, store=store,
                             range_from=f"-{args.days - 1}d", range_to="yesterday", outputs=outputs)


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of one process, and its stderr."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{err[-4000:]}")
    return wall, usage.ru_maxrss / 1024.0, err


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def median_wall(results):
    return statistics.median(r["wall_seconds"] for r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wxcube", required=True)
    ap.add_argument("--bench", required=True, help="the wxcube-bench executable (types the anchor rows)")
    ap.add_argument("--xlsx-anchor", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=REPEATS)
    args = ap.parse_args()
    w = args.work
    store = os.path.join(w, "store.sqlite")

    print(f"filling the store: {args.accounts} accounts x {args.days} days of getarticletotal (untimed)...", file=sys.stderr)
    fill = os.path.join(w, "fill.yaml")
    with open(fill, "w") as f:
        f.write(pipeline(args, store))
    t0 = time.perf_counter()
    timed([args.wxcube, "run", fill, "--out", os.path.join(w, "fill-out")])
    fill_seconds = time.perf_counter() - t0
    store_mb = os.path.getsize(store) / 1e6

    def run_ours(fmt):
        out = os.path.join(w, f"out-{fmt}")
        shutil.rmtree(out, ignore_errors=True)
        wall, rss, err = timed([args.wxcube, "run", os.path.join(w, f"export-{fmt}.yaml"), "--offline", "--out", out])
        m = re.search(r"decoded (\d+) bytes of stored JSON \((\d+) bodies\) in ([0-9.]+) s", err)
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        return {"wall_seconds": wall, "peak_rss_mib": rss, "rows": manifest["files"][0]["rows"],
                "decode": (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else None}

    # One untimed run per format first: it writes the csv.gz the anchors' rows
    # come from, and warms the page cache for every later run alike.
    formats = ["csv.gz", "xlsx", "ndjson", "parquet"]
    rows = None
    for fmt in formats:
        with open(os.path.join(w, f"export-{fmt}.yaml"), "w") as f:
            f.write(pipeline(args, store, fmt))
        print(f"wxcube run --offline {fmt} (untimed warm-up)...", file=sys.stderr)
        rows = run_ours(fmt)["rows"]

    # The anchors' rows: wxcube's own CSV, with the column types `wxcube-bench` writes for article_total.
    csv_path = os.path.join(w, "rows.csv")
    with gzip.open(os.path.join(w, "out-csv.gz", "article_total.csv.gz"), "rb") as src, open(csv_path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    probe = os.path.join(w, "probe.csv")
    subprocess.run([args.bench, "--rows", "1", "--anchor-csv", probe], check=True, capture_output=True)
    with open(probe) as a, open(csv_path) as b:
        if a.readline() != b.readline():
            sys.exit("the exported article_total columns differ from `wxcube-bench`'s; cannot type the anchor rows")
    shutil.copy(probe + ".types", csv_path + ".types")

    from compare import gzip_anchor
    here = os.path.dirname(os.path.abspath(__file__))
    anchor_of = {
        "csv.gz": ("gzip-6", lambda: gzip_anchor(csv_path, rows)),
        "xlsx": ("libxlsxwriter", lambda: run_json([args.xlsx_anchor, csv_path, csv_path + ".types", os.path.join(w, "anchor.xlsx")])),
        "ndjson": ("orjson", lambda: run_json([sys.executable, os.path.join(here, "anchors/python_anchors.py"), "orjson", csv_path,
                                                os.path.join(w, "anchor.ndjson")])),
        "parquet": ("pyarrow", lambda: run_json([sys.executable, os.path.join(here, "anchors/python_anchors.py"), "pyarrow", csv_path,
                                                  os.path.join(w, "anchor.parquet")])),
    }

    # Each format's runs alternate with its anchor's (ours, anchor, ours, ...),
    # so a neighbour's load on this shared machine falls on both sides alike.
    ours, anchors, decode = {}, {}, None
    for fmt in formats:
        name, make = anchor_of[fmt]
        runs, results = [], []
        for i in range(args.repeats):
            print(f"wxcube run --offline {fmt}, then anchor {name}: {i + 1}/{args.repeats}...", file=sys.stderr)
            runs.append(run_ours(fmt))
            results.append(make())
            if results[-1]["rows"] != rows:
                sys.exit(f"anchor {name} wrote {results[-1]['rows']} rows, wxcube {rows}")
        runs.sort(key=lambda r: r["wall_seconds"])
        ours[fmt] = {"wall_seconds": runs[len(runs) // 2]["wall_seconds"], "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
                     "runs": [r["wall_seconds"] for r in runs], "rows": rows}
        if fmt == "ndjson":
            decode = runs[len(runs) // 2]["decode"]
        anchors[name] = {"wall_seconds": median_wall(results), "runs": sorted(r["wall_seconds"] for r in results)}

    decoded_bytes, bodies, decode_seconds = decode or (0, 0, 0.0)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"store: {args.accounts} accounts x {args.days} days of getarticletotal, {store_mb:.1f} MB "
          f"(filled in {fill_seconds:.1f} s, untimed); article_total rows: {rows}")
    print(f"{'side':<34}{'median s':>10}{'peak MiB':>10}   runs")
    for fmt, r in ours.items():
        print(f"{'wxcube run --offline ' + fmt:<34}{r['wall_seconds']:>10.3f}{r['peak_rss_mib']:>10.1f}   "
              + ", ".join(f"{x:.3f}" for x in r["runs"]))
    for name, r in anchors.items():
        print(f"{'anchor ' + name + ' (from memory)':<34}{r['wall_seconds']:>10.3f}{'':>10}   "
              + ", ".join(f"{x:.3f}" for x in r["runs"]))
    print(f"decode: {decoded_bytes} bytes of stored JSON, {bodies} bodies, {decode_seconds:.3f} s (median ndjson run)")
    # Issue 12's memory line covers its three formats; Parquet's is printed on its own.
    peak = max(r["peak_rss_mib"] for fmt, r in ours.items() if fmt != "parquet")
    print(f"e2e csv.gz/gzip-6 {ours['csv.gz']['wall_seconds'] / anchors['gzip-6']['wall_seconds']:.3f}")
    print(f"e2e xlsx/libxlsxwriter {ours['xlsx']['wall_seconds'] / anchors['libxlsxwriter']['wall_seconds']:.3f}")
    print(f"e2e ndjson/orjson {ours['ndjson']['wall_seconds'] / anchors['orjson']['wall_seconds']:.3f}")
    print(f"e2e parquet/pyarrow {ours['parquet']['wall_seconds'] / anchors['pyarrow']['wall_seconds']:.3f}")
    print(f"e2e parquet_peak_rss_mib {ours['parquet']['peak_rss_mib']:.1f}")
    print(f"e2e peak_rss_mib {peak:.1f}")
    print(f"e2e decode_mb_per_s {decoded_bytes / 1e6 / decode_seconds if decode_seconds > 0 else 0:.1f}")


if __name__ == "__main__":
    main()
