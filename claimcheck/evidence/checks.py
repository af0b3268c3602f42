"""The three evidence-driven checks: does a flagged sentence really overstate the evidence?

investigational-as-established and overbroad-indication live here; evidence-mismatch, the
largest, has its own module.
"""
from __future__ import annotations

from ..errors import DataError
from ..types import Mention, Sentence
from .data import Data
from .mismatch import check_mismatch
from .records import RANK, UNKNOWN, Entry, EvidenceVerdict
from .status import describe, established_note, lists, name, pair_status, resolve
from .topic import conditions_for, find_cue, ids, interventions_for

CHECKS = ("investigational-as-established", "evidence-mismatch", "overbroad-indication")
_MIN_FAMILIES = 4  # unrelated condition families that make one product's offer overbroad
_SENTENCE_FAMILIES = 3  # ... named together in one sentence


def run(d: Data, check: str, sentence: Sentence, sentence_mentions: tuple[Mention, ...],
        doc_mentions: tuple[Mention, ...],
        trigger: tuple[int, int] | None = None,
        previous: Sentence | None = None) -> EvidenceVerdict:
    """Decide whether an evidence-driven flag holds for this sentence.

    trigger: optional absolute offsets of the words that fired the rule; when a sentence names
    several therapies, the one nearest the claim is judged. previous: the sentence before,
    whose evidence a back-referring sentence ("based on this research...") carries over.
    """
    if check == "investigational-as-established":
        return _check_established(d, sentence, sentence_mentions, doc_mentions, trigger)
    if check == "evidence-mismatch":
        return check_mismatch(d, sentence, sentence_mentions, doc_mentions, previous)
    if check == "overbroad-indication":
        return _check_overbroad(d, sentence, sentence_mentions, doc_mentions)
    raise DataError(f"unknown evidence check '{check}' (known: {', '.join(CHECKS)})")


def _narrow_ok(entry: Entry, text: str, cond_ids) -> bool:
    """An established-but-narrow pair holds only if the text names the narrow population."""
    if entry.require_cues is None:
        return True
    return bool(entry.require_cues.search(text) or entry.require_conditions & set(cond_ids))


def _pairs(d: Data, ints, conds):
    """(entry, status) for every intervention x condition pair."""
    return [(resolve(d, i, c), pair_status(d, i, c)) for i in ints for c in conds]


def _check_established(d: Data, sentence, sent_mentions, doc_mentions,
                       trigger) -> EvidenceVerdict:
    """Kept when a sentence presents an unproven (or narrowly proven) use as established."""
    text = sentence.text
    focus = trigger[0] if trigger else None
    if focus is None and (claim := d.cues["claim"].search(text)):
        focus = sentence.start + claim.start()
    ints = interventions_for(sent_mentions, doc_mentions, focus)
    conds = conditions_for(d, sent_mentions, doc_mentions)
    cond_ids = set(ids(doc_mentions, "condition")) | set(conds)
    widening = find_cue(d, "widening", text)
    problems, unknown, fine = [], [], []
    for entry, st in _pairs(d, ints, conds):
        if st.level == "established":
            if widening:
                problems.append((3, st, f"{lists(d, st)} only for {st.population}; "
                                        f"'{widening}' claims more. {st.summary}"))
            elif not _narrow_ok(entry, text, cond_ids):
                problems.append((3, st, f"{lists(d, st)} only for {st.population}, and "
                                        f"the sentence does not say so. {st.summary}"))
            else:
                fine.append(st)
        elif st.level == UNKNOWN:
            unknown.append(st)
        else:
            problems.append((RANK[st.level], st, describe(d, st)))
    if problems:
        _, st, note = min(problems, key=lambda p: p[0])
        return EvidenceVerdict(True, st, note)
    if unknown and not fine:
        st = unknown[0]
        return EvidenceVerdict(False, st, f"Not judged: {st.summary}")
    return EvidenceVerdict(False, fine[0], established_note(d, fine[0]))


def _check_overbroad(d: Data, sentence, sent_mentions, doc_mentions) -> EvidenceVerdict:
    """Kept when one product is offered beyond the conditions or patients it is proven for."""
    text = sentence.text
    lexc, lexi = d.conditions, d.interventions
    ints = interventions_for(sent_mentions, doc_mentions)
    conds = conditions_for(d, sent_mentions, doc_mentions)
    pairs = _pairs(d, ints, conds)
    open_pairs = [st for entry, st in pairs if not (
        st.level == "established" and entry is not None and entry.require_cues is None)]
    weakest = min(open_pairs or [st for _, st in pairs], key=lambda st: RANK[st.level])
    doc_fams = list(dict.fromkeys(lexc.family(c) for c in ids(doc_mentions, "condition")))
    products = [i for i in ids(doc_mentions, "intervention")
                if lexi.terms[i].clinic_product]
    sent_fams = list(dict.fromkeys(
        lexc.family(c) for c in ids(sent_mentions, "condition")))

    def names(fams):
        return ", ".join(name(d, f) for f in fams)

    if len(doc_fams) >= _MIN_FAMILIES and products:
        return EvidenceVerdict(True, weakest, (
            f"The text offers {name(d, products[0])} for {len(doc_fams)} unrelated "
            f"conditions ({names(doc_fams)}); no cell product is established for such a "
            f"range, and the same cells offered for many diseases is a warning sign "
            f"(isscr-patient-handbook). {weakest.summary}"))
    if len(sent_fams) >= _SENTENCE_FAMILIES and open_pairs:
        return EvidenceVerdict(True, weakest, (
            f"One therapy is offered for {len(sent_fams)} unrelated conditions "
            f"({names(sent_fams)}). {describe(d, weakest)}"))
    if not open_pairs:
        return EvidenceVerdict(False, weakest, established_note(d, weakest))
    cue = find_cue(d, "many_conditions", text) or find_cue(d, "widening", text)
    if weakest.level == "established":  # established for a narrow group only
        beyond = f"; '{cue}' goes beyond that" if cue else ""
        return EvidenceVerdict(True, weakest, (
            f"{lists(d, weakest)} only for {weakest.population}{beyond}. "
            f"{weakest.summary}"))
    scope = f" ('{cue}')" if cue else ""
    return EvidenceVerdict(True, weakest, (
        f"The claim{scope} covers conditions or patients for whom it is not established. "
        f"{describe(d, weakest)}"))
