"""Renderers: every format renders every report, JSON matches the schema, nothing from the
audited page escapes into markup or terminal codes."""
from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from claimcheck.paths import schema_file
from claimcheck.render import FORMATS, render
from claimcheck.render import _shared as sh
from claimcheck.render.markdown import escape as md_escape
from claimcheck.render.markdown import render_markdown
from claimcheck.render.serialize import report_to_dict, report_to_json, report_to_jsonl
from claimcheck.types import Signal, Span

import factories

REPORTS = sorted(factories.ALL)
WS = re.compile(r"\s+")


def flat(text: str) -> str:
    """Rendered text with line wrapping and indentation undone."""
    return WS.sub(" ", text)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(schema_file().read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


@pytest.fixture
def clinic():
    return factories.clinic_offer()


# --- the factories themselves -------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_factory_spans_point_into_their_text(name):
    report = factories.ALL[name]()
    spans = [s for f in report.findings for s in (f.evidence, f.trigger) if s is not None]
    spans += [s for x in (*report.signals, *report.dismissed) for s in (x.evidence, x.trigger)]
    spans += [Span(c.cue, c.start, c.end) for x in (*report.findings, *report.dismissed) for c in x.context]
    spans += [Span(m.text, m.start, m.end) for m in report.mentions]
    for span in spans:
        assert report.text[span.start : span.end] == span.text


# --- every format ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("explain", [False, True])
def test_every_format_renders_every_report(name, fmt, explain):
    out = render(factories.ALL[name](), fmt, explain=explain)
    assert isinstance(out, str) and out.strip()
    assert not out.endswith("\n")  # callers add the newline


def test_unknown_format_raises_value_error_listing_formats(clinic):
    with pytest.raises(ValueError) as err:
        render(clinic, "yaml")
    for fmt in FORMATS:
        assert fmt in str(err.value)


def test_render_defaults_to_plain_text(clinic):
    out = render(clinic)
    assert out.startswith("claimcheck report") and "\x1b" not in out


# --- JSON -----------------------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads(schema_file().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", REPORTS)
def test_json_validates_and_round_trips(name, validator):
    report = factories.ALL[name]()
    data = json.loads(report_to_json(report))
    validator.validate(data)
    assert data == report_to_dict(report)
    assert json.loads(render(report, "json")) == data


def test_jsonl_is_one_line_per_report_and_each_line_validates(validator):
    reports = [factories.ALL[name]() for name in REPORTS]
    lines = [report_to_jsonl(r) for r in reports]
    for line in lines:
        assert "\n" not in line and len(line.splitlines()) == 1  # clinic text holds U+2028
    stream = "\n".join(lines) + "\n"
    parsed = [json.loads(line) for line in stream.splitlines()]
    assert len(parsed) == len(reports)
    for data, report in zip(parsed, reports):
        validator.validate(data)
        assert data == report_to_dict(report)


def test_json_leaves_out_the_audited_text(clinic):
    out = report_to_json(clinic)
    assert "Renova Cell Clinic" not in out  # the only line no span quotes
    assert set(report_to_dict(clinic)) == {
        "input", "content_sha256", "document_type", "risk", "findings", "signals",
        "dismissed", "mentions", "questions", "versions", "summary",
    }


def test_json_offsets_equal_the_reports(clinic):
    data = json.loads(report_to_json(clinic))
    text = clinic.text

    def check(span: Span | None, got: dict | None):
        if span is None:
            assert got is None
            return
        assert (got["text"], got["start"], got["end"]) == (span.text, span.start, span.end)
        assert text[got["start"] : got["end"]] == got["text"]

    assert len(data["findings"]) == len(clinic.findings)
    for finding, got in zip(clinic.findings, data["findings"]):
        assert got["flag"] == finding.flag
        check(finding.evidence, got["evidence"])
        check(finding.trigger, got["trigger"])
        for cue, gc in zip(finding.context, got["context"], strict=True):
            as_span = {"text": gc["cue"], "start": gc["start"], "end": gc["end"]}
            check(Span(cue.cue, cue.start, cue.end), as_span)
    for signal, got in zip(clinic.signals, data["signals"], strict=True):
        check(signal.evidence, got["evidence"])
        check(signal.trigger, got["trigger"])
    for item, got in zip(clinic.dismissed, data["dismissed"], strict=True):
        check(item.evidence, got["evidence"])
        check(item.trigger, got["trigger"])
        assert got["context"][0]["category"] == "warning"
    for mention, got in zip(clinic.mentions, data["mentions"], strict=True):
        check(Span(mention.text, mention.start, mention.end), got)


def test_json_fields_carry_the_report(clinic):
    data = report_to_dict(clinic)
    assert data["document_type"] == {
        "kind": "offer",
        "offers_treatment": True,
        "reasons": ["names a price or booking", "first-person 'our protocol'"],
        "offer_probability": None,
    }
    assert data["risk"]["score"] == 91 and data["risk"]["band"] == "critical"
    assert data["risk"]["breakdown"][0] == {"component": "cure-claim", "points": 40.0}
    assert data["summary"] == {
        "by_severity": {"critical": 1, "high": 3, "medium": 1, "low": 0},
        "n_findings": 5,
        "n_signals": 1,
    }
    repair = next(f for f in data["findings"] if f["flag"] == "repair-overclaim")
    assert repair["weight"] == 0.5
    assert repair["rule"] == "repair-overclaim/regrow-myelin"
    assert repair["context"][0] == {
        "category": "hedged", "cue": "may", "start": repair["context"][0]["start"],
        "end": repair["context"][0]["end"], "rule": "hedged/may", "effect": "downgrade",
    }
    assert repair["evidence_status"]["level"] == "no-evidence"
    assert repair["evidence_status"]["sources"] == ["isscr-2021", "nmss-2023"]
    omission = next(f for f in data["findings"] if f["kind"] == "omission")
    assert omission["evidence"] is None and omission["trigger"] is None
    assert data["versions"] == {"tool": "0.1.0", "checklist": "2025.1"}
    assert data["dismissed"][0]["reason"] == "context: warning cue 'Be wary of'"


def _bad(data: dict, path: tuple, value) -> dict:
    broken = copy.deepcopy(data)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return broken


@pytest.mark.parametrize(
    "path, value",
    [
        (("surprise",), 1),
        (("risk", "band"), "severe"),
        (("risk", "score"), 101),
        (("risk", "score"), 12.5),
        (("document_type", "kind"), "advert"),
        (("findings", 0, "flag"), "Cure_Claim"),
        (("findings", 0, "severity"), "urgent"),
        (("findings", 0, "kind"), "signal"),
        (("findings", 0, "extra"), True),
        (("findings", 0, "evidence", "extra"), 1),
        (("findings", 0, "evidence", "start"), -1),
        (("findings", 2, "evidence"), None),  # a claim must quote its sentence
        (("findings", 1, "evidence"), {"text": "x", "start": 0, "end": 1}),  # omissions quote nothing
        (("findings", 3, "context", 0, "category"), "sarcastic"),
        (("findings", 3, "context", 0, "effect"), "amplify"),
        (("findings", 3, "evidence_status", "level"), "proven"),
        (("findings", 3, "evidence_status", "extra"), ""),
        (("signals", 0, "signal"), "Cites Source"),
        (("signals", 0, "trigger"), None),
        (("dismissed", 0, "rule"), "no-slash"),
        (("mentions", 0, "kind"), "drug"),
        (("summary", "by_severity", "urgent"), 0),
        (("versions", "extra"), "x"),
        (("content_sha256",), "not-a-hash"),
        (("text",), "the full input must not be in JSON"),
    ],
)
def test_schema_is_strict(clinic, validator, path, value):
    data = report_to_dict(clinic)
    assert data["findings"][1]["kind"] == "omission" and data["findings"][2]["kind"] == "claim"
    assert data["findings"][3]["flag"] == "repair-overclaim"
    validator.validate(data)
    assert not validator.is_valid(_bad(data, path, value))


def test_schema_allows_custom_checklist_ids(clinic, validator):
    data = report_to_dict(clinic)
    data["findings"][0]["flag"] = "clinic-specific-2"
    data["findings"][0]["rule"] = "clinic-specific-2/price_in_usd"
    validator.validate(data)


# --- HTML -----------------------------------------------------------------------------------

_VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}
_ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section",
    "article", "h1", "h2", "h3", "p", "span", "br", "details", "summary", "dl", "dt", "dd",
    "blockquote", "mark", "strong", "small", "ol", "ul", "li", "div", "sup", "a", "table",
    "thead", "tbody", "tr", "th", "td",
}


