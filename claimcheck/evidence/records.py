"""Shared constants and the frozen records the evidence base is built from."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import EvidenceStatus

LEVELS = ("established", "investigational", "no-evidence")
GENERIC = "stem-cells-unspecified"
UNKNOWN = "unknown"
# Weakest first: the verdict reports the least supported pair a sentence touches.
RANK = {"no-evidence": 0, "investigational": 1, UNKNOWN: 2, "established": 3}


@dataclass(frozen=True)
class EvidenceVerdict:
    """Whether an evidence-driven flag holds for a sentence, and what the evidence says."""

    keep: bool
    status: EvidenceStatus | None
    note: str


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    parent: str | None
    synonyms: tuple[str, ...]
    family: str = ""
    clinic_product: bool = False


@dataclass(frozen=True)
class Entry:
    intervention: str
    condition: str
    level: str
    population: str
    summary: str
    sources: tuple[str, ...]
    require_cues: re.Pattern | None = None
    require_conditions: frozenset[str] = frozenset()
    precedes_generic: bool = False  # defaults: beats the "stem cells for <condition>" entries


@dataclass(frozen=True)
class Anchor:
    id: str
    name: str
    kind: str
    result: str
    pattern: re.Pattern
    interventions: tuple[str, ...]
    condition: str | None
    summary: str
