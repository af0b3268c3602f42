"""Sentence segmentation for marketing copy: bullets, headings, wrapped lines, abbreviations.

Pure regex + a line pass (no spaCy): it is several times faster than spaCy's tokenizer +
sentencizer and handles what marketing pages look like. Two steps:

1. Lines are grouped into *units*. A unit ends at a blank line, before a bullet line, after a
   line ending in terminal punctuation or ':', and before a line that starts a new heading-like
   line. A single newline is kept inside a unit (wrapped prose) when the line does not end a
   sentence and the next line starts lowercase, or the line ends in ',', ';', '-', '&', '/', '('
   or a function word ("with", "and", "the", ...), or in a non-terminal abbreviation ("Dr.").
   A bullet marker at line start ("•", "-", "*", "·", "▪", "1.", "1)", "(1)", ...) is left out.
2. Each unit is split after '.', '?', '!', '…' (plus closing quotes/brackets/footnote "[1]")
   when followed by whitespace, unless the '.' ends an abbreviation ("Dr.", "e.g.", "et al.",
   "No." before a number, initials such as "Neil H.") or the next word starts lowercase.

Guarantee: sentences are in order, non-overlapping, non-empty, stripped (str.strip), and
text[start:end] == sentence.text; every non-whitespace character of the input is inside a
sentence except the bullet markers at the start of a line (BULLET_RE).
"""
from __future__ import annotations

import re
from functools import cache

from .types import Sentence

# A line break as str.splitlines() sees it.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"\w+")
# Bullet marker at the start of a (stripped) line, with the whitespace after it. Symbol bullets
# may touch the text ("•pain"); ASCII-ish ones and numbers need whitespace after them.
BULLET_RE = re.compile(
    r"(?:[•·▪▫◦‣●○■□►▸▹➢➤➔→✓✔✗✘❖◆◇⁃∙]"
    r"|[-*+–—](?=\s|$)"
    r"|\(?\d{1,3}[.)](?=\s|$))\s*"
)
# Terminal punctuation, then closing quotes/brackets and an optional footnote, then a space.
_BOUNDARY = re.compile(r"([.?!…‽]+)([\"'”’»)\]}]*(?:\[\d{1,3}\])?)(?=\s|$)")
_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"

