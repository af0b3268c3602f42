"""Plain-language wording and span helpers shared by the human-readable renderers.

Kept apart so text, Markdown and HTML say the same thing in the same words.
"""
from __future__ import annotations

import logging
import re

from ..types import ContextCue, Dismissed, Finding, Report, Signal, Span

log = logging.getLogger("claimcheck")

SEVERITIES = ("critical", "high", "medium", "low")  # most serious first
BANDS = ("low", "moderate", "high", "critical")

BAND_PLAIN = {
    "low": "Few or no warning signs were found.",
    "moderate": "Some warning signs: read the claims carefully and ask the questions below.",
    "high": "Clear warning signs: this text overstates what the treatment can do.",
    "critical": "Serious warning signs: claims like these are typical of unproven stem cell offers.",
}

DOC_PLAIN = {
    "offer": "This text offers or promotes a treatment.",
    "regulator-quote": "This text is a regulator's document that quotes a seller's claims.",
    "information": "This text gives information; it does not offer a treatment.",
}

# Omissions and signals read better as sentences than as checklist titles; unknown
# (custom) ids fall back to their title.
OMISSION_PLAIN = {
    "no-risk-disclosure": "Nothing in this text names a risk or side effect.",
    "no-oversight": (
        "Nothing in this text names an ethics approval, a registered trial, "
        "an accredited centre or a regulator overseeing the treatment."
    ),
    "no-patient-selection": "Nothing in this text says who is, or is not, a candidate for the treatment.",
}

SIGNAL_PLAIN = {
    "cites-source": "cites a source",
    "discloses-risk": "names a risk",
    "states-investigational": "says the treatment is investigational",
    "states-selection": "says who is a candidate",
    "states-oversight": "names oversight (ethics approval, registered trial or accredited centre)",
}

EFFECT_PLAIN = {
    "downgrade": "counts for less",
    "suppress": "switched off",
    "keep": "noted, no change",
}

# Bidi embedding/override/isolate controls can reorder what a reader sees (and the rest
# of the page after them); C0/C1 controls can drive a terminal. Shown as U+FFFD instead.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = {c: "\ufffd" for c in range(0x00, 0x20)}
_UNSAFE.update({c: "\ufffd" for c in range(0x7F, 0xA0)})
_UNSAFE.update({ord(c): "\ufffd" for c in _BIDI_CONTROLS})
_UNSAFE.update({0x2028: " ", 0x2029: " "})
_INLINE = dict(_UNSAFE)
_INLINE.update({ord("\n"): " ", ord("\t"): " ", ord("\r"): " "})
_BLOCK = dict(_UNSAFE)
_BLOCK.update({ord("\n"): "\n", ord("\t"): "\t", ord("\r"): " ", 0x2028: "\n", 0x2029: "\n"})
_SPACES = re.compile(r"\s+")


def display(text: str, *, keep_newlines: bool = False) -> str:
    """Input-derived text made safe to show; one character out per character in (offsets hold)."""
    return text.translate(_BLOCK if keep_newlines else _INLINE)


def one_line(text: str) -> str:
    """Checklist/evidence prose for a single line: safe characters, whitespace collapsed."""
    return _SPACES.sub(" ", display(text)).strip()


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def claims(report: Report) -> list[Finding]:
    """Claim findings, most serious first, then in reading order."""
    found = [f for f in report.findings if f.kind == "claim"]
    return sorted(found, key=lambda f: (severity_rank(f.severity), f.evidence.start if f.evidence else 0))


def omissions(report: Report) -> list[Finding]:
    found = [f for f in report.findings if f.kind == "omission"]
    return sorted(found, key=lambda f: severity_rank(f.severity))


def omission_sentence(finding: Finding) -> str:
    return OMISSION_PLAIN.get(finding.flag) or f"Missing: {one_line(finding.title)}"


def signal_phrase(signal: Signal) -> str:
    return SIGNAL_PLAIN.get(signal.signal) or one_line(signal.title)


def cue_phrase(cue: ContextCue) -> str:
    return f"{cue.category} cue '{one_line(cue.cue)}'"


def context_phrase(cue: ContextCue) -> str:
    return f"{cue_phrase(cue)} ({EFFECT_PLAIN.get(cue.effect, cue.effect)})"


def dismissed_reason(item: Dismissed) -> str:
    """Why a hit is not a finding: the cues that switched it off when the stage's reason is just
    those cues, else the stage's own reason (an evidence check, say)."""
    cues = "; ".join(cue_phrase(c) for c in item.context)
    reason = one_line(item.reason)
    if cues and (not reason or all(cue_phrase(c) in reason for c in item.context)):
        return cues
    return reason or cues or "context"


def summary_line(report: Report) -> str:
    n_claims = sum(1 for f in report.findings if f.kind == "claim")
    n_missing = len(report.findings) - n_claims
    n_signals = len(report.signals)

    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    return (
        f"{count(n_claims, 'red flag', 'red flags')}, "
        f"{count(n_missing, 'thing missing', 'things missing')}, "
        f"{count(n_signals, 'good sign', 'good signs')}."
    )


def relative_span(outer: Span | None, inner: Span | None) -> tuple[int, int] | None:
    """Offsets of inner within outer, or None when inner does not lie inside outer."""
    if outer is None or inner is None:
        return None
    start, end = inner.start - outer.start, inner.end - outer.start
    if 0 <= start <= end <= len(outer.text) and outer.text[start:end] == inner.text:
        return start, end
    log.debug("trigger %r is not inside its sentence; not highlighted", inner.text)
    return None


def span_in_text(text: str, span: Span | None) -> bool:
    """True when span's offsets point at its own text in the audited text."""
    if span is None or not text:
        return False
    ok = 0 <= span.start <= span.end <= len(text) and text[span.start : span.end] == span.text
    if not ok:
        log.debug("span %d:%d does not match the audited text; not annotated", span.start, span.end)
    return ok


def model_phrase(m) -> str:
    """One line on what the learned model said (a ModelScore), for every renderer."""
    words = ", ".join(f"“{display(t)}”" for t in m.terms[:5])
    fired = "fired" if m.probability >= m.threshold else "did not fire"
    return (f"the learned model {fired}: probability {m.probability:.2f} (threshold {m.threshold:.2f})"
            + (f", mostly because of the words {words}" if words else ""))

