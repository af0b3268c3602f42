"""The frozen dataclasses every pipeline stage takes and returns.

Data flows one way: ingest -> extract -> match -> context -> evidence -> score -> report.
No stage passes spaCy objects on; spaCy lives inside the extraction stage only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["low", "medium", "high", "critical"]
Band = Literal["low", "moderate", "high", "critical"]
DocKind = Literal["offer", "regulator-quote", "information"]
ContextCategory = Literal[
    "negated", "warning", "reported", "attributed", "hypothetical", "question", "hedged"
]
EvidenceLevel = Literal["established", "investigational", "no-evidence", "unknown"]


@dataclass(frozen=True)
class Section:
    """A page region of the extracted text: Document.text[start:end].

    name: hero | heading | main | testimonial | faq | pricing | list | other
    """

    start: int
    end: int
    name: str


@dataclass(frozen=True)
class Document:
    """A text to audit, with where it came from (url/fetch fields set when it came from the web)."""

    text: str
    source: str = "-"
    content_sha256: str = ""
    encoding: str = "utf-8"
    url: str = ""
    final_url: str = ""
    fetched_at: str = ""  # ISO 8601 UTC
    http_status: int | None = None
    content_type: str = ""
    sections: tuple[Section, ...] = ()  # page regions of text (HTML input), in order


@dataclass(frozen=True)
class Sentence:
    """A sentence as character offsets into Document.text (text == doc.text[start:end])."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One matcher rule firing on one sentence, before context is applied."""

    flag_id: str
    sentence: Sentence
    rule_id: str
    trigger: str  # the matched words, == document text[start:end]
    start: int  # absolute offsets of the trigger in Document.text
    end: int
    matcher: str = "regex"  # matcher kind that fired: regex | phrase | pattern | model
    model: "ModelScore | None" = None  # set when the learned model scored this flag here


@dataclass(frozen=True)
class ModelScore:
    """What the learned sentence model said about one flag on one sentence, and why."""

    probability: float  # calibrated P(flag | sentence)
    threshold: float  # the checklist rule's threshold; the model fires at or above it
    terms: tuple[str, ...]  # the words that pushed hardest towards the flag, strongest first
    model: str  # model name and version, e.g. "sentence-flags 0.1.0 (a1b2c3d4)"
    term_spans: tuple[tuple[int, int], ...] = ()  # absolute offsets of the top terms


@dataclass(frozen=True)
class ContextCue:
    """A context cue (ConText-style) that modifies a hit, and how."""

    category: ContextCategory
    cue: str  # the cue words as they appear in the text
    start: int  # absolute offsets of the cue in Document.text
    end: int
    rule_id: str
    effect: Literal["suppress", "downgrade", "keep"]


@dataclass(frozen=True)
class Mention:
    """A condition or intervention named in the text."""

    kind: Literal["condition", "intervention"]
    id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class EvidenceStatus:
    """What the evidence base says about an intervention for a condition."""

    intervention: str
    condition: str
    level: EvidenceLevel
    population: str  # for whom it is established, or "" when it is not
    summary: str  # one plain-language sentence
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    """Quoted evidence: document text[start:end] == text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """A checklist flag that holds for this text, explained."""

    flag: str
    kind: Literal["claim", "omission"]
    severity: Severity
    title: str
    explanation: str
    evidence: Span | None  # the sentence; None for omissions
    trigger: Span | None  # the words that fired the rule; None for omissions
    rule: str  # "<flag-id>/<rule-id>" or "<flag-id>/omission"
    matcher: str
    context: tuple[ContextCue, ...]  # cues that changed it (downgrade) -- suppressed hits are not findings
    evidence_status: EvidenceStatus | None
    sources: tuple[str, ...]
    fingerprint: str
    weight: float = 1.0  # contribution multiplier after context (1.0 = unmodified)
    section: str | None = None  # page region of the evidence span (Section.name), where known
    model: ModelScore | None = None  # the learned model's score for this flag and sentence


@dataclass(frozen=True)
class Dismissed:
    """A hit that context switched off, kept so the report can say why it is not a finding."""

    flag: str
    evidence: Span
    trigger: Span
    rule: str
    context: tuple[ContextCue, ...]
    reason: str


@dataclass(frozen=True)
class Signal:
    """A mitigating signal found in the text (cites-source, discloses-risk, ...)."""

    signal: str
    title: str
    evidence: Span
    trigger: Span
    rule: str
    model: ModelScore | None = None


@dataclass(frozen=True)
class DocType:
    kind: DocKind
    offers_treatment: bool
    reasons: tuple[str, ...]
    offer_probability: float | None = None  # the document model's P(offer), when it ran


@dataclass(frozen=True)
class Risk:
    score: int  # 0-100
    band: Band
    breakdown: tuple[tuple[str, float], ...] = ()  # (component, points), for --explain


@dataclass(frozen=True)
class Origin:
    """Where a web document came from (set on a Report when its Document has a URL)."""

    url: str
    final_url: str
    fetched_at: str
    http_status: int | None
    content_type: str


@dataclass(frozen=True)
class Report:
    input: str
    content_sha256: str
    doc_type: DocType
    risk: Risk
    findings: tuple[Finding, ...]
    signals: tuple[Signal, ...]
    dismissed: tuple[Dismissed, ...]
    mentions: tuple[Mention, ...]
    questions: tuple[str, ...]
    tool_version: str
    checklist_version: str
    text: str = field(default="", repr=False)  # the audited text, for renderers that highlight
    origin: Origin | None = None  # set when the document came from the web
