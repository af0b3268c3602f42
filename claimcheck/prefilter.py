"""Literal prefilter for regex rules: the sentences a rule could possibly match.

Python's `re` scans slowly with large case-insensitive alternations, and most rules match
nothing in most texts. From the parsed regex we derive a set of lower-case literals such
that every match contains at least one of them; a sentence that contains none is skipped
without running the regex. Rules whose literals cannot be derived are scanned in full.
"""
from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as C  # noqa: N812  (the sre opcodes)
from re import _compiler, _parser

MIN_LITERAL = 3  # shorter factors ("ms", "%") are too common to be worth the bookkeeping
RARE_CHARS = frozenset("@$€£¥")  # ...except single characters that are rare in prose


# Words so common that a rule keyed on them would run on nearly every sentence.
COMMON = frozenset("""the and for with that this are was were our you your can has have had from not
all any more been will its their who which also into than after other one may but out per
how who what when most some such them they these those there here then only just over""".split())


def _cost(candidate: frozenset[str]) -> float:
    """Expected share of sentences a literal set admits: common words and short literals cost more."""
    return sum(10.0 if lit.strip() in COMMON else 1.0 / max(len(lit) - 1, 1) for lit in candidate)


def _usable(literal: str) -> bool:
    return len(literal) >= MIN_LITERAL or literal in RARE_CHARS


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    strong = [c for c in candidates if all(map(_usable, c))]
    if not strong:
        return None
    return min(strong, key=lambda c: (_cost(c), len(c)))


def _seq_factors(items) -> frozenset[str] | None:
    """A set S such that every match of this sequence contains some string of S (or None)."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close_run():
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av).lower())
            continue
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            # zero-width: does not consume text, so a literal run may continue across it
            continue
        close_run()
        sub = None
        if op is C.IN and av and all(item_op is C.LITERAL for item_op, _ in av):
            sub = frozenset(chr(v).lower() for _, v in av)  # a class of literal characters
        elif op is C.SUBPATTERN:
            sub = _seq_factors(av[-1])
        elif op is C.BRANCH:
            parts = [_seq_factors(branch) for branch in av[1]]
            if all(p is not None for p in parts):
                sub = frozenset().union(*parts)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _seq_factors(av[2])
        elif op is C.ATOMIC_GROUP:
            sub = _seq_factors(av)
        if sub:
            candidates.append(sub)
    close_run()
    return _best(candidates) if candidates else None


def literal_factors(pattern: str) -> frozenset[str] | None:
    """Lower-case literals, one of which every match of `pattern` contains; None if unknown."""
    try:
        parsed = _parser.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    return _seq_factors(list(parsed))


def lower_same_length(text: str) -> str:
    """text.lower(), keeping offsets: characters whose lower case is longer stay as they are."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def lower_regex(pattern: str) -> str:
    """Lower-case a regex's literal characters, leaving escapes (\\S, \\W, \\B...) intact."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


@lru_cache(maxsize=None)
def compile_lowered(pattern: str, flags: int = 0) -> re.Pattern:
    """A case-insensitive pattern to run on lower_same_length() text, where Python's
    IGNORECASE scanning is about twice as slow. A returned pattern that still has the
    IGNORECASE flag (see runs_on_original) must be run on the original text instead: patterns
    with case-sensitive groups, and any that lower-casing breaks (e.g. \\N{NAME}).
    Raises re.error for an invalid pattern."""
    if "(?-i" in pattern:  # case-sensitive parts ("(?-i:MS)") need the original text
        return re.compile(pattern, flags | re.IGNORECASE)
    try:
        return re.compile(lower_regex(pattern), flags)
    except re.error:
        return re.compile(pattern, flags | re.IGNORECASE)  # re-raises a genuine error


def token_pattern_factors(pattern: list[dict]) -> frozenset[str] | None:
    """Literals for a spaCy token pattern: the LOWER/ORTH/TEXT values of a required token."""
    candidates = []
    for token in pattern:
        if token.get("OP") in ("?", "*", "!"):
            continue
        for attr in ("LOWER", "ORTH", "TEXT", "NORM"):
            value = token.get(attr)
            if isinstance(value, str):
                candidates.append(frozenset([value.lower()]))
            elif isinstance(value, dict) and isinstance(value.get("IN"), list) and value["IN"]:
                candidates.append(frozenset(str(v).lower() for v in value["IN"]))
    return _best(candidates) if candidates else None


@lru_cache(maxsize=None)
def compile_with_factors(pattern: str) -> tuple[re.Pattern, frozenset[str] | None]:
    """compile_lowered() plus literal_factors(), parsing the regex once (half the start-up
    cost of ~200 large rules). The compiled pattern's .pattern attribute is None."""
    if "(?-i" in pattern:
        return compile_lowered(pattern), literal_factors(pattern)
    try:
        parsed = _parser.parse(lower_regex(pattern), 0)
        factors = _seq_factors(list(parsed))
        return _compiler.compile(parsed, 0), factors
    except re.error:
        return compile_lowered(pattern), literal_factors(pattern)


def runs_on_original(pattern: re.Pattern) -> bool:
    """True for patterns compile_lowered kept case-aware: search them in the original text."""
    return bool(pattern.flags & re.IGNORECASE)
