"""Report -> one standalone HTML5 page for a patient: plain words first, details folded away.

No scripts, no external assets. Every string that comes from the audited page or the data
goes through html.escape; the annotated copy of the input is cut into flat, non-nested
segments at every span boundary, so overlapping spans can never unbalance the markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape as _escape

from ..types import Finding, Report, Signal, Span
from . import _shared as sh

_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5a5a64; --line: #d9d9e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fafafa; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.badge { display: inline-block; padding: .2rem .7rem; border-radius: 1rem; font-weight: 700;
  color: #fff; }
.band-low { background: #2e7d32; } .band-moderate { background: #a86b00; }
.band-high { background: #d84315; } .band-critical { background: #b71c1c; }
.band-unknown { background: #555; }
.lead { font-size: 1.1rem; }
.card { background: #fff; border: 1px solid var(--line); border-left: 6px solid #999;
  border-radius: 6px; padding: .9rem 1rem; margin: 0 0 1rem; }
.card.sev-critical { border-left-color: #b71c1c; } .card.sev-high { border-left-color: #d84315; }
.card.sev-medium { border-left-color: #a86b00; } .card.sev-low { border-left-color: #1565c0; }
.card.good { border-left-color: #2e7d32; }
.sev { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
blockquote { margin: .5rem 0; padding: .4rem .8rem; background: #f3f3f6; border-radius: 4px; }
mark { background: #ffe066; color: inherit; padding: 0 .1em; }
mark.good { background: #b9f6ca; } mark.off { background: #e4e4ea; }
details { margin-top: .5rem; color: var(--muted); }
summary { cursor: pointer; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .5rem 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.annotated { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff;
  border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.hl-flag { background: #fde2e1; } .hl-flag.sev-critical, .hl-flag.sev-high { background: #fbc9c6; }
.hl-signal { background: #dcf5e3; }
sup.ref a { text-decoration: none; font-size: .75em; }
table { border-collapse: collapse; } td, th { padding: .2rem .6rem; border-bottom: 1px solid var(--line); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 2rem; font-size: .85rem; color: var(--muted); overflow-wrap: anywhere; }
@media print { details { display: block; } .badge { border: 1px solid #000; } }
"""


def esc(text: str) -> str:
    """Input- or data-derived text for an HTML text node or attribute value."""
    return _escape(sh.display(text), quote=True)


def render_html(report: Report, *, explain: bool = False) -> str:
    """A complete HTML5 document as a string."""
    band = report.risk.band if report.risk.band in sh.BANDS else "unknown"
    source = "standard input" if report.input == "-" else report.input
    claims = sh.claims(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>claimcheck: {esc(band)} risk – {esc(source)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        "<h1>What we found in this text</h1>",
        f'<p><span class="badge band-{band}">Risk: {esc(band)} ({report.risk.score}/100)</span></p>',
        f'<p class="lead">{esc(sh.BAND_PLAIN.get(band, ""))}</p>',
        f"<p>{esc(sh.DOC_PLAIN.get(report.doc_type.kind, ''))} {esc(sh.summary_line(report))}</p>",
        _doc_details(report, source),
        "</header>",
    ]
    if claims:
        parts += ['<section id="red-flags">', "<h2>Red flags</h2>"]
        parts += [_claim(n, f, explain) for n, f in enumerate(claims, 1)]
        parts.append("</section>")
    missing = sh.omissions(report)
    if missing:
        parts += ['<section id="missing">', "<h2>What is missing</h2>"]
        parts += [_omission(f, explain) for f in missing]
        parts.append("</section>")
    if report.signals:
        parts += ['<section id="good-signs">', "<h2>Good signs</h2>"]
        parts += [_signal(s, explain) for s in report.signals]
        parts.append("</section>")
    if report.questions:
        parts += ['<section id="questions">', "<h2>Questions to ask the clinic</h2>", "<ol>"]
        parts += [f"<li>{esc(q)}</li>" for q in report.questions]
        parts += ["</ol>", "</section>"]
    annotated = _annotated(report, claims)
    if annotated:
        parts += [
            '<section id="your-text">',
            "<h2>Your text, annotated</h2>",
            "<p>Red: a sentence with a red flag (the words that set it off are marked). "
            "Green: a good sign. Numbers point to the red flags above.</p>",
            f'<div class="annotated" id="annotated" dir="auto">{annotated}</div>',
            "</section>",
        ]
    if explain:
        parts.append(_explain(report))
    parts += [
        "<footer>",
        f"claimcheck {esc(report.tool_version)} · checklist {esc(report.checklist_version)} · "
        f"sha256 {esc(report.content_sha256)}",
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts)


def _doc_details(report: Report, source: str) -> str:
    rows = [("Input", esc(source)), ("Document type", esc(report.doc_type.kind))]
    if report.doc_type.reasons:
        rows.append(("Why", "; ".join(esc(r) for r in report.doc_type.reasons)))
    return "<details><summary>About this text</summary>" + _dl(rows) + "</details>"


def _dl(rows: list[tuple[str, str]]) -> str:
    """A definition list; values must already be escaped HTML."""
    return "<dl>" + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows) + "</dl>"


