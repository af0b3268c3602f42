"""Which words pushed a text towards a label: per-token contributions of a linear model.

A feature's contribution is its TF-IDF value times the label's weight. Word n-gram features
are shared out over the tokens they span; character n-grams (char_wb, inside words) over the
tokens that contain them. The result is a score per token of the text, so a finding can quote
the words that made the model fire, with their offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(r"\w[\w'-]*")


@dataclass(frozen=True)
class TokenWeight:
    start: int  # offsets in the explained text
    end: int
    text: str
    weight: float


def token_contributions(model, text: str, label_index: int) -> list[TokenWeight]:
    """Every token of text with its contribution to label `label_index`, in text order.

    Each feature's contribution (value x weight) is split evenly over the places it occurs:
    a word n-gram over its n tokens, a character n-gram over the tokens that contain it.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    if not tokens:
        return []
    low = [t[2].lower() for t in tokens]
    scores = np.zeros(len(tokens))
    offset = 0
    for name, vec in model.vectorizer_.transformer_list:
        row = vec.transform([text])
        width = len(vec.vocabulary_)
        weights = model.coef_[label_index, offset:offset + width]
        offset += width
        contrib = {int(c): float(v) * float(weights[c]) for c, v in zip(row.indices, row.data)}
        if not contrib:
            continue
        places = list(_word_places(vec, low) if name == "word" else _char_places(vec, low))
        counts: dict[int, int] = {}
        for col, owners in places:
            if col in contrib:
                counts[col] = counts.get(col, 0) + 1
        for col, owners in places:
            if col in contrib:
                share = contrib[col] / counts[col] / len(owners)
                for i in owners:
                    scores[i] += share
    return [TokenWeight(s, e, t, float(w)) for (s, e, t), w in zip(tokens, scores)]


def _word_places(vec, low: list[str]):
    """(feature column, token indices) for every word n-gram occurrence in the tokens."""
    vocab = vec.vocabulary_
    lo, hi = vec.ngram_range
    for n in range(lo, hi + 1):
        for i in range(len(low) - n + 1):
            col = vocab.get(" ".join(low[i:i + n]))
            if col is not None:
                yield col, range(i, i + n)


def _char_places(vec, low: list[str]):
    """(feature column, (token index,)) for every char n-gram of every token (char_wb)."""
    vocab = vec.vocabulary_
    analyse = vec.build_analyzer()
    grams_of: dict[str, list[int]] = {}
    for i, tok in enumerate(low):
        grams = grams_of.get(tok)
        if grams is None:
            grams = grams_of[tok] = [c for c in (vocab.get(g) for g in set(analyse(tok))) if c is not None]
        for col in grams:
            yield col, (i,)


def top_terms(contributions: list[TokenWeight], k: int = 5) -> list[TokenWeight]:
    """The k tokens that pushed hardest towards the label (positive contributions only)."""
    positive = [c for c in contributions if c.weight > 0]
    return sorted(positive, key=lambda c: -c.weight)[:k]
