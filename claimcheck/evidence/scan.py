"""Finding conditions and interventions in text: the term hierarchy, one compiled scanner, and
the regex macros checklist patterns use."""
from __future__ import annotations

import re

from ..types import Mention
from .records import Term


def bounded(synonyms) -> str:
    """One alternation that only matches whole words."""
    return r"(?<!\w)(?:" + "|".join(synonyms) + r")(?!\w)"


def first_chars(synonym: str) -> frozenset[str] | None:
    """Lower-case characters a synonym can start with, or None if it could start with anything.

    Lets the scanner try a synonym only where the text starts with one of them (a 4x speed-up
    over one flat alternation). Uses the stdlib regex parser; any surprise means "anything".
    """
    try:
        from re import _constants as c, _parser as parser

        repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

        def seq(items):
            out = set()
            for op, av in items:
                if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                    continue
                chars, empty = item(op, av)
                if chars is None:
                    return None, False
                out |= chars
                if not empty:
                    return out, False
            return out, True

        def item(op, av):
            if op is c.LITERAL:
                return {chr(av).lower()}, False
            if op is c.IN:
                out = set()
                for o, a in av:
                    if o is c.LITERAL:
                        out.add(chr(a).lower())
                    elif o is c.RANGE and a[1] - a[0] < 64:
                        out |= {chr(x).lower() for x in range(a[0], a[1] + 1)}
                    else:
                        return None, False
                return out, False
            if op is c.SUBPATTERN:
                return seq(av[-1])
            if op is c.BRANCH:
                out, empty = set(), False
                for branch in av[1]:
                    chars, e = seq(branch)
                    if chars is None:
                        return None, False
                    out, empty = out | chars, empty or e
                return out, empty
            if op in repeats:
                chars, empty = seq(av[2])
                return chars, (empty or av[0] == 0) if chars is not None else False
            return None, False

        chars, empty = seq(parser.parse(synonym))
        return None if chars is None or empty else frozenset(chars)
    except Exception:  # noqa: BLE001 - an optimisation only; fall back to "anything"
        return None


class Lexicon:
    """One kind of term (conditions or interventions): ids, hierarchy, per-id patterns."""

    def __init__(self, kind: str, terms: dict[str, Term]):
        self.kind = kind
        self.terms = terms
        self.depth = {t: len(self.chain(t)) for t in terms}
        self.by_id = {t.id: re.compile(bounded(t.synonyms), re.I) for t in terms.values()}

    def chain(self, term_id: str) -> list[str]:
        """The id and its ancestors, most specific first."""
        out = []
        while term_id is not None and term_id in self.terms:
            out.append(term_id)
            term_id = self.terms[term_id].parent
        return out

    def family(self, term_id: str) -> str:
        chain = self.chain(term_id)
        return chain[-1] if chain else term_id

    def descendants(self, term_id: str) -> list[str]:
        return [t for t in self.terms if term_id in self.chain(t)]


class Scanner:
    """Finds conditions and interventions with one compiled alternation, bucketed by first
    character; at each hit the longest (then most specific) term of each kind wins."""

    def __init__(self, *lexicons: Lexicon):
        buckets: dict[str, list[str]] = {}
        anywhere: list[str] = []
        self.candidates: dict[str, list[tuple[Lexicon, str]]] = {}
        self.fallback: list[tuple[Lexicon, str]] = []
        for lex in lexicons:
            for term in lex.terms.values():
                starts = set()
                for syn in term.synonyms:
                    chars = first_chars(syn)
                    if chars is None:
                        anywhere.append(syn)
                        starts = None
                    elif starts is not None:
                        starts |= chars
                    for ch in chars or ():
                        buckets.setdefault(ch, []).append(syn)
                if starts is None:
                    self.fallback.append((lex, term.id))
                else:
                    for ch in starts:
                        self.candidates.setdefault(ch, []).append((lex, term.id))
        alts = [f"(?={re.escape(ch)})(?:{'|'.join(syns)})" for ch, syns in sorted(buckets.items())]
        alts += [f"(?:{syn})" for syn in anywhere]
        self.scan = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.I)

    def find(self, text: str, offset: int) -> list[Mention]:
        out, pos = [], 0
        while (m := self.scan.search(text, pos)) is not None:
            start = m.start()
            best: dict[str, tuple[tuple[int, int], str]] = {}
            for lex, term_id in self.candidates.get(text[start].lower(), []) + self.fallback:
                hit = lex.by_id[term_id].match(text, start)
                if hit is not None and hit.end() > start:
                    key = (hit.end(), lex.depth[term_id])
                    if lex.kind not in best or key > best[lex.kind][0]:
                        best[lex.kind] = (key, term_id)
            if not best:  # cannot happen with consistent patterns; never loop forever
                pos = max(m.end(), start + 1)
                continue
            for kind, ((end, _), term_id) in best.items():
                out.append(Mention(kind, term_id, text[start:end], offset + start, offset + end))
            pos = max(end for (end, _), _ in best.values())
        return out


def macros(conditions: Lexicon, interventions: Lexicon) -> dict[str, str]:
    """Regex alternations for checklist patterns; a per-id macro also matches its subtypes."""
    out = {}
    for name, lex in (("condition", conditions), ("intervention", interventions)):
        out[name] = bounded(s for t in lex.terms.values() for s in t.synonyms)
        for tid in lex.terms:
            syns = [s for sub in lex.descendants(tid) for s in lex.terms[sub].synonyms]
            out[f"{name}_{tid.replace('-', '_')}"] = bounded(syns)
    out["stemcell_product"] = bounded(
        s for t in interventions.terms.values() if t.clinic_product for s in t.synonyms)
    return out