_TITLES = frozenset("Dr Mr Mrs Ms Mx Prof St Mt Jr Sr Rev Gen Col Capt Sgt Fig Figs Vol".split())
_ABBREV_ANY_CASE = frozenset("e.g i.e vs approx cf incl esp ca".split())
# Abbreviations only when a number follows ("No. 5", "Jan. 12, 2024", "p. 31").
_NUMBER_ABBREV = frozenset(
    "No no Nos nos Ref ref p pp Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
# "the U.S. Food and Drug Administration" is one sentence; "in the U.S. Patients ..." is two.
_COUNTRY_ABBREV = frozenset(("U.S", "U.K", "U.S.A"))
_AFTER_COUNTRY = frozenset(
    "Food FDA Department Dept National Centers Federal Government Congress Senate Patent "
    "Supreme Army Navy Air Health".split()
)
_CONTINUATION_WORDS = frozenset(
    """a an the and or nor but of to in on at by for from with without into onto than as
    that which who whose whom our your their its his her my is are was were be been being
    has have had including such like via per plus versus vs over under between about""".split()
)
_CONTINUATION_CHARS = ",;-–—&/(+"


class Segmenter:
    """Splits document text into Sentence spans; stateless, so one instance can be shared."""

    def __init__(self):
        pass

    def split(self, text: str) -> tuple[Sentence, ...]:
        """Sentences of `text` as offsets into it (see the module docstring for the rules)."""
        out: list[Sentence] = []
        for start, end in _units(text):
            for s, e in _split_unit(text, start, end):
                out.append(Sentence(len(out), s, e, text[s:e]))
        return tuple(out)


@cache
def _default() -> Segmenter:
    return Segmenter()


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` with a shared default Segmenter."""
    return _default().split(text)


def _lines(text: str):
    """(content_start, content_end, has_bullet) per line; content is stripped, marker removed."""
    pos = 0
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    breaks.append((len(text), len(text)))
    for br_start, br_end in breaks:
        s, e = pos, br_start
        pos = br_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s == e:
            yield s, e, False
            continue
        m = BULLET_RE.match(text, s, e)
        if m:
            yield m.end(), e, True
        else:
            yield s, e, False


def _units(text: str):
    """Spans of text between hard boundaries (blank lines, bullets, headings, line-final stops)."""
    cur_start = cur_end = -1
    for s, e, bullet in _lines(text):
        if s == e:  # blank line, or a bullet marker alone on its line
            if cur_start >= 0:
                yield cur_start, cur_end
            cur_start = -1
            continue
        if cur_start >= 0 and not bullet and _joins(text, cur_start, cur_end, s):
            cur_end = e
            continue
        if cur_start >= 0:
            yield cur_start, cur_end
        cur_start, cur_end = s, e
    if cur_start >= 0:
        yield cur_start, cur_end


def _joins(text: str, lo: int, prev_end: int, nxt: int) -> bool:
    """Does the line ending at prev_end continue onto the line starting at nxt?"""
    last = text[prev_end - 1]
    if last == ":":
        return False
    j = prev_end
    while j > lo and text[j - 1] in _CLOSERS:
        j -= 1
    if j > lo and text[j - 1] in ".?!…‽":
        return text[j - 1] == "." and _is_abbreviation(text, lo, j - 1, nxt, len(text))
    if text[nxt].islower() or last in _CONTINUATION_CHARS:
        return True
    w = prev_end
    while w > lo and text[w - 1].isalpha():
        w -= 1
    return text[w:prev_end].lower() in _CONTINUATION_WORDS


def _split_unit(text: str, lo: int, hi: int):
    """Sentence spans (stripped, non-empty) inside text[lo:hi]."""
    start = lo
    for m in _BOUNDARY.finditer(text, lo, hi):
        end = m.end()
        nm = _NON_SPACE.search(text, end, hi)
        if nm is None:
            break  # the rest of the unit is one sentence
        nxt = nm.start()
        punct = m.group(1)
        if any(c in punct for c in "?!‽"):
            if m.group(2) and text[nxt].islower():
                continue  # a quoted question inside a sentence: 'asked "is it safe?" before'
        else:
            if text[nxt].islower():
                continue
            if punct == "." and _is_abbreviation(text, max(lo, start), m.start(), nxt, hi):
                continue
        yield start, end
        start = nxt
    if start < hi:
        e = hi
        while e > start and text[e - 1].isspace():
            e -= 1
        if e > start:
            yield start, e


def _is_abbreviation(text: str, lo: int, dot: int, nxt: int, hi: int) -> bool:
    """Is the '.' at `dot` the end of an abbreviation rather than of a sentence?"""
    w = dot
    while w > lo and not text[w - 1].isspace():
        w -= 1
    while w < dot and text[w] in _OPENERS:
        w += 1
    word = text[w:dot]
    if not word:
        return False
    if word in _TITLES or word.lower() in _ABBREV_ANY_CASE:
        return True
    if word in _NUMBER_ABBREV:
        return nxt < hi and (text[nxt].isdigit() or text[nxt] == "#")
    if word in _COUNTRY_ABBREV:
        m = _WORD.match(text, nxt, hi)
        return m is not None and m.group() in _AFTER_COUNTRY
    prev = _previous_word(text, lo, w)
    if word == "al":
        return prev == "et"
    if len(word) == 1 and word.isupper():
        # An initial ("Neil H. Riordan", "Dr. J. Smith"), not "Phase I." or "hepatitis C."
        if prev.rstrip(".") in _TITLES or (len(prev) == 2 and prev[0].isupper() and prev[1] == "."):
            return True
        return word not in "IVX" and prev[:1].isupper() and prev.isalpha()
    return False


def _previous_word(text: str, lo: int, w: int) -> str:
    e = w
    while e > lo and text[e - 1].isspace():
        e -= 1
    s = e
    while s > lo and not text[s - 1].isspace():
        s -= 1
    return text[s:e]
