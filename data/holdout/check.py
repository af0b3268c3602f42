"""Validate the held-out set: ids unique, every labelled sentence is a verbatim
substring of its document, ids/kinds/bands/flags are from the README vocabulary,
omission flags only on offer kinds and consistent with signals. Prints counts.

Run: python data/holdout/check.py   (exit code 1 on any problem)
"""
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = {"clinic", "careful-clinic", "regulator-quote", "patient-org", "academic", "news", "forum"}
BANDS = {"low", "moderate", "high", "critical"}
CLAIM = {"guaranteed-outcome", "cure-claim", "uncited-statistic", "investigational-as-established",
         "overbroad-indication", "risk-minimisation", "testimonial-as-evidence",
         "regulatory-misrepresentation", "repair-overclaim", "pressure-tactic",
         "pay-to-participate", "evidence-mismatch"}
# omission flag -> the signal that fills it
OMISSION = {"no-risk-disclosure": "discloses-risk", "no-oversight": "states-oversight",
            "no-patient-selection": "states-selection", "no-cost-disclosure": "discloses-cost"}
SIGNALS = {"cites-source", "discloses-risk", "states-investigational", "states-selection",
           "states-oversight", "discloses-cost"}
OFFER = {"clinic", "careful-clinic"}


def main() -> int:
    errors = []
    rows = [json.loads(l) for l in (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    ids = [r["id"] for r in rows]
    for i, n in Counter(ids).items():
        if n > 1:
            errors.append(f"duplicate id {i}")
    files = {p.stem for p in (HERE / "docs").glob("*.txt")}
    if files != set(ids):
        errors.append(f"docs/labels mismatch: {sorted(files ^ set(ids))}")

    flag_count, sig_count, kinds, bands = Counter(), Counter(), Counter(), Counter()
    n_sent = n_traps = 0
    for r in rows:
        rid = r["id"]
        if list(r) != ["id", "source", "kind", "band", "flags", "signals", "traps", "note"]:
            errors.append(f"{rid}: keys {list(r)}")
        if r["source"] != "synthetic:claimcheck-holdout":
            errors.append(f"{rid}: source")
        if r["kind"] not in KINDS:
            errors.append(f"{rid}: kind {r['kind']}")
        if r["band"] not in BANDS:
            errors.append(f"{rid}: band {r['band']}")
        if r["kind"] == "regulator-quote" and r["band"] != "critical":
            errors.append(f"{rid}: regulator-quote must be critical")
        kinds[r["kind"]] += 1
        bands[r["band"]] += 1
        path = HERE / "docs" / f"{rid}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if not 800 <= len(text) <= 2000:
            errors.append(f"{rid}: length {len(text)}")

        def located(s, where):
            nonlocal n_sent
            n_sent += 1
            if not s or s not in text:
                errors.append(f"{rid}: {where}: not a substring: {s!r}")

        for flag, sents in r["flags"].items():
            flag_count[flag] += 1
            if flag in OMISSION:
                if r["kind"] not in OFFER:
                    errors.append(f"{rid}: omission flag {flag} on kind {r['kind']}")
                if sents:
                    errors.append(f"{rid}: omission flag {flag} must be an empty list")
                if r["signals"].get(OMISSION[flag]):
                    errors.append(f"{rid}: {flag} set but signal {OMISSION[flag]} present")
            elif flag not in CLAIM:
                errors.append(f"{rid}: unknown flag {flag}")
            elif not sents:
                errors.append(f"{rid}: claim flag {flag} without sentences")
            for s in sents:
                located(s, flag)
        if r["kind"] in OFFER:
            for om, sig in OMISSION.items():
                if om not in r["flags"] and not r["signals"].get(sig):
                    errors.append(f"{rid}: neither {om} nor a {sig} signal")
        for sig, sents in r["signals"].items():
            sig_count[sig] += 1
            if sig not in SIGNALS:
                errors.append(f"{rid}: unknown signal {sig}")
            for s in sents:
                located(s, sig)
        flagged = {s for k, v in r["flags"].items() for s in v}
        for s in r["traps"]:
            n_traps += 1
            located(s, "trap")
            if s in flagged:
                errors.append(f"{rid}: sentence is both a trap and a flag: {s!r}")

    print(f"documents: {len(rows)}   labelled strings: {n_sent} (traps: {n_traps})")
    print("kinds:  ", dict(sorted(kinds.items())))
    print("bands:  ", dict(sorted(bands.items())))
    print("flags (documents carrying each):")
    for k, v in sorted(flag_count.items()):
        print(f"  {k:32s} {v}")
    print("signals (documents carrying each):")
    for k, v in sorted(sig_count.items()):
        print(f"  {k:32s} {v}")
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
