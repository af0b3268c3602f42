"""The documented risk formula: bands, caps and doc-type factors."""
from __future__ import annotations

from claimcheck.score import band_of, score_report
from claimcheck.types import DocType, Finding, Signal, Span

OFFER = DocType("offer", True, ("test",))
INFO = DocType("information", False, ("test",))
REG = DocType("regulator-quote", False, ("test",))


def finding(flag, severity, kind="claim", weight=1.0):
    span = None if kind == "omission" else Span("x", 0, 1)
    return Finding(flag, kind, severity, flag, "", span, span, f"{flag}/r", "regex", (), None, (),
                   "fp", weight)


def signal(name):
    return Signal(name, name, Span("x", 0, 1), Span("x", 0, 1), f"{name}/r")


def test_bands_cut_at_25_50_75():
    assert [band_of(s) for s in (0, 24, 25, 49, 50, 74, 75, 100)] == [
        "low", "low", "moderate", "moderate", "high", "high", "critical", "critical"]


def test_nothing_found_is_zero_low():
    risk = score_report((), (), OFFER)
    assert (risk.score, risk.band) == (0, "low")


def test_more_and_worse_findings_score_higher():
    one = score_report((finding("repair-overclaim", "high"),), (), OFFER).score
    two = score_report((finding("repair-overclaim", "high"), finding("cure-claim", "critical")), (), OFFER).score
    assert 0 < one < two <= 100


def test_repeats_of_one_flag_count_less_than_new_flags():
    repeated = score_report(tuple(finding("testimonial-as-evidence", "high") for _ in range(3)), (), OFFER)
    distinct = score_report((finding("testimonial-as-evidence", "high"), finding("repair-overclaim", "high"),
                             finding("uncited-statistic", "high")), (), OFFER)
    assert repeated.score < distinct.score


def test_critical_needs_a_critical_claim():
    many_high = tuple(finding(f"flag-{i}", "high") for i in range(8))
    risk = score_report(many_high, (), OFFER)
    assert risk.score >= 75 and risk.band == "high"
    risk = score_report(many_high + (finding("cure-claim", "critical"),), (), OFFER)
    assert risk.band == "critical"


def test_information_texts_are_scaled_down_and_capped():
    findings = (finding("cure-claim", "critical"), finding("cure-claim", "critical"),
                finding("uncited-statistic", "high"))
    assert score_report(findings, (), INFO).score < score_report(findings, (), OFFER).score
    many = tuple(finding(f"flag-{i}", "critical") for i in range(20))
    assert score_report(many, (), INFO).band in ("low", "moderate")


def test_regulator_quote_with_claims_is_critical():
    risk = score_report((finding("repair-overclaim", "high"),), (), REG)
    assert risk.band == "critical" and risk.score >= 75
    assert score_report((), (), REG).band == "low"


def test_signals_offset_omissions_but_never_claims():
    gaps = (finding("no-risk-disclosure", "high", "omission"), finding("no-oversight", "medium", "omission"))
    sigs = (signal("cites-source"), signal("states-selection"))
    assert score_report(gaps, sigs, OFFER).score < score_report(gaps, (), OFFER).score
    claim = (finding("cure-claim", "critical"),)
    assert score_report(claim, sigs, OFFER).score == score_report(claim, (), OFFER).score


def test_downgraded_finding_weighs_less():
    full = score_report((finding("repair-overclaim", "high"),), (), OFFER).score
    half = score_report((finding("repair-overclaim", "high", weight=0.5),), (), OFFER).score
    assert half < full
