"""Benchmark: claimcheck batch throughput.

    python benchmarks/bench_batch.py [--farm] [--healthrelease PATH] [--workers 1 2] [--json]

(1) farm: crawl the local web farm (tests/webfarm.py, served from a child process: 20 sites,
    500 pages on 127.0.0.1) with
    --rate 0 through the local engine, once per --workers value; pages/s over the batch (the
    Auditor is built once beforehand and timed on its own, as the CLI does before starting).
(2) healthrelease: the HealthRelease texts, read at run time into a temporary Parquet file with
    a `text` column (never copied into the repository), through the local engine (once per
    --workers value) and through
    --engine dask on a LocalCluster (one worker process per core, cluster start-up included);
    wall time of each. Skipped with a message when the file is absent.
No targets are asserted; the figures are printed (and with --json, as one JSON object).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HR = REPO.parent / "shared" / "benchmarks" / "healthrelease" / "healthrelease.jsonl"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def _tables(out: Path, spec) -> None:
    from claimcheck.batch.outputs import build_tables
    from claimcheck.batch.work import auditor_for

    flags = tuple(e.id for e in auditor_for(spec).checklist.entries if e.kind != "signal")
    build_tables(out, flags)


class _FarmProcess:
    """The web farm served from a child process (`python tests/webfarm.py`), so the server's
    threads do not compete with the batch driver for this process's GIL, as on a real crawl."""

    def __enter__(self):
        import subprocess

        self.proc = subprocess.Popen([sys.executable, str(REPO / "tests" / "webfarm.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.sites = json.loads(self.proc.stdout.readline())["sites"]
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def bench_farm(spec, workers: list[int]) -> dict:
    from claimcheck.batch.engine_local import BatchOptions, run_local

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in workers:
            with _FarmProcess() as farm:  # a fresh farm per run: its one-off failures reset
                out = Path(tmp) / f"farm-w{w}"
                out.mkdir()
                opts = BatchOptions(inputs=tuple(farm.sites), out=out, spec=spec, workers=w, crawl=True,
                                    depth=3, max_pages=5000, rate=0, allow_private=True)
                t = time.perf_counter()
                stats = run_local(opts)
                _tables(out, spec)
                wall = time.perf_counter() - t
            n = stats.pages + stats.errors
            results[f"workers={w}"] = {"items": n, "pages": stats.pages, "seconds": round(wall, 2),
                                       "pages_per_s": round(n / wall, 1)}
            print(f"farm crawl, workers={w}: {n} items ({stats.pages} pages) in {wall:.2f} s "
                  f"= {n / wall:.1f} pages/s", flush=True)
    return results


def bench_healthrelease(spec, path: Path, workers: list[int]) -> dict | None:
    if not path.is_file():
        print(f"healthrelease: {path} not found; skipped")
        return None
    import pandas as pd

    from claimcheck.batch.engine_dask import run_dask
    from claimcheck.batch.engine_local import BatchOptions, run_local

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "healthrelease.parquet"
        pd.DataFrame({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]}).to_parquet(table)
        for engine in [f"local-workers={w}" for w in workers] + ["dask"]:
            out = Path(tmp) / engine
            out.mkdir()
            w = int(engine.split("=")[1]) if "=" in engine else 1
            opts = BatchOptions(inputs=(str(table),), out=out, spec=spec, workers=w)
            t = time.perf_counter()
            stats = run_dask(opts) if engine == "dask" else run_local(opts)
            _tables(out, spec)
            wall = time.perf_counter() - t
            results[engine] = {"texts": len(rows), "pages": stats.pages, "errors": stats.errors,
                               "seconds": round(wall, 2)}
            print(f"healthrelease, {engine}: {stats.pages} pages, {stats.errors} errors from "
                  f"{len(rows)} texts in {wall:.2f} s", flush=True)
        a = pd.read_csv(Path(tmp) / f"local-workers={workers[0]}" / "pages.csv")
        b = pd.read_csv(Path(tmp) / "dask" / "pages.csv")
        results["same_results"] = bool(a[["key", "score", "band"]].equals(b[["key", "score", "band"]]))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--healthrelease", type=Path, default=DEFAULT_HR)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-model", action="store_true", help="Rules only.")
    ap.add_argument("--skip-farm", action="store_true")
    ap.add_argument("--skip-healthrelease", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from claimcheck.batch.work import AuditorSpec, auditor_for

    spec = AuditorSpec(use_model=not args.no_model)
    t = time.perf_counter()
    auditor_for(spec)
    build = time.perf_counter() - t
    print(f"Auditor build (once per run, in the driver): {build:.2f} s; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    report = {"auditor_build_s": round(build, 2), "cpus": os.cpu_count()}
    if not args.skip_farm:
        report["farm"] = bench_farm(spec, args.workers)
    if not args.skip_healthrelease:
        report["healthrelease"] = bench_healthrelease(spec, args.healthrelease, args.workers)
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
