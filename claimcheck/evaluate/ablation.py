"""Rules only vs model only vs both, as pandas tables: what notebooks/evaluation.ipynb shows.

Kept in the package (and tested) so the notebook stays a thin, readable report.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..score import BAND_ORDER
from .dev import evaluate_dev, load_labels, locate, overlaps

MODES = {"rules only": {"use_model": False}, "model only": {"use_rules": False}, "combined": {}}


def auditors(**kwargs) -> dict:
    """One loaded Auditor per ablation mode."""
    from ..auditor import Auditor

    return {name: Auditor(**kwargs, **opts).load() for name, opts in MODES.items()}


def headline_table(folders: dict[str, Path], modes: dict) -> pd.DataFrame:
    """One row per (set, mode): the headline dev figures."""
    rows, results = [], {}
    for set_name, folder in folders.items():
        for mode, auditor in modes.items():
            result = evaluate_dev(folder, auditor)
            results[(set_name, mode)] = result
            rows.append({"set": set_name, "mode": mode, **result.all.headline()})
    return pd.DataFrame(rows).set_index(["set", "mode"]), results


def per_flag_table(results: dict) -> pd.DataFrame:
    """Sentence-level precision and recall per claim flag, for every (set, mode)."""
    rows = []
    for (set_name, mode), result in results.items():
        for flag, c in result.all.sentence.items():
            d = c.to_dict()
            rows.append({"set": set_name, "mode": mode, "flag": flag, **d})
    return pd.DataFrame(rows)


def band_confusion(results: dict, key) -> pd.DataFrame:
    """Gold band (rows) x predicted band (columns)."""
    table = results[key].all.band_confusion
    return pd.DataFrame(table).T.reindex(index=list(BAND_ORDER), columns=list(BAND_ORDER)).fillna(0).astype(int)


@dataclass(frozen=True)
class ScoredDoc:
    set: str
    doc: str
    kind: str
    gold_band: str
    score: int
    band: str


def scored_docs(folders: dict[str, Path], auditor) -> pd.DataFrame:
    """Risk score and gold band of every labelled document, for a calibration plot."""
    rows = []
    for set_name, folder in folders.items():
        for label in load_labels(folder):
            text = (Path(folder) / "docs" / f"{label.id}.txt").read_text(encoding="utf-8")
            report = auditor.audit(text, f"docs/{label.id}.txt")
            rows.append(ScoredDoc(set_name, label.id, label.kind, label.band, report.risk.score,
                                  report.risk.band).__dict__)
    return pd.DataFrame(rows)


def calibration_table(docs: pd.DataFrame, bins=(0, 25, 50, 75, 101)) -> pd.DataFrame:
    """Per score bin: documents, and the share whose gold band is high or critical."""
    docs = docs.assign(risky=docs.gold_band.isin(["high", "critical"]),
                       bin=pd.cut(docs.score, bins=list(bins), right=False))
    out = docs.groupby("bin", observed=False).agg(n=("risky", "size"), share_high_or_critical=("risky", "mean"),
                                                  mean_score=("score", "mean"))
    return out.reset_index()


def sentence_errors(folders: dict[str, Path], auditor) -> pd.DataFrame:
    """Every claim-sentence error (false positive on any labelled-clean sentence, missed labelled
    sentence), with the matcher and the model's probability, most instructive first: confident
    model mistakes, then rule mistakes, then misses the model nearly caught."""
    rows = []
    for set_name, folder in folders.items():
        for label in load_labels(folder):
            text = (Path(folder) / "docs" / f"{label.id}.txt").read_text(encoding="utf-8")
            report = auditor.audit(text, f"docs/{label.id}.txt")
            gold = [(flag, locate(text, s), s) for flag, ss in label.flags.items() for s in ss]
            gold = [(f, span, s) for f, span, s in gold if span is not None]
            claims = [f for f in report.findings if f.kind == "claim"]
            for f in claims:
                span = (f.evidence.start, f.evidence.end)
                if not any(flag == f.flag and overlaps(span, g) for flag, g, _ in gold):
                    rows.append({"set": set_name, "doc": label.id, "kind": label.kind, "error": "false positive",
                                 "flag": f.flag, "matcher": f.matcher,
                                 "probability": f.model.probability if f.model else None,
                                 "words": ", ".join(f.model.terms) if f.model else f.trigger.text,
                                 "sentence": f.evidence.text})
            for flag, g, sentence in gold:
                if flag in ("no-risk-disclosure", "no-oversight", "no-patient-selection", "no-cost-disclosure"):
                    continue
                if not any(f.flag == flag and overlaps((f.evidence.start, f.evidence.end), g) for f in claims):
                    dismissed = [d for d in report.dismissed if d.flag == flag and overlaps((d.evidence.start, d.evidence.end), g)]
                    rows.append({"set": set_name, "doc": label.id, "kind": label.kind, "error": "missed",
                                 "flag": flag, "matcher": "-", "probability": None,
                                 "words": dismissed[0].reason if dismissed else "",
                                 "sentence": sentence})
    frame = pd.DataFrame(rows, columns=["set", "doc", "kind", "error", "flag", "matcher", "probability",
                                        "words", "sentence"])
    kind = [0 if m == "model" else 1 if e == "false positive" else 2
            for m, e in zip(frame.matcher, frame.error)]
    order = frame.assign(_kind=kind, _confidence=-frame.probability.fillna(0).astype(float))
    return (order.sort_values(["_kind", "_confidence"], kind="stable")
            .drop(columns=["_kind", "_confidence"]).reset_index(drop=True))


def model_findings(folders: dict[str, Path], auditor) -> pd.DataFrame:
    """Every claim finding the model raised (after context and evidence checks), with its
    probability and whether a labelled sentence of the same flag backs it. Run it with a
    model-only auditor whose checklist thresholds are low to see every threshold at once."""
    rows = []
    for set_name, folder in folders.items():
        for label in load_labels(folder):
            text = (Path(folder) / "docs" / f"{label.id}.txt").read_text(encoding="utf-8")
            report = auditor.audit(text, f"docs/{label.id}.txt")
            gold = [(flag, locate(text, s)) for flag, ss in label.flags.items() for s in ss]
            for f in report.findings:
                if f.kind != "claim" or f.model is None:
                    continue
                span = (f.evidence.start, f.evidence.end)
                correct = any(flag == f.flag and g is not None and overlaps(span, g) for flag, g in gold)
                rows.append({"set": set_name, "doc": label.id, "flag": f.flag,
                             "probability": f.model.probability, "correct": correct})
    return pd.DataFrame(rows, columns=["set", "doc", "flag", "probability", "correct"])


def precision_by_threshold(found: pd.DataFrame, thresholds=(0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)) -> pd.DataFrame:
    """Per flag and threshold: model findings kept, and the share a label backs."""
    rows = []
    for flag, group in found.groupby("flag"):
        for t in thresholds:
            kept = group[group.probability >= t]
            rows.append({"flag": flag, "threshold": t, "findings": len(kept),
                         "correct": int(kept.correct.sum()),
                         "precision": round(kept.correct.mean(), 3) if len(kept) else None})
    return pd.DataFrame(rows)