class TagChecker(HTMLParser):
    """Checks tag balance and collects the text of the annotated copy (without the refs)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()
        self.annotated: list[str] = []
        self._annotated_depth: int | None = None
        self._sup = 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in _VOID:
            return
        self.stack.append(tag)
        if dict(attrs).get("id") == "annotated":
            self._annotated_depth = len(self.stack)
        self._sup += tag == "sup"

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        self._sup -= tag == "sup"
        if self._annotated_depth is not None and len(self.stack) < self._annotated_depth:
            self._annotated_depth = None

    def handle_data(self, data):
        if self._annotated_depth is not None and not self._sup:
            self.annotated.append(data)


def check_html(out: str, allowed: set[str] = _ALLOWED_TAGS) -> TagChecker:
    checker = TagChecker()
    checker.feed(out)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.tags <= allowed, checker.tags - allowed
    return checker


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("explain", [False, True])
def test_html_is_balanced_and_has_no_markup_from_the_input(name, explain):
    report = factories.ALL[name]()
    out = render(report, "html", explain=explain)
    assert out.startswith("<!DOCTYPE html>")
    assert "<script" not in out.lower()
    assert "<b>" not in out and "<i>" not in out  # markup in the trigger and the evidence summary
    assert "\x1b" not in out and "\u202e" not in out
    assert "http://" not in out and "https://" not in out  # no external assets
    checker = check_html(out)
    assert "script" not in checker.tags


def test_html_escapes_and_marks_the_trigger(clinic):
    out = render(clinic, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<mark>cures</mark>" in out
    assert "&amp; &quot;ALS&quot;" in out and "&#x27;patients&#x27;" in out
    assert 'class="badge band-critical"' in out
    assert "Nothing in this text names a risk or side effect." in out
    assert "&lt;i&gt;repair&lt;/i&gt;" in out


def test_html_annotated_copy_reproduces_the_whole_input(clinic):
    checker = check_html(render(clinic, "html"))
    assert "".join(checker.annotated) == sh.display(clinic.text, keep_newlines=True)


def test_html_annotated_copy_highlights_spans(clinic):
    out = render(clinic, "html")
    annotated = out[out.index('id="annotated"') :]
    # "cures" lies under both overlapping triggers and both sentences: one flat segment.
    assert (
        '<span class="hl-flag sev-critical" title="cure-claim, investigational-as-established">'
        "<mark>cures</mark></span>"
    ) in annotated
    assert '<mark class="good">NCT01234567</mark>' in annotated
    assert '<a href="#flag-1">1</a>, <a href="#flag-2">2</a>' in annotated
    assert 'id="flag-1"' in out and 'id="flag-4"' in out


def test_html_without_text_has_no_annotated_section(clinic):
    out = render(replace(clinic, text=""), "html")
    check_html(out)
    assert "Your text, annotated" not in out and "<mark>cures</mark>" in out


def test_html_explain_adds_rules_breakdown_and_dismissed(clinic):
    plain, explained = render(clinic, "html"), render(clinic, "html", explain=True)
    assert "Not flagged because" not in plain and "cure-claim/cures-condition" not in plain
    assert "Not flagged because: warning cue &#x27;Be wary of&#x27;" in explained
    assert "cure-claim/cures-condition" in explained
    assert "How the score was worked out" in explained


_ANNOTATION_TEXT = st.text(alphabet="ab <>&\"'\n*|`é🌴ש\u202e", min_size=1, max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), text=_ANNOTATION_TEXT)
def test_html_annotation_survives_any_overlap(data, text):
    clinic = factories.clinic_offer()

    def span() -> Span:
        a = data.draw(st.integers(0, len(text)))
        b = data.draw(st.integers(a, len(text)))
        return Span(text[a:b], a, b)

    findings = tuple(
        replace(clinic.findings[2], evidence=span(), trigger=span(),
                severity=data.draw(st.sampled_from(sh.SEVERITIES)))
        for _ in range(data.draw(st.integers(0, 4)))
    )
    signals = tuple(replace(clinic.signals[0], evidence=span(), trigger=span())
                    for _ in range(data.draw(st.integers(0, 2))))
    report = replace(clinic, text=text, findings=findings, signals=signals, dismissed=())
    checker = check_html(render(report, "html"))
    assert "".join(checker.annotated) == sh.display(text, keep_newlines=True)


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_escapes_specials(clinic):
    out = render(clinic, "markdown")
    assert "<script>" not in out and "<b>" not in out and "<after>" not in out
    assert r"\<script\>alert(1)\</script\>" in out
    assert r"\*love\*" in out and r"\| \`100%\`" in out and r"\&" in out
    assert r"the\_results\_are\_published" in out
    assert r"“\#\# 1. Book now: **only 3 places left**" in out
    assert r"renova\_cell\*clinic.txt" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "**cures**" in out


@pytest.fixture(scope="module")
def markdown_it():
    mdit = pytest.importorskip("markdown_it")
    return mdit.MarkdownIt("commonmark").enable("table")


class BlockText(HTMLParser):
    """Text of each blockquote, heading and <strong> in rendered Markdown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.found: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self.found.setdefault(tag, []).append("")

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        for tag in set(self.open):
            self.found[tag][-1] += data


