"""Which words pushed a text towards a label: per-token contributions of a linear model.

A feature's contribution is its TF-IDF value in the text times the label's weight. It is shared
out evenly over the token occurrences that carry it: a word unigram over its token, a bigram
half to each of its two tokens, a character n-gram over the tokens that contain it. The columns
of each token come from the same hashing the model reads (features.py), so no vocabulary is
needed and the work is a few array operations per text.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import features


@dataclass(frozen=True)
class TokenWeight:
    start: int  # offsets in the explained text
    end: int
    text: str
    weight: float


def token_contributions(model, text: str, label_index: int, counts=None) -> list[TokenWeight]:
    """Every token of text with its contribution to label `label_index`, in text order.

    counts: the text's raw counts (1 x N_FEATURES) when the caller already has them.
    """
    toks = features.token_features(text)
    n = len(toks.words)
    if not n:
        return []
    if counts is None:
        counts = features.counts([text])
    x = model.features_from_counts(counts)
    contribution = np.zeros(features.N_FEATURES)
    contribution[x.indices] = x.data * model.coef_[label_index, x.indices]

    owner_parts = [np.arange(n), np.arange(n - 1), np.arange(1, n)]
    column_parts = [toks.unigram, toks.bigram, toks.bigram]
    share_parts = [np.ones(n), np.full(n - 1, 0.5), np.full(n - 1, 0.5)]
    chars = [features.char_columns(w) for w in toks.words]
    owner_parts.append(np.repeat(np.arange(n), [len(c) for c in chars]))
    column_parts.append(np.concatenate(chars))
    share_parts.append(np.ones(len(column_parts[-1])))
    owners = np.concatenate(owner_parts)
    columns = np.concatenate(column_parts)
    shares = np.concatenate(share_parts)
    carriers = np.bincount(columns, weights=shares, minlength=features.N_FEATURES)
    per_place = contribution[columns] * shares / np.where(carriers[columns] > 0, carriers[columns], 1)
    scores = np.bincount(owners, weights=per_place, minlength=n)
    return [TokenWeight(s, e, text[s:e], float(w)) for (s, e), w in zip(toks.spans, scores)]


def top_words(model, x, words: list[str], columns: np.ndarray, label_index: int, k: int = 5,
              sign: float = 1.0) -> list[str]:
    """The k distinct words whose unigram features pushed hardest towards (sign=1) or away from
    (sign=-1) the label, given the text's TF-IDF row x (sorted indices) and its distinct words
    with their columns: a cheap, page-level explanation (no sharing out, no n-gram breakdown)."""
    if not words or not len(x.indices):
        return []
    at = np.minimum(np.searchsorted(x.indices, columns), len(x.indices) - 1)
    value = np.where(x.indices[at] == columns, x.data[at], 0.0)
    score = sign * value * model.coef_[label_index, columns]
    return [words[i] for i in np.argsort(-score, kind="stable")[:k] if score[i] > 0]


def top_terms(contributions: list[TokenWeight], k: int = 5) -> list[TokenWeight]:
    """The k tokens that pushed hardest towards the label (positive contributions only)."""
    positive = [c for c in contributions if c.weight > 0]
    return sorted(positive, key=lambda c: -c.weight)[:k]
