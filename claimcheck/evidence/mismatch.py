"""The evidence-mismatch check: real evidence cited for something it does not cover (another
product, another population, animal work, or a study that did not show benefit)."""
from __future__ import annotations

from collections import Counter

from .data import Data
from .records import GENERIC, UNKNOWN, Anchor, EvidenceVerdict
from .status import describe, lists, name, pair_status
from .topic import (GENERIC_WEIGHT, dominant_condition, dominant_intervention, find_cue, ids,
                    intervention_weights, outside_sentence)


def cited_anchors(d: Data, text: str) -> list[Anchor]:
    """The named studies, registries or approvals the text refers to."""
    if d.anchor_scan is None or not d.anchor_scan.search(text):
        return []
    return [a for a in d.anchors if a.pattern.search(text)]


def same_product(d: Data, a: str, b: str) -> bool:
    """Whether one intervention is the other or a subtype of it."""
    lex = d.interventions
    return a in lex.chain(b) or b in lex.chain(a)


def check_mismatch(d: Data, sentence, sent_mentions, doc_mentions,
                   previous=None) -> EvidenceVerdict:
    """Kept when the evidence a sentence offers does not support what the text sells.

    A sentence that names no evidence but refers back to it ("based on this research, we give
    our patients the same cells") is judged with the evidence of the sentence before it.
    """
    lexc = d.conditions
    text = sentence.text
    anchors = cited_anchors(d, text)
    if not anchors and previous is not None and find_cue(d, "back_reference", text):
        text = f"{previous.text} {text}"
        anchors = cited_anchors(d, text)
    clinical = [a for a in anchors if a.kind != "preclinical"]
    here_ints = [i for i in ids(sent_mentions, "intervention") if i != GENERIC]
    here_conds = ids(sent_mentions, "condition")
    outside = outside_sentence(doc_mentions, sentence)
    reasons, product, target = [], None, None

    if len(clinical) < len(anchors) and not find_cue(d, "preclinical_caveat", text):
        reasons.append("It offers animal or laboratory research as evidence; such studies do "
                       "not show that a treatment works or is safe in people.")
    # An established use (blood stem cell transplants for leukaemia) borrowed for another.
    if not clinical:
        product, target, why = _borrowed_track_record(d, sent_mentions)
        if why:
            reasons.append(why)
    # Evidence about one therapy used for another.
    ev_ints = [i for a in clinical for i in a.interventions] or ([] if anchors else here_ints)
    if ev_ints and not reasons:
        product, why = _product_gap(d, ev_ints, here_ints, bool(clinical), outside)
        if why:
            reasons.append(why)
    # Evidence about one population used for another (RRMS results sold for progressive MS).
    if clinical:
        ev_conds = [a.condition for a in clinical if a.condition]
    else:  # a subtype with named evidence (RRMS), used in a text about another subtype
        with_evidence = {a.condition for a in d.anchors}
        ev_conds = [c for c in here_conds
                    if lexc.terms[c].parent is not None and c in with_evidence]
    for cond in ev_conds:
        others = [c for c in here_conds if c not in lexc.chain(cond)
                  and cond not in lexc.chain(c)]
        if others:
            target = others[0]
            reasons.append(f"That evidence is for {name(d, cond)}, not {name(d, target)}.")
            break
        why, target = _population_gap(d, cond, outside)
        if why:
            reasons.append(why)
            break
    # A negative or early-phase study presented as proof of benefit.
    spun = find_cue(d, "positive_outcome", text) and not find_cue(d, "negative_outcome", text)
    for a in clinical:
        if spun and a.result == "negative":
            reasons.append(f"The cited study did not show benefit: {a.summary}")
        elif spun and a.result == "early":
            reasons.append(f"The cited study is early-phase and does not prove benefit: "
                           f"{a.summary}")

    product = product or dominant_intervention(outside) or (
        here_ints[0] if here_ints else GENERIC)
    target = target or (here_conds[0] if here_conds else None) \
        or dominant_condition(d, doc_mentions) or UNKNOWN
    status = pair_status(d, product, target)
    said = " ".join(dict.fromkeys(a.summary for a in clinical))
    if reasons:
        parts = list(dict.fromkeys(reasons))
        if said and not any(said in r for r in parts):
            parts.append(said)
        if status.summary not in " ".join(parts) and (product not in ev_ints or not clinical):
            parts.append(describe(d, status))
        return EvidenceVerdict(True, status, " ".join(parts))
    if not anchors and not ev_ints:
        return EvidenceVerdict(False, None, "No named evidence to compare with the offer.")
    if not clinical and not ev_ints:
        return EvidenceVerdict(False, status, "It cites animal or laboratory research and "
                                              "says that it is not yet shown in people.")
    if not clinical:
        return EvidenceVerdict(False, status, f"The evidence it refers to concerns "
                                              f"{name(d, ev_ints[0])}, which is what the "
                                              f"text describes.")
    return EvidenceVerdict(False, status,
                           f"The cited evidence matches what the text describes. {said}".strip())