def _quote(evidence: Span, trigger: Span | None, mark_class: str = "") -> str:
    """The sentence with its trigger words in <mark>."""
    text = evidence.text
    where = sh.relative_span(evidence, trigger)
    if where is None:
        body = esc(text)
    else:
        attr = f' class="{mark_class}"' if mark_class else ""
        body = (
            esc(text[: where[0]])
            + f"<mark{attr}>{esc(text[where[0] : where[1]])}</mark>"
            + esc(text[where[1] :])
        )
    return f'<blockquote dir="auto">{body}</blockquote>'


def _sev_class(severity: str) -> str:
    return f"sev-{severity}" if severity in sh.SEVERITIES else "sev-unknown"


def _rows(f: Finding, explain: bool) -> list[tuple[str, str]]:
    rows = [("Checklist flag", esc(f.flag))]
    if f.context:
        rows.append(("Context", "; ".join(esc(sh.context_phrase(c)) for c in f.context)))
    status = f.evidence_status
    if status is not None:
        rows.append(("Evidence level", esc(f"{status.level} ({status.intervention} for {status.condition})")))
        if status.population:
            rows.append(("Established for", esc(status.population)))
    if f.sources:
        rows.append(("Sources", ", ".join(esc(s) for s in f.sources)))
    if explain:
        rows += [
            ("Rule", esc(f.rule)),
            ("Matcher", esc(f.matcher)),
            ("Weight", esc(f"{f.weight:g}")),
            ("Fingerprint", esc(f.fingerprint)),
        ]
    return rows


def _claim(n: int, f: Finding, explain: bool) -> str:
    parts = [
        f'<article class="card {_sev_class(f.severity)}" id="flag-{n}">',
        f'<h3><span class="sev">{n}. {esc(f.severity)}</span><br>{esc(f.title)}</h3>',
    ]
    if f.evidence is not None:
        parts.append(_quote(f.evidence, f.trigger))
    if f.section:
        parts.append(f'<p class="section">in: {esc(f.section)}</p>')
    if f.model is not None:
        parts.append(f'<p class="model">Model: {esc(sh.model_phrase(f.model))}</p>')
    if f.explanation:
        parts.append(f"<p>{esc(f.explanation)}</p>")
    if f.evidence_status is not None and f.evidence_status.summary:
        parts.append(f"<p><strong>What the evidence says:</strong> {esc(f.evidence_status.summary)}</p>")
    parts += [f"<details><summary>Details</summary>{_dl(_rows(f, explain))}</details>", "</article>"]
    return "\n".join(parts)


def _omission(f: Finding, explain: bool) -> str:
    return "\n".join(
        [
            f'<article class="card {_sev_class(f.severity)}">',
            f'<h3><span class="sev">{esc(f.severity)}</span><br>{esc(sh.omission_sentence(f))}</h3>',
            f"<p>{esc(f.explanation)}</p>" if f.explanation else "",
            f"<details><summary>Details</summary>{_dl(_rows(f, explain))}</details>",
            "</article>",
        ]
    )


