"""Benchmark: audit speed and memory against a spaCy blank tokenizer + sentencizer pass.

    python benchmarks/bench_audit.py [--healthrelease PATH] [--json] [--strict] [--tracemalloc]
                                     [--no-model]

Measures (a) cold start: a fresh interpreter that imports claimcheck and audits a ~2 KB text,
(b) baseline: spacy.blank("en") + sentencizer over every HealthRelease text, (c) one Auditor
over the same texts, (d) their ratio, (e) peak memory; then checks them against the targets.
Exits 0 (also when the benchmark file is absent); with --strict, 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HR = REPO.parent / "shared" / "benchmarks" / "healthrelease" / "healthrelease.jsonl"

# (name, unit, limit): a measurement passes when value <= limit.
TARGETS = (
    ("ratio audit/baseline", "x", 3.0),
    ("audit all texts", "s", 15.0),
    ("peak RSS", "MB", 400.0),
    ("cold start", "s", 1.5),
)

# About 2 KB of invented clinic copy, so the cold start measures a realistic first report.
SAMPLE = """\
Regenerate Your Future at the Riviera Cell Institute

Living with multiple sclerosis, Parkinson's disease or a spinal cord injury can feel like a
door closing. At our centre we believe it can open again. Our physicians have administered
more than 4,000 stem cell protocols since 2012, and 87% of our patients report meaningful
improvement within six months.

How does it work? We harvest mesenchymal stem cells from your own adipose tissue in a simple
outpatient procedure. The cells are expanded in our laboratory and returned to you by
intravenous and intrathecal infusion over five days. Because the cells are your own, there is
no risk of rejection and no side effects.

Our treatment repairs damaged myelin and helps nerves regrow, so many patients with
progressive MS are able to walk further, sleep better and return to work. The same protocol
is used for knee osteoarthritis, COPD, autism and the after-effects of stroke.

"After two rounds I no longer need my cane," says Daniel, 52, who travelled to us from
Toronto. Watch his before-and-after video on our testimonials page.

Our laboratory is registered with the health authority and follows international quality
standards. Treatment packages start at USD 14,500 and include airport transfers, a private
nurse and hotel accommodation for your companion.

Places for the spring intake are limited. Book a free video consultation with our patient
coordinator today and receive a 10% discount when you confirm before the end of the month.
Some patients ask whether this is part of a clinical trial: you can join our patient-funded
registry study, which helps us share results with the medical community.

Our medical director trained in regenerative medicine and lectures at conferences across
Latin America and Europe. Families of children with cerebral palsy and adults with ALS also
contact us every week, and our team answers every message within one business day.

Every patient is different and results vary. Speak with your neurologist before travelling.
"""


def load_texts(path: Path) -> list[tuple[str, str]]:
    """(id, text) of every release; only the text is ever audited."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                rows.append((str(row.get("id", n)), row["text"]))
    return rows


def cold_start(text_path: Path, repeat: int, use_model: bool = True) -> tuple[float | None, float, str]:
    """Median wall time of a fresh interpreter importing claimcheck and producing one report,
    the median bare interpreter start for contrast, and an error line (None, "..." on failure)."""
    code = ("import sys\nfrom claimcheck import Auditor\n"
            f"Auditor(use_model={use_model}).audit(open(sys.argv[1], encoding='utf-8').read(), 'bench-sample')")
    runs, bare = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, str(text_path)], capture_output=True, text=True)
        runs.append(time.perf_counter() - t)
        if proc.returncode:
            last = (proc.stderr.strip().splitlines() or ["exit code %d" % proc.returncode])[-1]
            return None, statistics.median(bare), last
    return statistics.median(runs), statistics.median(bare), ""


def baseline(texts: list[str]) -> tuple[float, int]:
    """Wall time of spaCy's blank English tokenizer + rule sentencizer over all texts."""
    import spacy

    # A fresh pipeline, not claimcheck.nlp.blank_nlp(): adding a sentencizer to the shared
    # one would change what the auditor runs.
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    t = time.perf_counter()
    sentences = sum(sum(1 for _ in doc.sents) for doc in nlp.pipe(texts))
    return time.perf_counter() - t, sentences


