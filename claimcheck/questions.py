"""Questions a patient should ask the clinic, following from the findings."""
from __future__ import annotations

from .checklist import Checklist
from .types import Finding

_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
MAX_QUESTIONS = 6


def questions_for(findings: tuple[Finding, ...], checklist: Checklist) -> tuple[str, ...]:
    """One question per flagged checklist entry, most severe first, at most MAX_QUESTIONS."""
    entries = {e.id: e for e in checklist.entries}
    ordered = sorted(
        {f.flag: f for f in findings}.values(),
        key=lambda f: (_SEVERITY_RANK.get(f.severity, 9), f.kind != "claim", f.flag),
    )
    out: list[str] = []
    for f in ordered:
        q = entries[f.flag].question if f.flag in entries else ""
        if q and q not in out:
            out.append(q)
    return tuple(out[:MAX_QUESTIONS])