def test_markdown_renders_to_literal_text(clinic, markdown_it):
    html = markdown_it.render(render_markdown(clinic, explain=True))
    markdown_tags = {"div", "h1", "h2", "h3", "p", "strong", "em", "hr", "blockquote", "ul", "ol",
                     "li", "table", "thead", "tbody", "tr", "th", "td"}  # no code, links or raw HTML
    check_html("<div>" + html + "</div>", markdown_tags)
    parsed = BlockText()
    parsed.feed(html)
    quotes = [q.strip() for q in parsed.found["blockquote"]]
    cure = next(f for f in clinic.findings if f.flag == "cure-claim")
    assert quotes[0] == f"“{sh.one_line(cure.evidence.text)}”"
    assert "cures" in parsed.found["strong"]
    assert "<script>alert(1)</script> cures multiple sclerosis" in parsed.found["strong"]
    headings = parsed.found.get("h1", []) + parsed.found.get("h2", []) + parsed.found.get("h3", [])
    assert not any("Book now" in h or "Renova" in h for h in headings)
    assert "table" in parsed.found  # the score breakdown


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
@example("1. first")
@example("12) second")
@example("- item")
@example("+ item")
@example("=== x")
@example("---")
@example("# heading")
@example("    code")
@example("> quote")
@example("<div>x</div>")
@example("&amp; &#35;")
@example("ends with \\")
@example("[link](http://x)")
@example("![img](x.png)")
@example("<http://x.org>")
@example("`code`")
@example("*em* **strong**")
@example("_em_ __strong__")
@example("~~gone~~")
@example("| a | b |")
@example("a  \n  b")
@example("\t\tindented")
@example("1986\\. year")
def test_markdown_escape_is_literal_for_any_text(text):
    mdit = pytest.importorskip("markdown_it")
    from claimcheck.render.markdown import _line

    source = _line(md_escape(text))
    html = mdit.MarkdownIt("commonmark").render(source)
    parsed = BlockText()
    parsed.feed(html)
    assert set(parsed.found) <= {"p"}
    expected = WS.sub(" ", sh.display(text)).strip()
    assert "".join(parsed.found.get("p", [""])).strip() == expected


