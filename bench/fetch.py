"""bench/fetch.sh's measurements: a back-fill of every datacube endpoint for
N accounts × D days with `wxcube run` (concurrency 16, no rate limit), then the
same calls (taken from `wxcube plan --json`) with wechatpy on 16 threads.
Each side runs once per repeat; the median counts."""
import argparse
import concurrent.futures
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import backfill

REPEATS = 3
ENDPOINTS = ["getarticlesummary", "getarticletotal", "getuserread", "getuserreadhour", "getusershare", "getusersharehour"]


def pipeline_yaml(args, store):
    return backfill.pipeline(name="fetch-bench", accounts=args.accounts, account_name="acct{k}", base_url=args.url,
                             store=store, range_from=f"-{args.days - 1}d", range_to="yesterday", endpoints=ENDPOINTS)


def run_wxcube(args, i):
    store = os.path.join(args.work, f"store{i}.sqlite")
    path = os.path.join(args.work, f"pipeline{i}.yaml")
    with open(path, "w") as f:
        f.write(pipeline_yaml(args, store))
    t0 = time.perf_counter()
    proc = subprocess.run([args.wxcube, "run", path, "--out", os.path.join(args.work, f"out{i}")],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"wxcube run failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return wall, rss, path


def planned_calls(args, path):
    out = subprocess.run([args.wxcube, "plan", path, "--refresh", "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_wechatpy(args, calls):
    from wechatpy import WeChatClient
    from wechatpy.client.api.datacube import WeChatDataCube

    base = args.url.rstrip("/")

    class SandboxClient(WeChatClient):
        API_BASE_URL = base + "/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(url=base + "/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})

    WeChatDataCube.API_BASE_URL = base + "/datacube/"
    method = {"getarticlesummary": "get_article_summary", "getarticletotal": "get_article_total",
              "getuserread": "get_user_read", "getuserreadhour": "get_user_read_hour",
              "getusershare": "get_user_share", "getusersharehour": "get_user_share_hour"}
    t0 = time.perf_counter()
    clients = {}
    for k in range(1, args.accounts + 1):
        clients[f"acct{k}"] = SandboxClient(f"wx{k:016d}", f"sandbox-secret-{k}", timeout=60)

    def one(call):
        api = clients[call["account"]].datacube
        return len(getattr(api, method[call["endpoint"]])(call["begin_date"], call["end_date"]))

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        rows = sum(pool.map(one, calls))
    return time.perf_counter() - t0, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wxcube", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=REPEATS)
    args = ap.parse_args()

    ours, peak, path = [], 0.0, None
    for i in range(args.repeats):
        print(f"wxcube run {i + 1}/{args.repeats}...", file=sys.stderr)
        wall, rss, path = run_wxcube(args, i)
        ours.append(wall)
        peak = max(peak, rss)
    calls = planned_calls(args, path)
    theirs, rows = [], 0
    for i in range(args.repeats):
        print(f"wechatpy {i + 1}/{args.repeats}...", file=sys.stderr)
        wall, rows = run_wechatpy(args, calls)
        theirs.append(wall)

    ours_m, theirs_m = statistics.median(ours), statistics.median(theirs)
    print(f"calls per side: {len(calls)} ({args.accounts} accounts × {args.days} days × {len(ENDPOINTS)} endpoints); wechatpy rows: {rows}")
    print(f"{'side':<12}{'median s':>10}{'calls/s':>10}   runs")
    print(f"{'wxcube':<12}{ours_m:>10.2f}{len(calls) / ours_m:>10.0f}   {', '.join(f'{x:.2f}' for x in ours)}")
    print(f"{'wechatpy':<12}{theirs_m:>10.2f}{len(calls) / theirs_m:>10.0f}   {', '.join(f'{x:.2f}' for x in theirs)}")
    print(f"fetch/wechatpy {ours_m / theirs_m:.3f}")
    print(f"run_peak_rss_mib {peak:.1f}")


if __name__ == "__main__":
    main()
