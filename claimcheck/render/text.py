"""Report -> terminal text via rich, plain when color is off.

Input-derived text only ever enters rich as Text objects (never markup), after control and
bidi characters are neutralised, so a page cannot style or drive the reader's terminal.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from ..types import Finding, Report, Signal, Span
from . import _shared as sh

_BAND_STYLE = {
    "low": "bold green",
    "moderate": "bold yellow",
    "high": "bold dark_orange",
    "critical": "bold white on red",
}
_SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "bold dark_orange",
    "medium": "bold yellow",
    "low": "bold cyan",
}
_TRIGGER_STYLE = "bold black on yellow"
_SIGNAL_TRIGGER_STYLE = "bold black on green"
_LABEL = "bold"
_INDENT = 4
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)  # rich pads wrapped lines


def render_text(report: Report, *, explain: bool = False, color: bool = False) -> str:
    """The report for a terminal; with color False the result holds no escape codes."""
    console = Console(
        record=True,
        width=100,
        file=io.StringIO(),
        force_terminal=color,
        color_system="256" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    for block in _blocks(report, explain):
        console.print(block)
    return _TRAILING.sub(r"\1", console.export_text(styles=color)).rstrip("\n")


def _blocks(report: Report, explain: bool) -> Iterator[RenderableType]:
    yield from _header(report)
    claims = sh.claims(report)
    if claims:
        yield _section("Red flags")
        for n, finding in enumerate(claims, 1):
            if n > 1:
                yield Text("")
            yield from _claim(n, finding, explain)
    missing = sh.omissions(report)
    if missing:
        yield _section("What is missing")
        for finding in missing:
            yield from _omission(finding, explain)
    if report.signals:
        yield _section("Good signs")
        for signal in report.signals:
            yield from _signal(signal, explain)
    if report.questions:
        yield _section("Questions to ask the clinic")
        for n, question in enumerate(report.questions, 1):
            yield _indented(Text(f"{n}. {sh.one_line(question)}"), 0)
    if explain:
        yield from _explain(report)
    yield Text("")
    yield Text(
        f"claimcheck {sh.one_line(report.tool_version)} · checklist "
        f"{sh.one_line(report.checklist_version)}\nsha256 {sh.one_line(report.content_sha256)}",
        style="dim",
    )


def _header(report: Report) -> Iterator[RenderableType]:
    yield Text("claimcheck report", style="bold underline")
    source = "standard input" if report.input == "-" else sh.one_line(report.input)
    yield Text.assemble(("Input: ", _LABEL), source)
    doc = report.doc_type
    yield Text.assemble(
        ("Document: ", _LABEL), (doc.kind, "bold"), " — ", sh.DOC_PLAIN.get(doc.kind, "")
    )
    if doc.reasons:
        yield _indented(Text("because: " + "; ".join(sh.one_line(r) for r in doc.reasons)))
    band = report.risk.band
    yield Text.assemble(
        ("Risk: ", _LABEL),
        (f" {report.risk.score}/100 {band.upper()} ", _BAND_STYLE.get(band, "bold")),
        " ",
        sh.BAND_PLAIN.get(band, ""),
    )
    yield Text(sh.summary_line(report))


def _section(title: str) -> Group:
    return Group(Text(""), Rule(Text(title.upper(), style="bold"), align="left"))


def _indented(renderable: RenderableType, left: int = _INDENT) -> Padding:
    return Padding(renderable, (0, 0, 0, left), expand=False)


def _quote(evidence: Span, trigger: Span | None, style: str) -> Text:
    """The sentence in quotes with the trigger words styled in place."""
    quote = Text("“" + sh.display(evidence.text) + "”")
    where = sh.relative_span(evidence, trigger)
    if where is not None:
        quote.stylize(style, where[0] + 1, where[1] + 1)
    return quote


def _claim(n: int, f: Finding, explain: bool) -> Iterator[RenderableType]:
    yield Text.assemble(
        f"{n}. ",
        (f.severity.upper(), _SEVERITY_STYLE.get(f.severity, "bold")),
        "  ",
        (sh.one_line(f.title), "bold"),
        f"  [{sh.one_line(f.flag)}]",
    )
    lines: list[Text] = []
    if f.evidence is not None:
        lines.append(_quote(f.evidence, f.trigger, _TRIGGER_STYLE))
    if f.trigger is not None:
        lines.append(Text.assemble(("Words that fired it: ", _LABEL), f"“{sh.display(f.trigger.text)}”"))
    if f.section:
        lines.append(Text.assemble(("in: ", _LABEL), sh.one_line(f.section)))
    if f.model is not None:
        lines.append(Text.assemble(("Model: ", _LABEL), sh.one_line(sh.model_phrase(f.model))))
    lines.extend(_details(f, explain))
    for line in lines:
        yield _indented(line)


def _details(f: Finding, explain: bool) -> list[Text]:
    lines = []
    if f.explanation:
        lines.append(Text.assemble(("Why it matters: ", _LABEL), sh.one_line(f.explanation)))
    if f.evidence_status is not None and f.evidence_status.summary:
        lines.append(
            Text.assemble(("What the evidence says: ", _LABEL), sh.one_line(f.evidence_status.summary))
        )
    if f.context:
        cues = "; ".join(sh.context_phrase(c) for c in f.context)
        lines.append(Text.assemble(("Context: ", _LABEL), cues))
    if f.sources:
        lines.append(Text.assemble(("Sources: ", _LABEL), ", ".join(sh.one_line(s) for s in f.sources)))
    if explain:
        lines.append(
            Text(
                f"rule: {sh.one_line(f.rule)} · matcher: {sh.one_line(f.matcher)} · "
                f"weight: {f.weight:g} · fingerprint: {sh.one_line(f.fingerprint)}",
                style="dim",
            )
        )
    return lines


def _omission(f: Finding, explain: bool) -> Iterator[RenderableType]:
    yield Text.assemble(
        "- ",
        (f.severity.upper(), _SEVERITY_STYLE.get(f.severity, "bold")),
        "  ",
        sh.omission_sentence(f),
        f"  [{sh.one_line(f.flag)}]",
    )
    for line in _details(f, explain):
        yield _indented(line)


def _signal(s: Signal, explain: bool) -> Iterator[RenderableType]:
    yield Text.assemble(
        ("Mitigating: ", "bold green"),
        sh.signal_phrase(s),
        ": ",
        _quote(s.evidence, s.trigger, _SIGNAL_TRIGGER_STYLE),
    )
    if explain:
        yield _indented(Text(f"signal: {sh.one_line(s.signal)} · rule: {sh.one_line(s.rule)}", style="dim"))


def _explain(report: Report) -> Iterator[RenderableType]:
    yield _section("How the score was worked out")
    for name, points in report.risk.breakdown:
        yield _indented(Text(f"{points:+8.1f}  {sh.one_line(name)}"), 0)
    yield _indented(Text(f"{'=':>8}  {report.risk.score}/100 ({report.risk.band})", style="bold"), 0)
    if report.dismissed:
        yield _section("Not flagged")
        for d in report.dismissed:
            yield Text.assemble("- ", f"[{sh.one_line(d.flag)}] ", _quote(d.evidence, d.trigger, "bold"))
            yield _indented(Text.assemble(("not flagged because: ", _LABEL), sh.dismissed_reason(d)))
            yield _indented(Text(f"rule: {sh.one_line(d.rule)}", style="dim"))
    if report.mentions:
        yield _section("Named in the text")
        for kind in ("condition", "intervention"):
            names = sorted(
                {f"{sh.one_line(m.text)} ({sh.one_line(m.id)})" for m in report.mentions if m.kind == kind}
            )
            if names:
                yield _indented(Text.assemble((f"{kind}s: ", _LABEL), ", ".join(names)), 0)
