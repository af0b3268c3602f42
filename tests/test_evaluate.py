"""Evaluation: metric arithmetic, dev scoring and HealthRelease scoring with a fake auditor."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claimcheck.errors import InputError
from claimcheck.evaluate import evaluate_dev, evaluate_healthrelease, format_dev, format_healthrelease
from claimcheck.evaluate.dev import locate, overlaps
from claimcheck.evaluate.healthrelease import CriterionRule
from claimcheck.evaluate.metrics import (
    Counts, SpanCounts, binary_scores, f1, macro_f1, majority_baseline, micro, precision, recall,
)
from claimcheck.types import DocType, Finding, Report, Risk, Signal, Span

# -- a fake auditor whose reports the test controls -----------------------------------------


def _span(text: str, sentence: str) -> Span:
    i = text.index(sentence)
    return Span(sentence, i, i + len(sentence))


def claim(flag: str, text: str, sentence: str) -> Finding:
    span = _span(text, sentence)
    return Finding(
        flag=flag, kind="claim", severity="high", title=flag, explanation="", evidence=span,
        trigger=span, rule=f"{flag}/test", matcher="regex", context=(), evidence_status=None,
        sources=(), fingerprint=f"{flag}:{span.start}",
    )


def omission(flag: str) -> Finding:
    return Finding(
        flag=flag, kind="omission", severity="medium", title=flag, explanation="", evidence=None,
        trigger=None, rule=f"{flag}/omission", matcher="omission", context=(), evidence_status=None,
        sources=(), fingerprint=flag,
    )


def signal(name: str, text: str, sentence: str) -> Signal:
    span = _span(text, sentence)
    return Signal(signal=name, title=name, evidence=span, trigger=span, rule=f"{name}/test")


def report(text: str, *, band="low", score=0, kind="information", findings=(), signals=()) -> Report:
    return Report(
        input="-", content_sha256="", doc_type=DocType(kind, kind == "offer", ()),
        risk=Risk(score, band), findings=tuple(findings), signals=tuple(signals), dismissed=(),
        mentions=(), questions=(), tool_version="test", checklist_version="test", text=text,
    )


class FakeAuditor:
    """Returns a prepared report per input text and records what it was asked to audit."""

    def __init__(self, reports: dict[str, Report]):
        self.reports = reports
        self.calls: list[tuple[str, str | None]] = []

    def audit(self, text: str, source: str | None = None) -> Report:
        self.calls.append((text, source))
        if text not in self.reports:
            raise InputError("unknown text")
        return self.reports[text]


# -- metrics -------------------------------------------------------------------------------


def test_precision_recall_f1_hand_computed():
    c = Counts(tp=3, fp=1, fn=2)
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.6)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert c.support == 5


def test_zero_division_is_zero():
    assert precision(0, 0) == 0.0
    assert recall(0, 0) == 0.0
    assert f1(0.0, 0.0) == 0.0
    assert Counts(tp=0, fp=4, fn=0).f1 == 0.0
    assert Counts().empty and not Counts(fn=1).empty


def test_micro_and_macro_aggregation():
    a, b, empty = Counts(tp=1, fp=0, fn=1), Counts(tp=0, fp=2, fn=0), Counts()
    total = micro([a, b, empty])
    assert (total.tp, total.fp, total.fn) == (1, 2, 1)
    assert total.precision == pytest.approx(1 / 3) and total.recall == pytest.approx(0.5)
    # macro skips the class with nothing labelled and nothing predicted...
    assert macro_f1([a, b, empty]) == pytest.approx((2 / 3 + 0.0) / 2)
    # ...unless asked not to
    assert macro_f1([a, b, empty], skip_empty=False) == pytest.approx((2 / 3) / 3)
    assert macro_f1([]) == 0.0


def test_span_counts_count_recall_and_precision_on_different_items():
    s = SpanCounts(gold=4, gold_hit=3, pred=2, pred_hit=1) + SpanCounts(gold=1, gold_hit=0, pred=2, pred_hit=0)
    assert s.recall == pytest.approx(3 / 5)
    assert s.precision == pytest.approx(1 / 4)


def test_binary_macro_f1_hand_computed():
    gold = [True, False, False, False, True]
    pred = [True, False, False, True, False]
    s = binary_scores(gold, pred, pos="sat", neg="not")
    assert s.confusion == {"sat": {"sat": 1, "not": 1}, "not": {"sat": 1, "not": 2}}
    assert s.counts("sat").f1 == pytest.approx(0.5)
    assert s.counts("not").f1 == pytest.approx(2 / 3)
    assert s.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    assert s.accuracy == pytest.approx(0.6)
    with pytest.raises(ValueError):
        binary_scores([True], [])


def test_constant_majority_answer_scores_poorly_on_macro_f1():
    gold = [False] * 95 + [True] * 5
    base = majority_baseline(gold)
    assert base.accuracy == pytest.approx(0.95)
    assert base.counts("neg").f1 > 0.97  # the majority class alone looks excellent
    assert base.macro_f1 < 0.5  # macro-F1 exposes the constant answer


# -- dev -----------------------------------------------------------------------------------

D1 = (
    "Our mesenchymal stem cell programme reverses multiple sclerosis for good. "
    "Ninety-two percent of our patients walked unaided within three months. "
    "Umbilical cord cells are now the standard of care for progressive MS at our Cancun centre. "
    "Unlike other centres, we will never tell you that there are zero risks."
)
D1_CURE, D1_STAT, D1_ROUTINE, D1_TRAP = (
    "Our mesenchymal stem cell programme reverses multiple sclerosis for good.",
    "Ninety-two percent of our patients walked unaided within three months.",
    "Umbilical cord cells are now the standard of care for progressive MS at our Cancun centre.",
    "Unlike other centres, we will never tell you that there are zero risks.",
)
D1_MISSING = "Maria from Ohio danced at her wedding after one infusion."

D2 = (
    "Stem cell treatments for Parkinson's disease are still being tested in small trials. "
    "Reported harms after unregulated injections include infection and tumour growth. "
    "Be wary of any clinic that claims its injections can cure Parkinson's."
)
D2_INVEST, D2_RISK, D2_TRAP = (
    "Stem cell treatments for Parkinson's disease are still being tested in small trials.",
    "Reported harms after unregulated injections include infection and tumour growth.",
    "Be wary of any clinic that claims its injections can cure Parkinson's.",
)

D3 = (
    "The agency alleges the company deceptively marketed stem cell injections for joint disease. "
    "The company's website stated that its stem cell injections are FDA approved and\n"
    "cure knee osteoarthritis."
)
D3_TRAP = "The agency alleges the company deceptively marketed stem cell injections for joint disease."
D3_QUOTE = ("The company's website stated that its stem cell injections are FDA approved and\n"
            "cure knee osteoarthritis.")
D3_QUOTE_LABEL = " ".join(D3_QUOTE.split())  # labelled with a space where the doc has a line break

LABELS = [
    {"id": "d1", "kind": "clinic", "band": "high",
     "flags": {"cure-claim": [D1_CURE], "uncited-statistic": [D1_STAT],
               "testimonial-as-evidence": [D1_MISSING], "no-risk-disclosure": [], "no-oversight": []},
     "signals": {}, "traps": [D1_TRAP], "note": "cure and statistic"},
    {"id": "d2", "kind": "patient-org", "band": "low", "flags": {},
     "signals": {"states-investigational": [D2_INVEST], "discloses-risk": [D2_RISK]},
     "traps": [D2_TRAP], "note": "guidance"},
    {"id": "d3", "kind": "regulator-quote", "band": "critical",
     "flags": {"regulatory-misrepresentation": [D3_QUOTE_LABEL], "cure-claim": [D3_QUOTE_LABEL]},
     "signals": {}, "traps": [D3_TRAP], "note": "complaint quoting the seller"},
]


def dev_auditor() -> FakeAuditor:
    return FakeAuditor({
        D1: report(D1, band="high", score=70, kind="offer", findings=[
            claim("cure-claim", D1, D1_CURE),
            claim("repair-overclaim", D1, D1_CURE),
            claim("investigational-as-established", D1, D1_ROUTINE),
            claim("risk-minimisation", D1, D1_TRAP),
            omission("no-risk-disclosure"), omission("no-patient-selection"),
        ]),
        D2: report(D2, band="moderate", score=30, kind="information",
                   findings=[claim("cure-claim", D2, D2_TRAP), omission("no-risk-disclosure")],
                   signals=[signal("discloses-risk", D2, D2_RISK), signal("cites-source", D2, D2_INVEST)]),
        D3: report(D3, band="critical", score=90, kind="information",
                   findings=[claim("regulatory-misrepresentation", D3, D3_QUOTE)]),
    })


@pytest.fixture
def dev_folder(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    for doc_id, text in (("d1", D1), ("d2", D2), ("d3", D3)):
        (tmp_path / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r) for r in LABELS) + "\n", encoding="utf-8")
    return tmp_path


def _tpfpfn(c: Counts) -> tuple[int, int, int]:
    return c.tp, c.fp, c.fn


def test_locate_exact_then_whitespace_insensitive():
    assert locate(D3, D3_TRAP) == (0, len(D3_TRAP))
    start = D3.index("The company's")
    assert locate(D3, D3_QUOTE_LABEL) == (start, len(D3))
    assert locate(D3, "The agency approved it.") is None
    assert overlaps((0, 5), (4, 9)) and not overlaps((0, 5), (5, 9))


def test_dev_document_level_counts(dev_folder: Path):
    res = evaluate_dev(dev_folder, dev_auditor())
    s = res.all
    assert _tpfpfn(s.claim_doc["cure-claim"]) == (1, 1, 1)  # d1 hit, d2 false, d3 missed
    assert _tpfpfn(s.claim_doc["uncited-statistic"]) == (0, 0, 1)
    assert _tpfpfn(s.claim_doc["regulatory-misrepresentation"]) == (1, 0, 0)
    assert _tpfpfn(s.claim_doc["repair-overclaim"]) == (0, 1, 0)
    assert _tpfpfn(s.claim_doc_micro) == (2, 4, 3)
    assert _tpfpfn(res.without_regulator.claim_doc_micro) == (1, 4, 2)
    # omissions only on the clinic doc; d2's omission is out of scope, not a false positive
    assert s.n_omission_docs == 1
    assert _tpfpfn(s.omission_doc["no-risk-disclosure"]) == (1, 0, 0)
    assert _tpfpfn(s.omission_doc["no-oversight"]) == (0, 0, 1)
    assert _tpfpfn(s.omission_doc["no-patient-selection"]) == (0, 1, 0)
    assert s.omissions_out_of_scope == (("d2", ("no-risk-disclosure",)),)
    assert "no-cost-disclosure" not in s.omission_doc
    assert _tpfpfn(s.signal_micro) == (1, 1, 1)
    assert _tpfpfn(s.signal_doc["states-investigational"]) == (0, 0, 1)


def test_dev_sentence_level_recall_and_precision(dev_folder: Path):
    res = evaluate_dev(dev_folder, dev_auditor())
    s = res.all
    cure = s.sentence["cure-claim"]
    assert (cure.gold, cure.gold_hit, cure.pred, cure.pred_hit) == (2, 1, 2, 1)
    assert s.sentence["repair-overclaim"] == SpanCounts(gold=0, gold_hit=0, pred=1, pred_hit=0)
    m = s.sentence_micro
    assert (m.gold, m.gold_hit, m.pred, m.pred_hit) == (4, 2, 6, 2)
    # any flag: d3's cure sentence is covered by the regulatory finding; repair on a cure sentence counts
    assert s.sentence_any["cure-claim"].gold_hit == 2
    assert s.sentence_any["repair-overclaim"].pred_hit == 1
    a = s.sentence_any_micro
    assert (a.recall, a.precision) == (pytest.approx(0.75), pytest.approx(0.5))
    w = res.without_regulator.sentence_micro
    assert (w.gold, w.gold_hit, w.pred, w.pred_hit) == (2, 1, 5, 1)
    # the testimonial sentence is not in the doc: reported, not counted
    assert [(u.doc, u.label) for u in res.unlocatable] == [("d1", "testimonial-as-evidence")]
    assert res.misaligned_spans == 0


def test_dev_traps_bands_doctypes_and_low_docs(dev_folder: Path):
    res = evaluate_dev(dev_folder, dev_auditor())
    s, w = res.all, res.without_regulator
    assert [(t.doc, t.flags) for t in s.traps_covered] == [("d1", ("risk-minimisation",)), ("d2", ("cure-claim",))]
    assert s.trap_share == pytest.approx(2 / 3) and w.trap_share == pytest.approx(1.0)
    assert s.band_confusion["low"]["moderate"] == 1
    assert s.band_confusion["high"]["high"] == 1 and s.band_confusion["critical"]["critical"] == 1
    assert s.band_exact == pytest.approx(2 / 3) and s.band_within_one == pytest.approx(1.0)
    assert w.band_exact == pytest.approx(0.5)
    assert s.doctype_accuracy == pytest.approx(2 / 3) and w.doctype_accuracy == pytest.approx(1.0)
    assert s.doctype_confusion["regulator-quote"]["information"] == 1
    assert s.low_clean_docs == 1 and s.low_violations == (("d2", ("cure-claim",)),)
    rows = {d.id: d for d in res.documents}
    assert rows["d1"].missed == ("no-oversight", "testimonial-as-evidence", "uncited-statistic")
    assert rows["d1"].extra == ("investigational-as-established", "no-patient-selection",
                                "repair-overclaim", "risk-minimisation")
    assert rows["d2"].extra == ("cure-claim",) and rows["d3"].missed == ("cure-claim",)
    assert (rows["d3"].predicted_band, rows["d3"].score) == ("critical", 90)


def test_dev_result_serialises_and_renders(dev_folder: Path):
    res = evaluate_dev(dev_folder, dev_auditor())
    data = json.loads(json.dumps(res.to_dict()))
    assert data["all"]["claim_doc_micro"]["tp"] == 2
    assert data["without_regulator_quote"]["headline"]["docs"] == 2
    assert "no-cost-disclosure" in data["unscored"]
    text = format_dev(res, color=False)
    assert "\x1b[" not in text
    assert "Band confusion" in text and "testimonial-as-evidence" in text
    md = format_dev(res, markdown=True)
    assert "| flag | TP | FP | FN |" in md
    assert re.search(r"\| cure-claim \| 1 \| 1 \| 1 \|", md)


def test_dev_auditor_sees_no_source_url(dev_folder: Path):
    auditor = dev_auditor()
    evaluate_dev(dev_folder, auditor)
    assert [src for _, src in auditor.calls] == ["docs/d1.txt", "docs/d2.txt", "docs/d3.txt"]


def test_dev_skips_docs_the_auditor_refuses(dev_folder: Path):
    auditor = dev_auditor()
    del auditor.reports[D2]
    res = evaluate_dev(dev_folder, auditor)
    assert res.skipped == ("d2",) and res.all.n_docs == 2


def test_dev_missing_folder_or_labels_is_one_line_input_error(tmp_path: Path):
    with pytest.raises(InputError, match=r"^\[CC100\] dev folder not found") as exc:
        evaluate_dev(tmp_path / "absent", dev_auditor())
    assert "\n" not in str(exc.value)
    with pytest.raises(InputError, match="labels file not found"):
        evaluate_dev(tmp_path, dev_auditor())
    (tmp_path / "labels.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="labels.jsonl:1"):
        evaluate_dev(tmp_path, dev_auditor())


SHARED_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "dev"


@pytest.mark.skipif(not (SHARED_DEV / "labels.jsonl").is_file(), reason="shared dev set absent")
def test_shared_dev_labels_are_all_locatable():
    class Empty:
        def audit(self, text, source=None):
            return report(text)

    res = evaluate_dev(SHARED_DEV, Empty())
    assert res.unlocatable == ()
    assert res.all.n_docs == len(res.documents) > 0
    assert res.all.sentence_micro.gold > 0 and res.all.sentence_micro.gold_hit == 0


# -- HealthRelease -------------------------------------------------------------------------

HR_ROWS = [
    ("A randomised trial in 120 adults with COPD reported pneumonia in four patients.",
     {"harms": "satisfactory", "costs": "not_satisfactory", "evidence": "satisfactory", "sensational": "satisfactory"}),
    ("Researchers say the new spinal cord implant will cure paralysis.",
     {"harms": "not_satisfactory", "costs": "not_satisfactory", "evidence": "not_satisfactory", "sensational": "not_satisfactory"}),
    ("The infusion, still experimental, will cost about 9,000 dollars per course.",
     {"harms": "not_satisfactory", "costs": "satisfactory", "evidence": "satisfactory", "sensational": "satisfactory"}),
    ("Mild headaches were the only side effect seen in the stroke rehabilitation study.",
     {"harms": "not_satisfactory", "costs": "not_applicable", "evidence": "not_satisfactory", "sensational": "satisfactory"}),
    ("A blood test may flag early autism risk, the team reports.",
     {"harms": "satisfactory", "costs": "not_satisfactory", "evidence": "not_applicable", "sensational": "satisfactory"}),
]


def hr_auditor() -> FakeAuditor:
    t = [text for text, _ in HR_ROWS]
    return FakeAuditor({
        t[0]: report(t[0], signals=[signal("discloses-risk", t[0], t[0]), signal("cites-source", t[0], t[0])]),
        t[1]: report(t[1], band="high", findings=[claim("cure-claim", t[1], t[1])]),
        t[2]: report(t[2], signals=[signal("discloses-cost", t[2], t[2]), signal("states-investigational", t[2], t[2])],
                     findings=[claim("investigational-as-established", t[2], t[2])]),
        t[3]: report(t[3], signals=[signal("discloses-risk", t[3], t[3])]),
        t[4]: report(t[4]),
    })


@pytest.fixture
def hr_file(tmp_path: Path) -> Path:
    path = tmp_path / "healthrelease.jsonl"
    lines = [json.dumps({"id": f"hr{i}", "title": "t", "review_title": f"VERDICT GIVEN AWAY {i}",
                         "text": text, "criteria": crit}) for i, (text, crit) in enumerate(HR_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_healthrelease_per_criterion_scores(hr_file: Path):
    auditor = hr_auditor()
    res = evaluate_healthrelease(hr_file, auditor)
    assert res.n_rows == res.n_audited == 5
    assert all("VERDICT" not in text for text, _ in auditor.calls)
    by = {c.criterion: c for c in res.criteria}
    harms = by["harms"]
    assert harms.scores.confusion == {"satisfactory": {"satisfactory": 1, "not_satisfactory": 1},
                                      "not_satisfactory": {"satisfactory": 1, "not_satisfactory": 2}}
    assert harms.scores.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    assert harms.baseline_label == "not_satisfactory"
    assert harms.baseline.macro_f1 == pytest.approx(0.75 / 2)
    costs = by["costs"]
    assert costs.not_applicable == 1 and costs.scores.n == 4 and costs.scores.macro_f1 == pytest.approx(1.0)
    evidence = by["evidence"]  # row 3 cites investigational status but presents it as established
    assert evidence.scores.confusion["satisfactory"] == {"satisfactory": 1, "not_satisfactory": 1}
    assert evidence.scores.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert by["sensational"].scores.macro_f1 == pytest.approx(1.0)
    data = json.loads(json.dumps(res.to_dict()))
    assert data["criteria"]["harms"]["baseline"]["answer"] == "not_satisfactory"
    text = format_healthrelease(res, color=False)
    assert "harms" in text and "0.583" in text and "\x1b[" not in text
    assert "| costs | 4 |" in format_healthrelease(res, markdown=True)


def test_healthrelease_limit_and_custom_rules(hr_file: Path):
    rules = {"harms": CriterionRule(max_band="moderate")}  # passes unless the band is high or worse
    res = evaluate_healthrelease(hr_file, hr_auditor(), limit=2, criteria=rules)
    assert res.n_rows == 2
    (harms,) = res.criteria
    assert harms.scores.confusion["not_satisfactory"] == {"satisfactory": 0, "not_satisfactory": 1}
    assert harms.rule == "band <= moderate"


def test_healthrelease_missing_file_is_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="HealthRelease file not found"):
        evaluate_healthrelease(tmp_path / "nope.jsonl", hr_auditor())
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1"):
        evaluate_healthrelease(bad, hr_auditor())
