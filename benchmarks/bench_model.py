"""Benchmark: what the learned layer costs, rules only vs rules + models, each in its own process.

    python benchmarks/bench_model.py [--healthrelease PATH] [--runs N]

Runs bench_audit.py --json with and without --no-model (alternating, N times each, so load on
the machine hits both alike) and reports the medians: audit time over the HealthRelease texts,
peak RSS and cold start, with the issue's targets (at most +30% time, +150 MB peak memory).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIME_LIMIT, MEMORY_LIMIT_MB = 0.30, 150.0


def run(extra: list[str], hr: Path | None) -> dict:
    cmd = [sys.executable, str(HERE / "bench_audit.py"), "--json", "--repeat", "1", *extra]
    if hr:
        cmd += ["--healthrelease", str(hr)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--healthrelease", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    rules, both = [], []
    for _ in range(max(1, args.runs)):
        try:
            rules.append(run(["--no-model"], args.healthrelease))
            both.append(run([], args.healthrelease))
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            print("skipped: bench_audit.py produced no figures (is the HealthRelease file there?)")
            return 0

    def med(rows, key):
        return statistics.median(r[key] for r in rows if r.get(key) is not None)

    t_rules, t_both = med(rules, "audit_s"), med(both, "audit_s")
    m_rules, m_both = med(rules, "peak_rss_mb"), med(both, "peak_rss_mb")
    c_rules, c_both = med(rules, "cold_start_s"), med(both, "cold_start_s")
    extra_time = t_both / t_rules - 1
    extra_mem = m_both - m_rules
    print(f"{rules[0]['texts']} texts, {args.runs} runs each (medians)")
    print(f"audit time   rules {t_rules:.2f} s   rules+models {t_both:.2f} s   +{100 * extra_time:.0f}% "
          f"(target <= +{100 * TIME_LIMIT:.0f}%): {'PASS' if extra_time <= TIME_LIMIT else 'MISS'}")
    print(f"peak RSS     rules {m_rules:.0f} MB   rules+models {m_both:.0f} MB   +{extra_mem:.0f} MB "
          f"(target <= +{MEMORY_LIMIT_MB:.0f} MB): {'PASS' if extra_mem <= MEMORY_LIMIT_MB else 'MISS'}")
    print(f"cold start   rules {c_rules:.2f} s   rules+models {c_both:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