def _borrowed_track_record(d: Data, sent_mentions):
    """A sentence pairing an established use with a product or condition it does not cover:
    (product, condition, reason) or Nones."""
    lexc = d.conditions
    ints = ids(sent_mentions, "intervention")
    conds = ids(sent_mentions, "condition")
    for i in ints:
        for c in conds:
            if pair_status(d, i, c).level != "established":
                continue
            other_conds = [x for x in conds if lexc.family(x) != lexc.family(c)]
            other_ints = [x for x in ints if x != GENERIC
                          and pair_status(d, x, c).level != "established"]
            if not (other_conds or other_ints):
                continue
            product = other_ints[0] if other_ints else i
            target = other_conds[0] if other_conds else c
            return product, target, (
                f"{lists(d, pair_status(d, i, c))}; that track record says nothing about "
                f"{name(d, product)} for {name(d, target)}.")
    return None, None, None


def _product_gap(d: Data, ev_ints, here_ints, named, outside) -> tuple[str | None, str | None]:
    """Which offered product the evidence is wrongly used for, and why (or None, None)."""
    lexi = d.interventions

    def same(i):
        return any(same_product(d, i, e) for e in ev_ints)

    ev_name = name(d, ev_ints[0])
    if named:  # the sentence names a trial: does it tie it to another product?
        others = [i for i in here_ints if not same(i)]
        if others:
            return others[0], (f"The evidence cited is about {ev_name}, but the sentence "
                               f"applies it to {name(d, others[0])}.")
        if any(same(i) for i in here_ints):
            return None, None
    offered = dominant_intervention(outside)
    if offered is None or same(offered):
        return None, None
    if offered == GENERIC and all(lexi.terms[e].clinic_product for e in ev_ints):
        return None, None  # "stem cells" may well be that product
    weights = intervention_weights(outside)
    ev_weight = sum(w for i, w in weights.items() if same(i))
    if ev_weight and ev_weight >= GENERIC_WEIGHT * weights[offered]:
        return None, None  # the text discusses both therapies, not one sold on the other
    return offered, (f"The evidence cited is about {ev_name}, but the text offers "
                     f"{name(d, offered)}.")


def _population_gap(d: Data, cond: str, mentions) -> tuple[str | None, str | None]:
    """Whether the rest of the text is about a different population than the evidence."""
    lex = d.conditions
    conds = [m.id for m in mentions if m.kind == "condition"]
    if not conds:
        return None, None
    fam = lex.family(cond)
    dominant = dominant_condition(d, mentions)
    if lex.family(dominant) != fam:
        return (f"That evidence is for {name(d, cond)}, but the text is about "
                f"{name(d, dominant)}.", dominant)
    inside = sum(1 for c in conds if cond in lex.chain(c))
    other = [c for c in conds if lex.family(c) == fam and c not in lex.chain(cond)
             and cond not in lex.chain(c)]
    if other and len(other) >= inside:
        target = Counter(other).most_common(1)[0][0]
        return (f"That evidence is for {name(d, cond)}, but the text offers treatment for "
                f"{name(d, target)}.", target)
    return None, None
