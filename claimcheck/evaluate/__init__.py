"""Evaluation: score an auditor on the labelled dev folder and the HealthRelease benchmark."""
from __future__ import annotations

from .dev import DevResult, evaluate_dev
from .healthrelease import CRITERIA_MAP, CriterionRule, HRResult, evaluate_healthrelease
from .tables import format_dev, format_healthrelease

__all__ = [
    "CRITERIA_MAP", "CriterionRule", "DevResult", "HRResult", "evaluate_dev",
    "evaluate_healthrelease", "format_dev", "format_healthrelease",
]
