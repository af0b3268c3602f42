"""Risk score 0-100 and band, from a documented formula.

    points  = sum over claim findings of SEVERITY_POINTS[severity] * weight * repeat_factor
            + sum over omission findings of OMISSION_POINTS[severity]
            - MITIGATION per distinct mitigating signal (at most MITIGATION_CAP),
              taken only off the omission points: honesty elsewhere never excuses a cure claim
    points *= DOC_FACTOR[document kind]          (information texts are not marketing)
    score   = round(100 * (1 - exp(-points / SCALE)))   (saturates smoothly at 100)
    band    = low < 25 <= moderate < 50 <= high < 75 <= critical, then two caps:
              critical needs a critical-severity claim (cure, guarantee, no-risk, false approval);
              a text that only informs is at most moderate;
              a regulator-quote text with a claim finding is critical (an authority has already
              found the claims unlawful: surfacing them is the point).
repeat_factor is 1 for the first finding of a flag and REPEAT for each further one, so ten
copies of one phrase do not outweigh ten different red flags.
"""
from __future__ import annotations

import math

from .types import DocType, Finding, Risk, Signal

SEVERITY_POINTS = {"critical": 30.0, "high": 18.0, "medium": 10.0, "low": 4.0}
OMISSION_POINTS = {"critical": 14.0, "high": 12.0, "medium": 8.0, "low": 3.0}
REPEAT = 0.3
MITIGATION = 4.0
MITIGATION_CAP = 16.0
DOC_FACTOR = {"offer": 1.0, "regulator-quote": 1.0, "information": 0.2}
SCALE = 45.0
BANDS = ((75, "critical"), (50, "high"), (25, "moderate"), (0, "low"))
BAND_ORDER = ("low", "moderate", "high", "critical")


def band_of(score: int) -> str:
    return next(name for floor, name in BANDS if score >= floor)


def score_report(findings: tuple[Finding, ...], signals: tuple[Signal, ...], doc_type: DocType) -> Risk:
    seen: dict[str, int] = {}
    claim_points = 0.0
    omission_points = 0.0
    breakdown: list[tuple[str, float]] = []
    for f in findings:
        if f.kind == "omission":
            pts = OMISSION_POINTS[f.severity]
            omission_points += pts
        else:
            n = seen.get(f.flag, 0)
            seen[f.flag] = n + 1
            pts = SEVERITY_POINTS[f.severity] * f.weight * (1.0 if n == 0 else REPEAT)
            claim_points += pts
        breakdown.append((f"{f.flag} ({f.severity})", round(pts, 2)))
    distinct_signals = {s.signal for s in signals}
    mitigation = min(MITIGATION * len(distinct_signals), MITIGATION_CAP, omission_points)
    if mitigation:
        breakdown.append((f"mitigating signals: {', '.join(sorted(distinct_signals))}", -mitigation))
    points = claim_points + omission_points - mitigation
    factor = DOC_FACTOR[doc_type.kind]
    if factor != 1.0:
        breakdown.append((f"document type {doc_type.kind}: x{factor}", round(points * factor - points, 2)))
    points *= factor
    score = round(100 * (1 - math.exp(-max(points, 0.0) / SCALE)))
    band = band_of(score)
    has_claim = any(f.kind == "claim" for f in findings)
    has_critical_claim = any(f.kind == "claim" and f.severity == "critical" for f in findings)
    if band == "critical" and not has_critical_claim:
        band = "high"
        breakdown.append(("capped at high: no critical-severity claim", 0.0))
    if doc_type.kind == "information" and BAND_ORDER.index(band) > 1:
        band = "moderate"
        breakdown.append(("capped at moderate: the text informs, it does not sell", 0.0))
    if doc_type.kind == "regulator-quote" and has_claim:
        band, score = "critical", max(score, 75)
        breakdown.append(("regulator quote with seller claims: critical", 0.0))
    return Risk(score=score, band=band, breakdown=tuple(breakdown))