# --- terminal text --------------------------------------------------------------------------


def test_text_without_color_has_no_escape_codes(clinic):
    out = render(clinic, "text", explain=True, color=False)
    assert "\x1b" not in out and "\u202e" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_text_with_color_styles_the_trigger_but_not_input_codes(clinic):
    out = render(clinic, "text", color=True)
    assert re.search(r"\x1b\[[0-9;]*mcures\x1b\[0m", out)
    assert "\x1b[31mred" not in out  # the escape sequence inside the audited page
    assert "\u202e" not in out


def test_text_content(clinic):
    out = flat(render(clinic, "text"))
    assert "Input: pages/renova_cell*clinic.txt" in out
    assert "Document: offer — This text offers or promotes a treatment." in out
    assert "because: names a price or booking; first-person 'our protocol'" in out
    assert "Risk: 91/100 CRITICAL" in out
    assert "1. CRITICAL Claims to cure a disease that has no cure [cure-claim]" in out
    assert "<script>alert(1)</script> cures multiple sclerosis" in out
    assert "What the evidence says: No controlled trial has shown cord-blood cells" in out
    assert "Context: hedged cue 'may' (counts for less)" in out
    assert "Sources: ftc-2018, isscr-2021" in out
    assert "Nothing in this text names a risk or side effect." in out
    assert "Mitigating: cites a source: “Our methods follow NCT01234567" in out
    assert "2. What are the risks | side effects" in out
    # most serious first, whatever order the report holds them in
    assert out.index("[cure-claim]") < out.index("[repair-overclaim]") < out.index("[pressure-tactic]")


