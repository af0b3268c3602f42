"""What a sentence or text is about: the interventions and conditions it names, which ones
dominate, and which wording cues it uses."""
from __future__ import annotations

from collections import Counter

from ..types import Sentence
from .data import Data
from .records import GENERIC, UNKNOWN

GENERIC_WEIGHT = 0.5  # "stem cells" counts half when deciding what a text is about


def ids(mentions, kind) -> list[str]:
    """Ids of one kind, in order of first mention."""
    return list(dict.fromkeys(m.id for m in mentions if m.kind == kind))


def outside_sentence(mentions, sentence: Sentence):
    """The mentions in the rest of the text."""
    return [m for m in mentions if m.end <= sentence.start or m.start >= sentence.end]


def intervention_weights(mentions) -> Counter:
    """How much each intervention is talked about (generic "stem cells" counts half)."""
    weights = Counter()
    for m in mentions:
        if m.kind == "intervention":
            weights[m.id] += GENERIC_WEIGHT if m.id == GENERIC else 1.0
    return weights


def dominant_intervention(mentions) -> str | None:
    """The most talked-about intervention (first named wins ties)."""
    weights = intervention_weights(mentions)
    if not weights:
        return None
    order = ids(mentions, "intervention")
    return max(order, key=lambda i: (weights[i], -order.index(i)))


def dominant_condition(d: Data, mentions) -> str | None:
    """The most named condition within the most named condition family."""
    lex = d.conditions
    conds = [m.id for m in mentions if m.kind == "condition"]
    if not conds:
        return None
    fams = Counter(lex.family(c) for c in conds)
    first = {}
    for n, c in enumerate(conds):
        first.setdefault(lex.family(c), n)
    fam = max(fams, key=lambda f: (fams[f], -first[f]))
    counts = Counter(c for c in conds if lex.family(c) == fam)
    return max(counts, key=lambda c: (counts[c], lex.depth[c], -conds.index(c)))


def interventions_for(sent_mentions, doc_mentions, focus: int | None = None
                      ) -> list[str]:
    """The interventions a sentence is judged on, falling back to what the text offers."""
    here = ids(sent_mentions, "intervention")
    specific = [m for m in sent_mentions if m.kind == "intervention" and m.id != GENERIC]
    if len({m.id for m in specific}) > 1 and focus is not None:
        # Several therapies in one sentence: judge the one named nearest the claim.
        nearest = min(specific, key=lambda m: max(m.start - focus, focus - m.end, 0))
        return [nearest.id]
    if specific:
        return list(dict.fromkeys(m.id for m in specific))
    dominant = dominant_intervention(doc_mentions)
    if here:  # only "stem cells": the product the text is about, if it names one
        return [dominant] if dominant and dominant != GENERIC else [GENERIC]
    return [dominant or GENERIC]


def conditions_for(d: Data, sent_mentions, doc_mentions) -> list[str]:
    """The conditions a sentence is judged on, falling back to what the text is about."""
    here = ids(sent_mentions, "condition")
    if here:
        return here
    dominant = dominant_condition(d, doc_mentions)
    return [dominant] if dominant else [UNKNOWN]


def find_cue(d: Data, name: str, text: str) -> str | None:
    """The words matching one of the status.yaml cues, or None."""
    m = d.cues[name].search(text)
    return m.group(0) if m else None
