"""Runs bench/load/psql-copy.sh's measurements; see that script. Each side runs
3 times into an empty table and the median counts."""
import argparse
import csv
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import backfill  # noqa: E402  (bench/backfill.py)

REPEATS = 3
USER = "bench"


def as_pg(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.getuid() == 0 else cmd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wxcube", required=True)
    ap.add_argument("--pgbin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--accounts", type=int, default=20)
    args = ap.parse_args()
    w, pgbin = args.work, args.pgbin
    password = secrets.token_hex(8)
    env = dict(os.environ, PGPASSWORD=password)

    # The server: initdb (as postgres when root: initdb refuses root), free port.
    pgdir = os.path.join(w, "pg")
    os.makedirs(pgdir)
    with open(os.path.join(pgdir, "pw"), "w") as f:
        f.write(password + "\n")
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", "postgres", pgdir], check=True)
    port = free_port()
    subprocess.run(as_pg([f"{pgbin}/initdb", "-D", f"{pgdir}/data", "-U", USER, "--pwfile", f"{pgdir}/pw",
                          "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
                   check=True, capture_output=True)
    subprocess.run(as_pg([f"{pgbin}/pg_ctl", "-D", f"{pgdir}/data", "-l", f"{pgdir}/log", "-w", "start",
                          "-o", f"-p {port} -k {pgdir} -c listen_addresses=127.0.0.1"]), check=True, capture_output=True)

    def psql(sql, db="bench"):
        return subprocess.run([f"{pgbin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p", str(port),
                               "-U", USER, "-d", db, "-c", sql], env=env, check=True, capture_output=True, text=True).stdout.strip()

    psql("CREATE DATABASE bench", db="postgres")

    # The sandbox with N accounts, and the store filled once (untimed).
    sandbox_port = free_port()
    sandbox = subprocess.Popen([args.wxcube, "sandbox", "--port", str(sandbox_port), "--accounts", str(args.accounts)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", sandbox_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        to = date.today() - timedelta(days=30)
        frm = to - timedelta(days=args.days - 1)

        def pipeline(name, output):
            return backfill.write_pipeline(
                os.path.join(w, name), name="bench", accounts=args.accounts, account_name="account{k:02d}",
                base_url="sandbox", concurrency=8, store=f"{w}/store.sqlite", range_from=frm.isoformat(),
                range_to=to.isoformat(), outputs=[output])

        csv_pipeline = pipeline("csv.yaml", {"dataset": "article_total", "format": "csv", "path": '"article_total.csv"'})
        pg_pipeline = pipeline("pg.yaml", {"dataset": "article_total", "format": "postgres",
                                           "url": f'"postgres://{USER}:${{PGPASSWORD}}@127.0.0.1:{port}/bench?sslmode=disable"'})
        print(f"filling the store: {args.accounts} accounts x {args.days} days of getarticletotal...", file=sys.stderr)
        timed([args.wxcube, "run", csv_pipeline, "--out", w, "--api-base", f"http://127.0.0.1:{sandbox_port}"], env=env)
    finally:
        sandbox.terminate()
        sandbox.wait()
    csv_path = os.path.join(w, "article_total.csv")
    with open(csv_path, newline="") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1  # titles may hold newlines

    # wxcube: store -> flatten/derive -> COPY -> table, into an empty schema each time.
    ours = []
    for i in range(REPEATS):
        psql("DROP SCHEMA IF EXISTS wxcube CASCADE")
        ours.append(timed([args.wxcube, "run", pg_pipeline, "--out", os.path.join(w, "out"), "--offline"], env=env))
        loaded = int(psql("SELECT count(*) FROM wxcube.article_total"))
        if loaded != rows:
            sys.exit(f"wxcube loaded {loaded} rows, the CSV has {rows}")

    # The anchor: psql \copy of the same rows into the same table shape, empty.
    columns = open(csv_path).readline().strip()
    anchor, text, binary = [], [], []
    for i in range(REPEATS):
        psql("DROP SCHEMA IF EXISTS anchor CASCADE; CREATE SCHEMA anchor; "
             "CREATE TABLE anchor.article_total (LIKE wxcube.article_total INCLUDING ALL)")
        anchor.append(timed([f"{pgbin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port), "-U", USER,
                             "-d", "bench", "-c", f"\\copy anchor.article_total ({columns}) from '{csv_path}' csv header"], env=env))
        if int(psql("SELECT count(*) FROM anchor.article_total")) != rows:
            sys.exit("anchor row count differs")
    # COPY text vs binary of the same rows (what wxcube could send), with psql.
    text_path, bin_path = os.path.join(w, "rows.txt"), os.path.join(w, "rows.bin")
    psql(f"\\copy anchor.article_total ({columns}) to '{text_path}'")
    psql(f"\\copy anchor.article_total ({columns}) to '{bin_path}' (format binary)")
    for i in range(REPEATS):
        for path, fmt, out in [(text_path, "text", text), (bin_path, "binary", binary)]:
            psql("TRUNCATE anchor.article_total")
            out.append(timed([f"{pgbin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port), "-U", USER,
                              "-d", "bench", "-c", f"\\copy anchor.article_total ({columns}) from '{path}' (format {fmt})"], env=env))

    med = statistics.median
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"rows: {rows} (article_total, {args.accounts} accounts x {args.days} days), {os.path.getsize(csv_path) / 1e6:.1f} MB of CSV")
    print(f"{'side':<36}{'wall s (median of 3)':>22}{'rows/s':>12}")
    for name, t in [("wxcube run --offline -> postgres", ours), ("anchor psql \\copy csv header", anchor),
                    ("psql \\copy format text", text), ("psql \\copy format binary", binary)]:
        print(f"{name:<36}{med(t):>22.3f}{rows / med(t):>12.0f}   all: {', '.join(f'{x:.3f}' for x in t)}")
    print(f"copy binary/text {med(binary) / med(text):.3f}")
    print(f"load/psql-copy {med(ours) / med(anchor):.3f}")


if __name__ == "__main__":
    main()