def _signal(s: Signal, explain: bool) -> str:
    rows = [("Signal", esc(s.signal))] + ([("Rule", esc(s.rule))] if explain else [])
    return "\n".join(
        [
            '<article class="card good">',
            f"<h3>Mitigating: {esc(sh.signal_phrase(s))}</h3>",
            _quote(s.evidence, s.trigger, "good"),
            f"<details><summary>Details</summary>{_dl(rows)}</details>",
            "</article>",
        ]
    )


def _explain(report: Report) -> str:
    rows = "".join(
        f'<tr><td>{esc(name)}</td><td class="num">{points:+.1f}</td></tr>'
        for name, points in report.risk.breakdown
    )
    parts = [
        '<section id="explain">',
        "<h2>How the score was worked out</h2>",
        "<table><thead><tr><th>Component</th><th>Points</th></tr></thead>",
        f'<tbody>{rows}<tr><th>Total</th><td class="num">{report.risk.score}/100</td></tr></tbody></table>',
    ]
    if report.dismissed:
        parts += ["<h3>Not flagged</h3>", "<ul>"]
        for d in report.dismissed:
            parts.append(
                f"<li><strong>{esc(d.flag)}</strong>{_quote(d.evidence, d.trigger, 'off')}"
                f"Not flagged because: {esc(sh.dismissed_reason(d))} "
                f"<small>(rule: {esc(d.rule)})</small></li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    role: str  # flag | flag-trigger | signal | signal-trigger
    label: str
    severity: str = ""
    ref: int = 0  # red-flag number, for sentences of claims


def _marks(report: Report, claims: list[Finding]) -> list[_Mark]:
    text, marks = report.text, []
    for n, f in enumerate(claims, 1):
        if sh.span_in_text(text, f.evidence):
            marks.append(_Mark(f.evidence.start, f.evidence.end, "flag", f.flag, f.severity, n))
        if sh.span_in_text(text, f.trigger):
            marks.append(_Mark(f.trigger.start, f.trigger.end, "flag-trigger", f.flag, f.severity))
    for s in report.signals:
        if sh.span_in_text(text, s.evidence):
            marks.append(_Mark(s.evidence.start, s.evidence.end, "signal", s.signal))
        if sh.span_in_text(text, s.trigger):
            marks.append(_Mark(s.trigger.start, s.trigger.end, "signal-trigger", s.signal))
    return marks


def _segment(piece: str, active: list[_Mark]) -> str:
    """One flat run of text under a fixed set of spans; never nests across runs."""
    body = _escape(sh.display(piece, keep_newlines=True), quote=True)
    if not active:
        return body
    roles = {m.role for m in active}
    if "flag-trigger" in roles:
        body = f"<mark>{body}</mark>"
    elif "signal-trigger" in roles:
        body = f'<mark class="good">{body}</mark>'
    flags = [m for m in active if m.role in ("flag", "flag-trigger")]
    if flags:
        worst = min((m.severity for m in flags), key=sh.severity_rank)
        css = f"hl-flag {_sev_class(worst)}"
    else:
        css = "hl-signal"
    labels = ", ".join(dict.fromkeys(m.label for m in active))
    return f'<span class="{css}" title="{esc(labels)}">{body}</span>'


def _annotated(report: Report, claims: list[Finding]) -> str:
    """The whole input with every flagged and mitigating span highlighted."""
    text = report.text
    if not text:
        return ""
    marks = _marks(report, claims)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        active = [m for m in marks if m.start <= a and b <= m.end and m.start < m.end]
        out.append(_segment(text[a:b], active))
        ends = sorted({m.ref for m in marks if m.ref and m.end == b})
        if ends:
            links = ", ".join(f'<a href="#flag-{r}">{r}</a>' for r in ends)
            out.append(f'<sup class="ref">{links}</sup>')
    return "".join(out)
