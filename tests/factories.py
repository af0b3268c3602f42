"""Hand-built Report objects for renderer tests: realistic shapes, hostile text in the spans."""
from __future__ import annotations

import hashlib

from claimcheck.types import (
    ContextCue,
    Dismissed,
    DocType,
    EvidenceStatus,
    Finding,
    Mention,
    Report,
    Risk,
    Signal,
    Span,
)

# Every line is a sentence of the clinic page. Line 2 carries markup, quotes, Markdown
# specials, emoji, Arabic and a bidi override; line 5 a terminal escape and U+2028.
CLINIC_LINES = (
    "# Renova Cell Clinic | Cancún 🌴",
    "Our stem cell protocol <script>alert(1)</script> cures multiple sclerosis & \"ALS\" for good"
    " — 'patients' *love* it | `100%` ✨ شفاء تام\u202e!",
    "Be wary of clinics that promise a cure for Parkinson's disease.",
    "Umbilical cord stem cells may help regrow damaged myelin in people with progressive MS.",
    "Our methods follow NCT01234567 (registered 2021) \x1b[31mred\x1b[0m\u2028and the_results_are_published.",
    "## 1. Book now: only 3 places left for knee osteoarthritis patients!",
)
CLINIC_TEXT = "\n".join(CLINIC_LINES) + "\n"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def line_span(text: str, line: str) -> Span:
    start = text.index(line)
    return Span(line, start, start + len(line))


def inner_span(outer: Span, words: str) -> Span:
    start = outer.start + outer.text.index(words)
    return Span(words, start, start + len(words))