def audit_all(rows: list[tuple[str, str]], use_model: bool = True) -> tuple[float, float, int, int]:
    """(load seconds, audit seconds, findings, texts refused) for one Auditor over all texts."""
    from claimcheck.auditor import Auditor
    from claimcheck.errors import InputError

    t = time.perf_counter()
    auditor = Auditor(use_model=use_model)
    if hasattr(auditor, "load"):
        auditor.load()
    load = time.perf_counter() - t
    findings = refused = 0
    t = time.perf_counter()
    for rid, text in rows:
        try:
            findings += len(auditor.audit(text, f"healthrelease:{rid}").findings)
        except InputError:
            refused += 1
    return load, time.perf_counter() - t, findings, refused


def traced_peak(rows: list[tuple[str, str]], use_model: bool = True) -> float:
    """Peak Python-heap MB (tracemalloc) of a second, untimed pass with a fresh Auditor."""
    import tracemalloc

    from claimcheck.auditor import Auditor

    tracemalloc.start()
    auditor = Auditor(use_model=use_model)
    for rid, text in rows:
        auditor.audit(text, f"healthrelease:{rid}")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--healthrelease", type=Path, default=DEFAULT_HR, help="healthrelease.jsonl")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap peak")
    ap.add_argument("--repeat", type=int, default=3, help="cold-start runs (median is kept)")
    ap.add_argument("--no-model", action="store_true", help="rules only (no learned models)")
    args = ap.parse_args(argv)

    if not args.healthrelease.is_file():
        print(f"skipped: benchmark file not found: {args.healthrelease}")
        return 0
    try:
        import claimcheck.auditor  # noqa: F401
    except ImportError as exc:
        print(f"error: cannot import the auditor: {exc}", file=sys.stderr)
        return 2

    rows = load_texts(args.healthrelease)
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text(SAMPLE, encoding="utf-8")
        cold, bare, cold_error = cold_start(sample, max(1, args.repeat), not args.no_model)
    base_s, sentences = baseline([t for _, t in rows])
    load_s, audit_s, findings, refused = audit_all(rows, not args.no_model)
    rss = peak_rss_mb()
    heap = traced_peak(rows, not args.no_model) if args.tracemalloc else None

    values = {
        "ratio audit/baseline": audit_s / base_s if base_s else float("inf"),
        "audit all texts": audit_s,
        "peak RSS": rss,
        "cold start": cold,
    }
    checks = [
        {"measure": name, "value": None if values[name] is None else round(values[name], 3),
         "unit": unit, "target": limit, "pass": values[name] is not None and values[name] <= limit}
        for name, unit, limit in TARGETS
    ]
    result = {
        "model": not args.no_model, "texts": len(rows), "sample_chars": len(SAMPLE), "sentences": sentences,
        "baseline_s": round(base_s, 3), "auditor_load_s": round(load_s, 3),
        "audit_s": round(audit_s, 3), "ms_per_text": round(1000 * audit_s / len(rows), 3) if rows else 0.0,
        "findings": findings, "refused": refused, "cold_start_s": None if cold is None else round(cold, 3),
        "interpreter_start_s": round(bare, 3), "cold_start_error": cold_error,
        "peak_rss_mb": round(rss, 1), "tracemalloc_peak_mb": None if heap is None else round(heap, 1),
        "checks": checks,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{len(rows)} texts, {sentences} sentences; baseline {base_s:.2f} s; auditor load "
              f"{load_s:.2f} s, audit {audit_s:.2f} s ({result['ms_per_text']:.1f} ms/text), "
              f"{findings} findings, {refused} refused")
        if cold_error:
            print(f"cold start failed: {cold_error}")
        else:
            print(f"cold start {cold:.2f} s for {len(SAMPLE)} chars (bare interpreter {bare:.2f} s)")
        if heap is not None:
            print(f"tracemalloc peak {heap:.1f} MB (second, untimed pass)")
        print()
        print(f"{'measure':<22} {'value':>10} {'target':>10}  result")
        for c in checks:
            value = "failed" if c["value"] is None else f"{c['value']:.2f} {c['unit']}"
            print(f"{c['measure']:<22} {value:>10} {'<= %g %s' % (c['target'], c['unit']):>10}  "
                  f"{'PASS' if c['pass'] else 'MISS'}")
    return 1 if args.strict and not all(c["pass"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
