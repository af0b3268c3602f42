"""Fetch and crawl throughput on the local web farm (127.0.0.1 only), rate limit off.

    python benchmarks/bench_fetch.py [--workers 8 16 32] [--repeat 3] [--in-process]

The farm (20 sites, 500 pages of 2-4 KB) runs in a child process by default so its server
threads do not share the benchmark's GIL. Reports pages/s for a plain fetch of the 500 page
URLs through one shared Fetcher, and for crawl() over all 20 sites, per worker count (best of
--repeat runs). Robots.txt is honoured (each Fetcher loads it once per site).
"""
from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from claimcheck.web.crawl import crawl  # noqa: E402
from claimcheck.web.fetch import Fetcher  # noqa: E402


def fetcher() -> Fetcher:
    return Fetcher(rate=0, allow_private=True, backoff=0.01)


def bench_fetch(pages: list[str], workers: int) -> tuple[float, int]:
    with fetcher() as f, ThreadPoolExecutor(workers) as pool:
        start = time.perf_counter()
        results = list(pool.map(f.fetch, pages))
        elapsed = time.perf_counter() - start
    return elapsed, sum(r.ok for r in results)


def bench_crawl(sites: list[str], workers: int) -> tuple[float, int]:
    with fetcher() as f:
        start = time.perf_counter()
        results = list(crawl(sites, f, depth=10, max_pages=10_000, workers=workers))
        elapsed = time.perf_counter() - start
    return elapsed, len(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-process", action="store_true", help="serve the farm in this process")
    args = parser.parse_args()
    logging.getLogger("claimcheck").setLevel(logging.ERROR)  # site 2's robots.txt 500 is on purpose

    child = farm = None
    if args.in_process:
        from webfarm import WebFarm

        farm = WebFarm().start()
        sites, pages = farm.sites, farm.pages
    else:
        child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "webfarm.py")],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(child.stdout.readline())
        sites, pages = info["sites"], info["pages"]
    try:
        print(f"farm: {len(sites)} sites, {len(pages)} pages, "
              f"{'in-process' if farm else 'child process'}; rate limit off")
        print(f"{'workers':>7}  {'fetch pages/s':>13}  {'crawl pages/s':>13}  (best of {args.repeat})")
        for workers in args.workers:
            f_best = min(bench_fetch(pages, workers)[0] for _ in range(args.repeat))
            c_runs = [bench_crawl(sites, workers) for _ in range(args.repeat)]
            c_best = min(t for t, _ in c_runs)
            n_crawl = c_runs[0][1]
            print(f"{workers:>7}  {len(pages) / f_best:>13.0f}  {n_crawl / c_best:>13.0f}")
    finally:
        if farm:
            farm.stop()
        if child:
            child.stdin.close()
            child.wait(timeout=10)


if __name__ == "__main__":
    main()
