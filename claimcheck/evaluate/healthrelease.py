"""Score an auditor on the HealthRelease benchmark (expert-reviewed health press releases).

Each criterion the reviewers judged is answered from the auditor's document-level output via
CRITERIA_MAP; per criterion (not_applicable rows left out) we report the confusion counts,
precision/recall/F1 of both classes and their macro-F1, next to what a constant majority
answer would score. Only the ``text`` field is audited: ``review_title`` gives the verdict away.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..types import Report
from .metrics import BinaryScores, binary_scores, majority_baseline, majority_label

log = logging.getLogger("claimcheck")

SAT, NOT_SAT, NA = "satisfactory", "not_satisfactory", "not_applicable"
BANDS = ("low", "moderate", "high", "critical")


@dataclass(frozen=True)
class CriterionRule:
    """When a release is predicted to PASS a criterion (satisfactory).

    All conditions must hold: at least one of ``signals_any`` is present (no requirement when
    empty), none of the claim findings ``findings_none`` is present, and the risk band is at
    most ``max_band`` (no limit when None).
    """

    signals_any: tuple[str, ...] = ()
    findings_none: tuple[str, ...] = ()
    max_band: str | None = None

    def passes(self, report: Report) -> bool:
        signals = {s.signal for s in report.signals}
        claims = {f.flag for f in report.findings if f.kind == "claim"}
        if self.signals_any and not signals & set(self.signals_any):
            return False
        if claims & set(self.findings_none):
            return False
        if self.max_band is not None and BANDS.index(report.risk.band) > BANDS.index(self.max_band):
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.signals_any:
            parts.append("signal " + " or ".join(self.signals_any))
        if self.findings_none:
            parts.append("no " + "/".join(self.findings_none))
        if self.max_band:
            parts.append(f"band <= {self.max_band}")
        return " AND ".join(parts) or "always"


# Criterion -> rule for "satisfactory" (the release passes). Tune here; nothing else changes.
CRITERIA_MAP: dict[str, CriterionRule] = {
    # Harms explained: the text names a specific harm.
    "harms": CriterionRule(signals_any=("discloses-risk",)),
    # Costs discussed: the text states a price or cost.
    "costs": CriterionRule(signals_any=("discloses-cost",)),
    # Grasps the quality of the evidence: cites a source or says it is investigational, and
    # does not dress up weak evidence (mismatch, investigational presented as established).
    "evidence": CriterionRule(
        signals_any=("cites-source", "states-investigational"),
        findings_none=("evidence-mismatch", "investigational-as-established"),
    ),
    # Not sensational: no hype claim of these kinds. Band is not used (kept simple).
    "sensational": CriterionRule(
        findings_none=("cure-claim", "guaranteed-outcome", "repair-overclaim", "risk-minimisation", "pressure-tactic"),
    ),
}


@dataclass(frozen=True)
class CriterionScore:
    """One criterion: the auditor's scores and a constant-majority baseline, positive = satisfactory."""

    criterion: str
    rule: str
    scores: BinaryScores
    baseline: BinaryScores
    baseline_label: str  # the constant answer the baseline gives
    not_applicable: int  # rows left out

    @property
    def predicted_satisfactory(self) -> int:
        return sum(row[SAT] for row in self.scores.confusion.values())

    def to_dict(self) -> dict:
        return {
            "criterion": self.criterion, "rule": self.rule,
            **self.scores.to_dict(),
            "predicted_satisfactory": self.predicted_satisfactory,
            "not_applicable": self.not_applicable,
            "baseline": {"answer": self.baseline_label, "macro_f1": round(self.baseline.macro_f1, 4),
                         "accuracy": round(self.baseline.accuracy, 4)},
        }


@dataclass(frozen=True)
class HRResult:
    """HealthRelease evaluation: per-criterion scores and timing."""

    path: str
    n_rows: int
    n_audited: int
    wall_seconds: float
    criteria: tuple[CriterionScore, ...]
    skipped: tuple[str, ...] = ()  # ids the auditor refused (InputError)

    @property
    def mean_macro_f1(self) -> float:
        return sum(c.scores.macro_f1 for c in self.criteria) / len(self.criteria) if self.criteria else 0.0

    def to_dict(self) -> dict:
        return {
            "path": self.path, "rows": self.n_rows, "audited": self.n_audited,
            "wall_seconds": round(self.wall_seconds, 3),
            "seconds_per_text": round(self.wall_seconds / self.n_audited, 5) if self.n_audited else 0.0,
            "mean_macro_f1": round(self.mean_macro_f1, 4),
            "criteria": {c.criterion: c.to_dict() for c in self.criteria},
            "skipped": list(self.skipped),
        }


def load_healthrelease(path: Path, limit: int | None = None) -> list[dict]:
    """Rows of healthrelease.jsonl (first ``limit`` when given); InputError when absent or bad."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"HealthRelease file not found: {path}")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if limit is not None and len(rows) >= limit:
                break
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row["text"], str) or not isinstance(row["criteria"], dict):
                    raise TypeError("text must be a string and criteria an object")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path.name}:{n}: not a HealthRelease row ({type(exc).__name__}: {exc})") from None
            rows.append(row)
    return rows


def _score(criterion: str, rule: CriterionRule, rows: list[dict], reports: list[Report]) -> CriterionScore:
    gold, pred, na = [], [], 0
    for row, report in zip(rows, reports):
        verdict = row["criteria"].get(criterion, NA)
        if verdict not in (SAT, NOT_SAT):
            na += 1
            continue
        gold.append(verdict == SAT)
        pred.append(rule.passes(report))
    return CriterionScore(
        criterion=criterion, rule=rule.describe(),
        scores=binary_scores(gold, pred, pos=SAT, neg=NOT_SAT),
        baseline=majority_baseline(gold, pos=SAT, neg=NOT_SAT),
        baseline_label=SAT if majority_label(gold) else NOT_SAT,
        not_applicable=na,
    )


def evaluate_healthrelease(
    path: Path, auditor, limit: int | None = None, criteria: dict[str, CriterionRule] | None = None
) -> HRResult:
    """Audit each release's ``text`` and score CRITERIA_MAP (or ``criteria``) against the experts."""
    rows = load_healthrelease(path, limit)
    criteria = CRITERIA_MAP if criteria is None else criteria
    start = time.perf_counter()
    kept, reports, skipped = [], [], []
    for row in rows:
        rid = str(row.get("id", len(kept) + len(skipped)))
        try:
            reports.append(auditor.audit(row["text"], f"healthrelease:{rid}"))
        except InputError as exc:
            log.warning("healthrelease %s skipped: %s", rid, exc)
            skipped.append(rid)
            continue
        kept.append(row)
    wall = time.perf_counter() - start
    return HRResult(
        path=str(path), n_rows=len(rows), n_audited=len(kept), wall_seconds=wall,
        criteria=tuple(_score(name, rule, kept, reports) for name, rule in criteria.items()),
        skipped=tuple(skipped),
    )