def test_text_explain_shows_rules_breakdown_and_dismissed(clinic):
    plain = flat(render(clinic, "text"))
    explained = flat(render(clinic, "text", explain=True))
    assert "not flagged because" not in plain and "NOT FLAGGED" not in plain
    assert "cure-claim/cures-condition" not in plain and "matcher:" not in plain
    assert "not flagged because: warning cue 'Be wary of'" in explained
    assert "rule: cure-claim/cures-condition · matcher: regex" in explained
    assert "rule: cure-claim/promise-cure" in explained
    assert "+40.0 cure-claim" in explained and "-2.5 cites-source" in explained
    assert "multiple sclerosis (multiple-sclerosis)" in explained


def test_text_minimal_report_has_no_sections():
    out = render(factories.minimal_information(), "text", explain=True)
    assert "Input: standard input" in out
    assert "0 red flags, 0 things missing, 0 good signs." in out
    for section in ("RED FLAGS", "WHAT IS MISSING", "GOOD SIGNS", "QUESTIONS", "NOT FLAGGED"):
        assert section not in out


def test_trigger_outside_its_sentence_is_not_highlighted(clinic):
    cure = next(f for f in clinic.findings if f.flag == "cure-claim")
    stray = replace(cure, trigger=Span("cures", 0, 5))  # offsets do not match the sentence
    report = replace(clinic, findings=(stray,))
    assert "<mark>" not in render(report, "html").split('id="annotated"')[0]
    assert "**" not in render(report, "markdown").split("## Red flags")[1].split("- **Flag")[0]
    assert not re.search(r"\x1b\[[0-9;]*mcures", render(report, "text", color=True))


def test_shared_display_keeps_offsets():
    text = "a\x1b[0m\u202eb\n\tc\u2028d"
    assert len(sh.display(text)) == len(text) == len(sh.display(text, keep_newlines=True))
    assert sh.display(text) == "a\ufffd[0m\ufffdb  c d"
    assert sh.display(text, keep_newlines=True) == "a\ufffd[0m\ufffdb\n\tc\nd"


def test_unknown_omission_and_signal_ids_fall_back_to_titles(clinic):
    omission = replace(clinic.findings[1], flag="no-price-list", title="Does not list prices")
    signal = Signal("names-doctor", "Names the treating doctor", clinic.signals[0].evidence,
                    clinic.signals[0].trigger, "names-doctor/name")
    out = flat(render(replace(clinic, findings=(omission,), signals=(signal,)), "text"))
    assert "Missing: Does not list prices" in out
    assert "Mitigating: Names the treating doctor:" in out


def test_dismissed_reason_prefers_cues_unless_the_stage_says_more(clinic):
    item = clinic.dismissed[0]
    assert sh.dismissed_reason(item) == "warning cue 'Be wary of'"
    hedged = replace(item.context[0], category="hedged", cue="may", effect="downgrade")
    by_evidence = replace(item, context=(hedged,), reason="evidence: aHSCT is established for active RRMS")
    assert sh.dismissed_reason(by_evidence) == "evidence: aHSCT is established for active RRMS"
    assert sh.dismissed_reason(replace(item, reason="")) == "warning cue 'Be wary of'"
