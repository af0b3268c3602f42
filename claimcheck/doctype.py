"""Document type: does the text offer or promote a treatment, quote one for enforcement, or inform?

Omission flags apply only to offers, so this decision is explained in the report: the
cues that decided are listed as reasons. Cues and weights live in data/doctype.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import yamlio

from . import paths
from .errors import DataError
from .prefilter import compile_lowered, literal_factors, lower_same_length, runs_on_original
from .types import DocType

_KINDS = ("offer", "regulator", "information")
CLAIM_WEIGHT = 2
CLAIM_CAP = 6
MODEL_WEIGHT = 1  # the document model adds this to the side it is confident about ...
MODEL_CONFIDENT = 0.9  # ... when P(offer) >= this, or P(offer) <= 1 - this


@dataclass(frozen=True)
class _Cue:
    id: str
    weight: int
    pattern: re.Pattern
    factors: frozenset[str] | None  # a text without any of these cannot match (prefilter.py)


@dataclass(frozen=True)
class DocTypeRules:
    cues: dict
    regulator_threshold: int
    offer_threshold: int
    margin: int
    cap: int

    @classmethod
    def load(cls, path: Path | None = None) -> "DocTypeRules":
        path = path or paths.doctype_file()
        raw = yamlio.safe_load(path.read_text(encoding="utf-8"))
        try:
            cues = {
                kind: tuple(
                    _Cue(c["id"], int(c["weight"]), compile_lowered(c["pattern"], re.M),
                         literal_factors(c["pattern"]))
                    for c in raw[kind]
                )
                for kind in _KINDS
            }
            t = raw["thresholds"]
            return cls(cues, int(t["regulator"]), int(t["offer"]), int(t["margin"]), int(raw["cap"]))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise DataError(f"{path.name}: invalid document-type rules ({exc})", code="CC301") from None


@cache
def default_rules() -> DocTypeRules:
    return DocTypeRules.load()


@dataclass(frozen=True)
class CueScores:
    """Cue evidence for each kind, computed once per text."""

    offer: int
    regulator: int
    information: int
    offer_cues: tuple[str, ...]
    regulator_cues: tuple[str, ...]
    information_cues: tuple[str, ...]


def _score(cues, text: str, low: str, cap: int) -> tuple[int, tuple[str, ...]]:
    found = []
    total = 0
    for cue in cues:
        if cue.factors and not any(f in low for f in cue.factors):
            continue
        m = cue.pattern.search(text if runs_on_original(cue.pattern) else low)
        if m:
            total += cue.weight
            found.append(f"{cue.id} ('{text[m.start():m.end()].strip()}')")
    return min(total, cap), tuple(found)


def score_cues(text: str, rules: DocTypeRules | None = None) -> CueScores:
    rules = rules or default_rules()
    low = lower_same_length(text)
    offer, offer_cues = _score(rules.cues["offer"], text, low, rules.cap)
    reg, reg_cues = _score(rules.cues["regulator"], text, low, rules.cap)
    info, info_cues = _score(rules.cues["information"], text, low, rules.cap)
    return CueScores(offer, reg, info, offer_cues, reg_cues, info_cues)


def decide(scores: CueScores, claim_flags: frozenset[str] = frozenset(),
           rules: DocTypeRules | None = None, model=None) -> DocType:
    """Decide offer / regulator-quote / information, with the cues as reasons.

    Red-flag claims the text makes in its own voice (after context) are promotion too: each
    distinct claim flag adds CLAIM_WEIGHT to the offer side, up to CLAIM_CAP. The document
    model (a learn.runtime.DocScore, when it ran) adds MODEL_WEIGHT to the side it is
    confident about; it never decides alone.
    """
    rules = rules or default_rules()
    claim_points = min(CLAIM_WEIGHT * len(claim_flags), CLAIM_CAP)
    offer = scores.offer + claim_points
    info, reg = scores.information, scores.regulator
    offer_cues = scores.offer_cues + (
        (f"own-voice claims ({', '.join(sorted(claim_flags))})",) if claim_flags else ())
    info_cues = scores.information_cues
    p_offer = None
    if model is not None:
        p_offer = model.offer_probability
        said = f"document model P(offer)={p_offer:.2f} (words: {', '.join(model.terms) or '-'})"
        if p_offer >= MODEL_CONFIDENT:
            offer += MODEL_WEIGHT
            offer_cues += (said,)
        elif p_offer <= 1 - MODEL_CONFIDENT:
            info += MODEL_WEIGHT
            info_cues += (said,)
    summary = f"offer {offer}, information {info}, regulator {reg}"
    if reg >= rules.regulator_threshold:
        return DocType("regulator-quote", False, (
            f"an authority quotes a seller's claims ({summary})",
            *(f"regulator cue: {c}" for c in scores.regulator_cues),
        ), p_offer)
    if offer >= rules.offer_threshold and offer > info + rules.margin:
        return DocType("offer", True, (
            f"the text offers or promotes a treatment ({summary})",
            *(f"offer cue: {c}" for c in offer_cues),
        ), p_offer)
    why = "informs about treatments rather than selling one" if info >= offer else \
        "too few signs that it sells a treatment"
    return DocType("information", False, (
        f"{why} ({summary})",
        *(f"information cue: {c}" for c in info_cues),
        *(f"offer cue: {c}" for c in offer_cues),
    ), p_offer)


def classify(text: str, claim_flags: frozenset[str] = frozenset()) -> DocType:
    """Convenience: score the cues and decide in one call."""
    return decide(score_cues(text), claim_flags)
