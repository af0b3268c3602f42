"""Regression guard on our own labelled sets (data/holdout*): rule edits must not quietly
lose what the tuned sets catch. holdout-c is the untuned, blind one: its floor is lower."""
from __future__ import annotations

import pytest

from claimcheck.auditor import Auditor
from claimcheck.evaluate.dev import evaluate_dev
from claimcheck.paths import data_dir

FLOORS = {  # set: (claim doc micro-F1, claim sentence recall, max trap share, max low-doc violations)
    "holdout": (0.95, 0.90, 0.02, 0),
    "holdout-b": (0.88, 0.75, 0.02, 0),
    "holdout-c": (0.80, 0.70, 0.08, 0),
}


@pytest.fixture(scope="module")
def auditor():
    return Auditor().load()


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_holdout_figures_do_not_regress(auditor, name):
    f1, recall, traps, violations = FLOORS[name]
    h = evaluate_dev(data_dir() / name, auditor).all.headline()
    assert h["claim_doc_micro_f1"] >= f1, h
    assert h["claim_sentence_recall"] >= recall, h
    assert h["trap_share_flagged"] <= traps, h
    assert h["low_clean_violations"] <= violations, h
