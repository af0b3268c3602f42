"""Report -> Markdown, the same content as the terminal report.

Every input- or data-derived string is escaped so it shows as literal text: no emphasis,
code, links, tables, headings, lists or raw HTML can come from the audited page.
"""
from __future__ import annotations

import re

from ..types import Finding, Report, Signal, Span
from . import _shared as sh

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_LEADING_LIST = re.compile(r"^([+\-=])")
_LEADING_ORDERED = re.compile(r"^(\d+)([.)])")
_SPACES = re.compile(r"\s+")


def escape(text: str) -> str:
    """Inline Markdown for literal text: one line, specials backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", sh.display(text)))


def _line(content: str) -> str:
    """Escaped inline content made safe at the start of a line (no list/heading/code block)."""
    content = content.strip()
    content = _LEADING_LIST.sub(r"\\\1", content)
    return _LEADING_ORDERED.sub(r"\1\\\2", content)


def _quote(evidence: Span, trigger: Span | None) -> str:
    """The sentence in curly quotes with the trigger words in bold."""
    text = evidence.text
    where = sh.relative_span(evidence, trigger)
    words = text[where[0] : where[1]] if where else ""
    if not words.strip():
        return f"“{escape(text).strip()}”"
    lead = words[: len(words) - len(words.lstrip())]
    trail = words[len(words.rstrip()) :]
    marked = (
        escape(text[: where[0]] + lead)
        + f"**{escape(words.strip())}**"
        + escape(trail + text[where[1] :])
    )
    return f"“{marked.strip()}”"


def render_markdown(report: Report, *, explain: bool = False) -> str:
    """The report as a Markdown document."""
    out: list[str] = ["# claimcheck report", ""]
    band = report.risk.band
    out += [
        f"**Risk: {escape(band.upper())} ({report.risk.score}/100).** {sh.BAND_PLAIN.get(band, '')}",
        "",
        f"{sh.DOC_PLAIN.get(report.doc_type.kind, '')} {sh.summary_line(report)}",
        "",
    ]
    source = "standard input" if report.input == "-" else escape(report.input)
    out.append(f"- **Input:** {source}")
    reasons = "; ".join(escape(r) for r in report.doc_type.reasons)
    because = f" (because: {reasons})" if reasons else ""
    out.append(f"- **Document type:** {escape(report.doc_type.kind)}{because}")
    out.append("")

    claims = sh.claims(report)
    if claims:
        out += ["## Red flags", ""]
        for n, f in enumerate(claims, 1):
            out += [f"### {n}. {f.severity.capitalize()}: {escape(f.title)}", ""]
            if f.evidence is not None:
                out += [f"> {_quote(f.evidence, f.trigger)}", ""]
            if f.section:
                out += [f"*in: {escape(f.section)}*", ""]
            if f.model is not None:
                out += [f"*Model: {escape(sh.model_phrase(f.model))}*", ""]
            out += _details(f, explain) + [""]
    missing = sh.omissions(report)
    if missing:
        out += ["## What is missing", ""]
        for f in missing:
            out.append(f"- **{f.severity.capitalize()}:** {escape(sh.omission_sentence(f))}")
            out += ["  " + line for line in _details(f, explain)]
        out.append("")
    if report.signals:
        out += ["## Good signs", ""]
        out += [_signal(s, explain) for s in report.signals] + [""]
    if report.questions:
        out += ["## Questions to ask the clinic", ""]
        out += [f"{n}. {_line(escape(q))}" for n, q in enumerate(report.questions, 1)] + [""]
    if explain:
        out += _explain(report)
    out += [
        "---",
        "",
        f"_claimcheck {escape(report.tool_version)} · checklist {escape(report.checklist_version)}"
        f" · sha256 {escape(report.content_sha256)}_",
    ]
    return "\n".join(out)


def _details(f: Finding, explain: bool) -> list[str]:
    lines = [f"- **Flag:** {escape(f.flag)}"]
    if f.explanation:
        lines.append(f"- **Why it matters:** {escape(f.explanation)}")
    if f.evidence_status is not None and f.evidence_status.summary:
        lines.append(f"- **What the evidence says:** {escape(f.evidence_status.summary)}")
    if f.context:
        lines.append("- **Context:** " + "; ".join(escape(sh.context_phrase(c)) for c in f.context))
    if f.sources:
        lines.append("- **Sources:** " + ", ".join(escape(s) for s in f.sources))
    if explain:
        lines.append(
            f"- **Rule:** {escape(f.rule)} · **matcher:** {escape(f.matcher)} · "
            f"**weight:** {f.weight:g} · **fingerprint:** {escape(f.fingerprint)}"
        )
    return lines


def _signal(s: Signal, explain: bool) -> str:
    line = f"- **Mitigating: {escape(sh.signal_phrase(s))}:** {_quote(s.evidence, s.trigger)}"
    if explain:
        line += f" (signal: {escape(s.signal)}, rule: {escape(s.rule)})"
    return line


def _explain(report: Report) -> list[str]:
    out = ["## How the score was worked out", "", "| Component | Points |", "|---|---:|"]
    out += [f"| {escape(name)} | {points:+.1f} |" for name, points in report.risk.breakdown]
    out += [f"| **Total** | **{report.risk.score}/100** |", ""]
    if report.dismissed:
        out += ["## Not flagged", ""]
        for d in report.dismissed:
            out.append(
                f"- **{escape(d.flag)}:** {_quote(d.evidence, d.trigger)} — not flagged because: "
                f"{escape(sh.dismissed_reason(d))} (rule: {escape(d.rule)})"
            )
        out.append("")
    if report.mentions:
        out += ["## Named in the text", ""]
        for kind in ("condition", "intervention"):
            names = sorted({f"{escape(m.text)} ({escape(m.id)})" for m in report.mentions if m.kind == kind})
            if names:
                out.append(f"- **{kind}s:** " + ", ".join(names))
        out.append("")
    return out