def clinic_offer() -> Report:
    """A clinic offer: cure claim, overlapping triggers, a downgraded claim, an omission,
    a signal and a dismissed warning sentence."""
    text = CLINIC_TEXT
    cure_sentence = line_span(text, CLINIC_LINES[1])
    warning_sentence = line_span(text, CLINIC_LINES[2])
    repair_sentence = line_span(text, CLINIC_LINES[3])
    source_sentence = line_span(text, CLINIC_LINES[4])
    pressure_sentence = line_span(text, CLINIC_LINES[5])

    cure = Finding(
        flag="cure-claim",
        kind="claim",
        severity="critical",
        title="Claims to cure a disease that has no cure",
        explanation=(
            "No stem cell treatment cures multiple sclerosis; a clinic that says so"
            " is not being straight with you."
        ),
        evidence=cure_sentence,
        trigger=inner_span(cure_sentence, "cures"),
        rule="cure-claim/cures-condition",
        matcher="regex",
        context=(),
        evidence_status=None,
        sources=("ftc-2018", "isscr-2021"),
        fingerprint="3f1c9a0d5e7b2c44",
    )
    # Overlaps the cure trigger on purpose and carries markup inside the trigger itself.
    established = Finding(
        flag="investigational-as-established",
        kind="claim",
        severity="high",
        title="Presents an investigational therapy as established",
        explanation="Stem cell products for MS are still being tested in trials.",
        evidence=cure_sentence,
        trigger=inner_span(cure_sentence, "<script>alert(1)</script> cures multiple sclerosis"),
        rule="investigational-as-established/offers-for-condition",
        matcher="pattern",
        context=(),
        evidence_status=EvidenceStatus(
            intervention="msc",
            condition="multiple-sclerosis",
            level="investigational",
            population="",
            summary="Mesenchymal stem cells for MS have only been tried in small early-phase trials.",
            sources=("cochrane-2022",),
        ),
        sources=("isscr-2021",),
        fingerprint="b27e01c8d9a34f10",
    )
    hedge = inner_span(repair_sentence, "may")
    repair = Finding(
        flag="repair-overclaim",
        kind="claim",
        severity="high",
        title="Says the treatment repairs nerves or myelin",
        explanation=(
            "Regrowing myelin in people is a research goal, not something any clinic can offer today."
        ),
        evidence=repair_sentence,
        trigger=inner_span(repair_sentence, "regrow damaged myelin"),
        rule="repair-overclaim/regrow-myelin",
        matcher="phrase",
        context=(ContextCue("hedged", "may", hedge.start, hedge.end, "hedged/may", "downgrade"),),
        evidence_status=EvidenceStatus(
            intervention="umbilical-cord-msc",
            condition="progressive-ms",
            level="no-evidence",
            population="",
            summary=(
                "No controlled trial has shown cord-blood cells <i>repair</i> myelin"
                " in progressive MS & none is under way."
            ),
            sources=("isscr-2021", "nmss-2023"),
        ),
        sources=("isscr-2021",),
        fingerprint="0c44d2a9e1f87b35",
        weight=0.5,
    )
    pressure = Finding(
        flag="pressure-tactic",
        kind="claim",
        severity="medium",
        title="Pushes you to decide quickly",
        explanation="Real treatments do not run out of places this month; urgency is a sales technique.",
        evidence=pressure_sentence,
        trigger=inner_span(pressure_sentence, "only 3 places left"),
        rule="pressure-tactic/scarcity",
        matcher="regex",
        context=(),
        evidence_status=None,
        sources=("ftc-2018",),
        fingerprint="77aa01bc3e9d5f62",
    )
    no_risk = Finding(
        flag="no-risk-disclosure",
        kind="omission",
        severity="high",
        title="Does not mention any risk",
        explanation="Every procedure that puts cells into your body carries risks such as infection.",
        evidence=None,
        trigger=None,
        rule="no-risk-disclosure/omission",
        matcher="omission",
        context=(),
        evidence_status=None,
        sources=("isscr-2021",),
        fingerprint="e5d1f0a27c3b9864",
    )
    signal = Signal(
        signal="cites-source",
        title="Cites a verifiable source",
        evidence=source_sentence,
        trigger=inner_span(source_sentence, "NCT01234567"),
        rule="cites-source/nct-number",
    )
    warn = inner_span(warning_sentence, "Be wary of")
    dismissed = Dismissed(
        flag="cure-claim",
        evidence=warning_sentence,
        trigger=inner_span(warning_sentence, "promise a cure"),
        rule="cure-claim/promise-cure",
        context=(ContextCue("warning", "Be wary of", warn.start, warn.end, "warning/be-wary", "suppress"),),
        reason="context: warning cue 'Be wary of'",
    )

    def mention(kind: str, id_: str, words: str) -> Mention:
        start = text.index(words)
        return Mention(kind, id_, words, start, start + len(words))

    return Report(
        input="pages/renova_cell*clinic.txt",
        content_sha256=sha(text),
        doc_type=DocType("offer", True, ("names a price or booking", "first-person 'our protocol'")),
        risk=Risk(91, "critical", (("cure-claim", 40.0), ("investigational-as-established", 20.0),
                                   ("repair-overclaim", 7.5), ("pressure-tactic", 8.0),
                                   ("no-risk-disclosure", 18.0), ("cites-source", -2.5))),
        findings=(pressure, no_risk, cure, repair, established),
        signals=(signal,),
        dismissed=(dismissed,),
        mentions=(
            mention("condition", "multiple-sclerosis", "multiple sclerosis"),
            mention("condition", "als", "ALS"),
            mention("condition", "parkinsons", "Parkinson's disease"),
            mention("condition", "knee-osteoarthritis", "knee osteoarthritis"),
            mention("intervention", "umbilical-cord-msc", "Umbilical cord stem cells"),
        ),
        questions=(
            "Which published, peer-reviewed trial shows this treatment works for *my* condition?",
            "What are the risks | side effects, and what happens if something goes wrong <after> I fly home?",
        ),
        tool_version="0.1.0",
        checklist_version="2025.1",
        text=text,
    )


MINIMAL_TEXT = "Our charity funds research into ALS. Ask your neurologist about registered trials near you.\n"


def minimal_information() -> Report:
    """A patient-organisation page: no findings, no signals, nothing to say."""
    return Report(
        input="-",
        content_sha256=sha(MINIMAL_TEXT),
        doc_type=DocType("information", False, ()),
        risk=Risk(0, "low", ()),
        findings=(),
        signals=(),
        dismissed=(),
        mentions=(),
        questions=(),
        tool_version="0.1.0",
        checklist_version="2025.1",
        text=MINIMAL_TEXT,
    )


ALL = {"clinic_offer": clinic_offer, "minimal_information": minimal_information}
