"""Turn hits into findings: apply context, then the evidence base, then omissions.

A hit becomes a finding unless a context cue switches it off (then it is kept as Dismissed,
with the cue, so a reviewer sees why) or the evidence base says the claim is true for this
population (then it is dismissed with the evidence as the reason).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from .checklist import Checklist, Entry
from .fingerprint import fingerprint
from .types import (
    ContextCue, Dismissed, DocType, EvidenceStatus, Finding, Hit, Mention, Section, Sentence, Signal,
    Span,
)

# Signals are facts the text states; only these categories switch a signal off.
SIGNAL_CONTEXT = ("negated", "hypothetical", "question")
GENERIC_INTERVENTION = "stem-cells-unspecified"
MODEL_NOT_IN_OFFER = ("model: the learned model raises claims only in a text that the cues and the "
                      "rules find offers a treatment (it cannot tell whose voice it reads)")


@dataclass(frozen=True)
class Stages:
    """The loaded collaborators the assembly needs (context engine, evidence base)."""

    context: object  # claimcheck.context.ContextEngine
    evidence: object  # claimcheck.evidence.EvidenceBase


def _span(text: str, start: int, end: int) -> Span:
    return Span(text[start:end], start, end)


def section_at(sections: tuple[Section, ...], offset: int) -> str | None:
    """The name of the section whose [start, end) holds offset (sections sorted, not overlapping)."""
    i = bisect_right([s.start for s in sections], offset) - 1
    if i >= 0 and sections[i].start <= offset < sections[i].end:
        return sections[i].name
    return None


def _active_cues(cues: tuple[ContextCue, ...], entry: Entry, doc_type: DocType,
                 informs: bool) -> tuple[ContextCue, ...]:
    ignore = set(entry.context_ignore)
    if entry.kind == "signal":
        ignore |= {c.category for c in cues} - set(SIGNAL_CONTEXT)
    elif doc_type.kind == "regulator-quote":
        # The authority reproduces the seller's marketing: quoting it is the point.
        ignore |= {"reported", "attributed"}
    elif informs:
        # An entry's exceptions are for seller copy (a testimonial is quoted speech by nature; an
        # animal study is the mismatch, not a hedge). A text that only informs gets full context.
        ignore = set()
    return tuple(c for c in cues if c.category not in ignore)


def _hit_cues(stages: Stages, sentences: tuple[Sentence, ...], hit: Hit) -> tuple[ContextCue, ...]:
    """Cues scoped over the hit's trigger; for a model hit, over any of its top words (a model
    spreads its reasons over the sentence, so a cue covering any of them counts)."""
    spans = [(hit.start, hit.end)]
    if hit.matcher == "model" and hit.model is not None:
        spans += [s for s in hit.model.term_spans if s != (hit.start, hit.end)]
    found: list[ContextCue] = []
    for start, end in spans:
        found += [c for c in stages.context.cues(sentences, hit.sentence.index, start, end)
                  if c not in found]
    return tuple(found)


def _pair_status(stages: Stages, sent_mentions, doc_mentions) -> EvidenceStatus | None:
    """What the evidence says about the product and condition this sentence is about."""

    def pick(kind):
        here = [m.id for m in sent_mentions if m.kind == kind]
        if here:
            return here[0]
        counts = Counter(m.id for m in doc_mentions if m.kind == kind)
        # A named product ("umbilical cord MSC") says more than the generic "stem cells".
        specific = [i for i, _ in counts.most_common() if i != GENERIC_INTERVENTION]
        return (specific or [i for i, _ in counts.most_common()] or [None])[0]

    intervention, condition = pick("intervention"), pick("condition")
    if intervention is None or condition is None:
        return None
    return stages.evidence.status(intervention, condition)


def assess_hits(
    text: str, source: str, sentences: tuple[Sentence, ...], hits: list[Hit],
    checklist: Checklist, doc_type: DocType, mentions: tuple[Mention, ...], stages: Stages,
    informs: bool = False, sections: tuple[Section, ...] = (),
) -> tuple[tuple[Finding, ...], tuple[Signal, ...], tuple[Dismissed, ...]]:
    """Claim findings, signals and dismissed hits; one finding per (flag, sentence).

    informs: the text's own cues say it informs (charity, news, abstract, forum) rather than
    sells; then entries' seller-copy exceptions to context do not apply.
    sections: the page regions of a web document; a finding names the one its sentence starts in.
    """
    entries = {e.id: e for e in checklist.entries}
    by_key: dict[tuple[str, int], list[Hit]] = {}
    for hit in hits:
        by_key.setdefault((hit.flag_id, hit.sentence.index), []).append(hit)

    mentions_by_sent: dict[int, tuple[Mention, ...]] = {}

    def sent_mentions(sent: Sentence) -> tuple[Mention, ...]:
        if sent.index not in mentions_by_sent:
            mentions_by_sent[sent.index] = tuple(
                m for m in mentions if m.start >= sent.start and m.end <= sent.end)
        return mentions_by_sent[sent.index]

    findings, signals, dismissed = [], [], []
    for (flag_id, _), group in by_key.items():
        entry = entries[flag_id]
        # Rule hits are tried before model hits (a rule's trigger explains itself); the model's
        # score is reported on the finding whichever of them survives.
        group.sort(key=lambda h: h.matcher == "model")
        model_score = next((h.model for h in group if h.model is not None), None)
        survivor, survivor_cues, first_block = None, (), None
        for hit in group:
            cues = _active_cues(_hit_cues(stages, sentences, hit), entry, doc_type, informs)
            if any(c.effect == "suppress" for c in cues):
                first_block = first_block or (hit, tuple(c for c in cues if c.effect == "suppress"))
                continue
            survivor, survivor_cues = hit, cues
            break
        sent = group[0].sentence
        evidence_span = _span(text, sent.start, sent.end)
        if survivor is None:
            hit, cues = first_block
            reason = "; ".join(f"{c.category} cue '{c.cue}'" for c in cues)
            dismissed.append(Dismissed(flag_id, evidence_span, _span(text, hit.start, hit.end),
                                       f"{flag_id}/{hit.rule_id}", cues, f"context: {reason}"))
            continue
        rule = f"{flag_id}/{survivor.rule_id}"
        trigger = _span(text, survivor.start, survivor.end)
        if entry.kind == "signal":
            signals.append(Signal(flag_id, entry.title, evidence_span, trigger, rule, model_score))
            continue
        status = None
        explanation = entry.explanation
        if entry.evidence_check:
            previous = sentences[sent.index - 1] if sent.index > 0 else None
            verdict = stages.evidence.check(entry.evidence_check, sent, sent_mentions(sent), mentions,
                                            trigger=(survivor.start, survivor.end), previous=previous)
            if not verdict.keep:
                dismissed.append(Dismissed(flag_id, evidence_span, trigger, rule, survivor_cues,
                                           f"evidence: {verdict.note}"))
                continue
            status = verdict.status
            if verdict.note:
                explanation = f"{explanation} {verdict.note}"
        else:
            status = _pair_status(stages, sent_mentions(sent), mentions)
        weight = 0.5 if any(c.effect == "downgrade" for c in survivor_cues) else 1.0
        findings.append(Finding(
            flag=flag_id, kind="claim", severity=entry.severity, title=entry.title,
            explanation=explanation, evidence=evidence_span, trigger=trigger, rule=rule,
            matcher=survivor.matcher, context=survivor_cues, evidence_status=status,
            sources=entry.sources, fingerprint=fingerprint(flag_id, source, sent.text), weight=weight,
            section=section_at(sections, sent.start) if sections else None,
            model=model_score,
        ))
    findings.sort(key=lambda f: (f.evidence.start, f.flag))
    signals.sort(key=lambda s: (s.evidence.start, s.signal))
    dismissed.sort(key=lambda d: (d.evidence.start, d.flag))
    return tuple(findings), tuple(signals), tuple(dismissed)


def model_claims_need_an_offer(findings: tuple[Finding, ...], dismissed: tuple[Dismissed, ...],
                                offer: bool) -> tuple[tuple[Finding, ...], tuple[Dismissed, ...]]:
    """In a text that does not offer a treatment by its cues and rule findings alone, claims only
    the model raised are dismissed: a bag of words cannot tell a charity's warning from a
    clinic's promise, so the model never decides that a text sells."""
    if offer:
        return findings, dismissed
    keep, moved = [], list(dismissed)
    for f in findings:
        if f.kind == "claim" and f.matcher == "model":
            moved.append(Dismissed(f.flag, f.evidence, f.trigger, f.rule, f.context, MODEL_NOT_IN_OFFER))
        else:
            keep.append(f)
    moved.sort(key=lambda d: (d.evidence.start, d.flag))
    return tuple(keep), tuple(moved)


def omissions(checklist: Checklist, signals: tuple[Signal, ...], doc_type: DocType,
              source: str) -> tuple[Finding, ...]:
    """Whole-document gaps: only for texts that offer or promote a treatment."""
    if not doc_type.offers_treatment:
        return ()
    present = {s.signal for s in signals}
    out = []
    for entry in checklist.of_kind("omission"):
        if present.intersection(entry.filled_by):
            continue
        out.append(Finding(
            flag=entry.id, kind="omission", severity=entry.severity, title=entry.title,
            explanation=entry.explanation, evidence=None, trigger=None, rule=f"{entry.id}/omission",
            matcher="omission", context=(), evidence_status=None, sources=entry.sources,
            fingerprint=fingerprint(entry.id, source, ""),
        ))
    return tuple(out)
