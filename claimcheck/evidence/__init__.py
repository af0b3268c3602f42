"""The evidence base: which conditions and interventions a text names, what the evidence says
for each pair, and the three evidence-driven checks (investigational-as-established,
evidence-mismatch, overbroad-indication).

Data lives in data/evidence/*.yaml and data/sources.yaml; it is read and validated on first
use, and every regex is compiled once.
"""
from __future__ import annotations

from .base import EvidenceBase, load_sources
from .checks import CHECKS
from .records import GENERIC, LEVELS, UNKNOWN, EvidenceVerdict

__all__ = ["CHECKS", "GENERIC", "LEVELS", "UNKNOWN", "EvidenceBase", "EvidenceVerdict",
           "load_sources"]
