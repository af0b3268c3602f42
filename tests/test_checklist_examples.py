"""Every example of every checklist entry, run through the whole auditor (proselint-style).

The examples are the rules' contract, so they run rules-only; the combined auditor (rules and
the learned models) must still find every flag example and may flag only a few pass examples:
a model cannot be held to hand-written traps word for word, but it must not drift far."""
from __future__ import annotations

import pytest

from claimcheck.auditor import Auditor
from claimcheck.checklist import load_checklist

AUDITOR = Auditor(use_model=False)
MAX_COMBINED_PASS_FLAGGED = 0.02  # share of pass examples the combined auditor may flag
CHECKLIST = load_checklist()


def _reported(report) -> set[str]:
    return {f.flag for f in report.findings} | {s.signal for s in report.signals}


def _cases():
    for entry in CHECKLIST.entries:
        for i, text in enumerate(entry.examples_flag):
            yield pytest.param(entry.id, text, True, id=f"{entry.id}-flag-{i}")
        for i, text in enumerate(entry.examples_pass):
            yield pytest.param(entry.id, text, False, id=f"{entry.id}-pass-{i}")


@pytest.mark.parametrize(("entry_id", "text", "expected"), list(_cases()))
def test_example(entry_id, text, expected):
    report = AUDITOR.audit(text, source="example")
    found = entry_id in _reported(report)
    detail = [(f.flag, f.trigger.text if f.trigger else None) for f in report.findings]
    dismissed = [(d.flag, d.reason) for d in report.dismissed]
    assert found == expected, f"{entry_id} expected={expected}\nfindings={detail}\ndismissed={dismissed}"


def test_every_entry_has_examples_of_both_kinds():
    for entry in CHECKLIST.entries:
        assert len(entry.examples_flag) >= 1 and len(entry.examples_pass) >= 1, entry.id


def test_the_learned_layer_keeps_every_flag_example_and_few_false_flags():
    combined = Auditor().load()
    lost, flagged, passes = [], [], 0
    for entry in CHECKLIST.entries:
        for text in entry.examples_flag:
            if entry.id not in _reported(combined.audit(text, source="example")):
                lost.append((entry.id, text))
        for text in entry.examples_pass:
            passes += 1
            report = combined.audit(text, source="example")
            if entry.id in _reported(report):
                flagged.append((entry.id, text))
    assert not lost, lost
    assert len(flagged) <= MAX_COMBINED_PASS_FLAGGED * passes, flagged
