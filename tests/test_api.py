"""The public API end to end: audit_text, Auditor reuse, offsets, the seed, schema validity."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import Auditor, audit_text, render
from claimcheck.paths import examples_dir, schema_file

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
AUDITOR = Auditor()
VALIDATOR = jsonschema.Draft202012Validator(json.loads(schema_file().read_text(encoding="utf-8")))


def _spans_valid(text, report):
    for f in report.findings:
        for span in (f.evidence, f.trigger):
            if span is not None:
                assert text[span.start:span.end] == span.text
        if f.evidence is not None:
            assert f.evidence.start <= f.trigger.start <= f.trigger.end <= f.evidence.end
        for cue in f.context:
            assert text[cue.start:cue.end] == cue.cue
    for s in report.signals:
        assert text[s.evidence.start:s.evidence.end] == s.evidence.text
        assert text[s.trigger.start:s.trigger.end] == s.trigger.text
    for d in report.dismissed:
        assert text[d.evidence.start:d.evidence.end] == d.evidence.text
    for m in report.mentions:
        assert text[m.start:m.end] == m.text


def test_bundled_clinic_example_is_high_risk_and_explained():
    text = (examples_dir() / "clinic_ms_msc.txt").read_text(encoding="utf-8")
    report = audit_text(text, source="clinic_ms_msc.txt")
    assert report.doc_type.kind == "offer" and report.doc_type.reasons
    assert report.risk.band == "critical"
    flags = {f.flag for f in report.findings}
    assert {"cure-claim", "risk-minimisation", "repair-overclaim", "uncited-statistic",
            "regulatory-misrepresentation", "pressure-tactic", "no-risk-disclosure"} <= flags
    for f in report.findings:
        assert f.sources and f.fingerprint and f.title and f.explanation
        if f.kind == "claim":
            assert f.rule.startswith(f.flag + "/")
    assert report.questions
    _spans_valid(text, report)


def test_careful_centre_is_low():
    text = (examples_dir() / "careful_centre_ahsct.txt").read_text(encoding="utf-8")
    report = AUDITOR.audit(text)
    assert report.risk.band == "low", [(f.flag, f.evidence) for f in report.findings]
    assert not [f for f in report.findings if f.kind == "claim"]
    signals = {s.signal for s in report.signals}
    assert {"discloses-risk", "states-selection", "states-oversight", "cites-source"} <= signals


@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="../shared/seeds not present")
def test_seed_document_audits_low_with_no_high_severity_claim():
    for path in SEED_DIR.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        report = AUDITOR.audit(text, source=path.name)
        assert report.risk.band == "low"
        bad = [(f.flag, f.evidence.text) for f in report.findings
               if f.kind == "claim" and f.severity in ("high", "critical")]
        assert not bad


def test_warning_page_is_low_and_claim_page_is_not():
    warning = ("Be wary of any clinic that promises a cure for multiple sclerosis. "
               "No stem cell product can repair myelin today, whatever a clinic claims.")
    claim = "Our stem cells repair myelin and cure multiple sclerosis. Book your consultation today."
    assert AUDITOR.audit(warning).risk.band == "low"
    assert AUDITOR.audit(warning).findings == ()
    assert AUDITOR.audit(claim).risk.band in ("high", "critical")


def test_real_reports_validate_against_the_schema():
    for path in examples_dir().glob("*.txt"):
        report = AUDITOR.audit(path.read_text(encoding="utf-8"), source=str(path))
        VALIDATOR.validate(json.loads(render(report, "json")))
        VALIDATOR.validate(json.loads(render(report, "jsonl")))


def test_auditor_is_reusable_and_deterministic():
    text = (examples_dir() / "clinic_ms_msc.txt").read_text(encoding="utf-8")
    a, b = AUDITOR.audit(text, "x"), AUDITOR.audit(text, "x")
    assert render(a, "json") == render(b, "json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=400))
def test_arbitrary_unicode_never_crashes_and_spans_slice_exactly(text):
    if not text.strip():
        return
    report = AUDITOR.audit(text)
    _spans_valid(text, report)


FRAGMENTS = st.sampled_from([
    "Our stem cells cure MS", "• 95% of patients improve", "No side effects", "Dr. Lee said",
    "Be wary of clinics that promise a cure", "FDA approved", "\n\n", "\n", ". ", "! ", "? ",
    "2.5 million cells", "é", "🧬", "\u200b", "\r\n", "Only 3 places left", "«cure»", ":",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(FRAGMENTS, min_size=1, max_size=30))
def test_marketing_fragments_never_crash_and_spans_slice_exactly(parts):
    text = "".join(parts)
    if not text.strip():
        return
    report = AUDITOR.audit(text)
    _spans_valid(text, report)
    VALIDATOR.validate(json.loads(render(report, "json")))
