"""Benchmark: what trafilatura alone keeps of a clinic page vs claimcheck's extraction.

    python benchmarks/bench_html.py [--repeat N] [--json]

For every fixture in tests/fixtures/html/ (invented clinic pages; planted.json lists the
planted claim sentences and the noise strings), prints: planted claims kept by trafilatura
alone (default settings, and favour-recall as claimcheck calls it), planted claims kept by
claimcheck.web.html.extract_html, noise strings that leak into each, which claims
trafilatura drops (with their section), and the extraction time per page (median of N runs).
The measurement is a script, not a test: timings vary by machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "html"
sys.path.insert(0, str(REPO))


def _norm(text: str) -> str:
    return " ".join(text.split())


def _kept(text: str, strings: list[str]) -> list[str]:
    flat = _norm(text)
    return [s for s in strings if _norm(s) in flat]


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(repeat: int) -> list[dict]:
    import trafilatura

    from claimcheck.web.extract import decode_html
    from claimcheck.web.html import extract_html, trafilatura_text

    planted = {k: v for k, v in json.loads((FIXTURES / "planted.json").read_text("utf-8")).items()
               if not k.startswith("_")}
    rows = []
    for name in sorted(planted):
        raw = (FIXTURES / name).read_bytes()
        html, _ = decode_html(raw, "", name)
        claims = [c["text"] for c in planted[name]["claims"]]
        section = {c["text"]: c["section"] for c in planted[name]["claims"]}
        noise = planted[name]["noise"]
        traf_default = trafilatura.extract(html) or ""
        traf_recall = trafilatura_text(html)
        ours = extract_html(html).text
        kept_recall = _kept(traf_recall, claims)
        rows.append({
            "page": name,
            "claims": len(claims),
            "trafilatura_default": len(_kept(traf_default, claims)),
            "trafilatura_recall": len(kept_recall),
            "claimcheck": len(_kept(ours, claims)),
            "dropped_by_trafilatura": [f"{section[c]}: {c}" for c in claims if c not in kept_recall],
            "noise_trafilatura": _kept(traf_recall, noise),
            "noise_claimcheck": _kept(ours, noise),
            "ms_trafilatura": round(_median_ms(lambda: trafilatura_text(html), repeat), 2),
            "ms_claimcheck": round(_median_ms(lambda: extract_html(html), repeat), 2),
            "bytes": len(raw),
        })
    rows.append(_large_page(planted, repeat))
    return rows


def _large_page(planted: dict, repeat: int) -> dict:
    """Every fixture's body ten times over in one page (~100 KB), for time at a realistic size."""
    import re

    from claimcheck.web.html import extract_html, trafilatura_text

    bodies = [re.search(r"<body>(.*)</body>", (FIXTURES / n).read_text("utf-8"), re.S).group(1)
              for n in sorted(planted)]
    html = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + "".join(
        f"<div class='copy-{i}'>{b}</div>" for i in range(10) for b in bodies) + "</body></html>"
    claims = [c["text"] for n in sorted(planted) for c in planted[n]["claims"]]
    ours = extract_html(html).text
    return {
        "page": "all x10", "claims": len(claims),
        "trafilatura_default": 0, "trafilatura_recall": len(_kept(trafilatura_text(html), claims)),
        "claimcheck": len(_kept(ours, claims)), "dropped_by_trafilatura": [],
        "noise_trafilatura": [], "noise_claimcheck": [],
        "ms_trafilatura": round(_median_ms(lambda: trafilatura_text(html), max(3, repeat // 4)), 2),
        "ms_claimcheck": round(_median_ms(lambda: extract_html(html), max(3, repeat // 4)), 2),
        "bytes": len(html.encode("utf-8")),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per page (median)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.repeat)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{'page':14} {'claims':>6} {'traf':>5} {'traf+recall':>11} {'claimcheck':>10} "
          f"{'noise traf/cc':>13} {'ms traf':>8} {'ms cc':>7}")
    for r in rows:
        print(f"{r['page']:14} {r['claims']:>6} {r['trafilatura_default']:>5} "
              f"{r['trafilatura_recall']:>11} {r['claimcheck']:>10} "
              f"{len(r['noise_trafilatura']):>6}/{len(r['noise_claimcheck']):<6} "
              f"{r['ms_trafilatura']:>8.2f} {r['ms_claimcheck']:>7.2f}")
    total = {k: sum(r[k] for r in rows if r["page"] != "all x10") for k in ("claims", "trafilatura_default",
                                                    "trafilatura_recall", "claimcheck")}
    print(f"{'total':14} {total['claims']:>6} {total['trafilatura_default']:>5} "
          f"{total['trafilatura_recall']:>11} {total['claimcheck']:>10}")
    print("\nplanted claims trafilatura alone (favour recall) drops:")
    for r in rows:
        for c in r["dropped_by_trafilatura"]:
            print(f"  {r['page']}: {c}")
    leaks = [(r["page"], n) for r in rows for n in r["noise_trafilatura"]]
    if leaks:
        print("\nnoise trafilatura alone keeps:")
        for page, n in leaks:
            print(f"  {page}: {n!r}")
    ours = [(r["page"], n) for r in rows for n in r["noise_claimcheck"]]
    print(f"\nnoise claimcheck keeps: {ours or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
