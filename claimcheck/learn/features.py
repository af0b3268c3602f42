"""Hashed n-gram features, fast enough to run on every sentence of every page.

Word 1-2-grams and character 3-4-grams inside each word (padded with spaces, like
scikit-learn's char_wb) are hashed (crc32) into fixed columns, so a model file holds no
vocabulary. A page's tokens repeat (within it and across pages), so each token's columns are
computed once and cached; counting a page is then a few list operations and one sparse build.
scikit-learn's HashingVectorizer does the same work in its Python analyzer per text, about five
times slower on clinic pages, which would have broken the auditor's time budget.

TF-IDF (smooth idf, sublinear tf, L2 per space) is fitted and applied on the CSR arrays here.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

WORD_FEATURES = 2 ** 16
CHAR_FEATURES = 2 ** 17
N_FEATURES = WORD_FEATURES + CHAR_FEATURES  # word columns first, then char columns
CHAR_NGRAMS = (3, 4)
TOKEN = re.compile(r"\w[\w'-]*")
_CACHE_LIMIT = 200_000


def _col(s: str, n: int) -> int:
    return zlib.crc32(s.encode("utf-8")) % n


_word_cache: dict[str, int] = {}
_char_cache: dict[str, np.ndarray] = {}


def word_column(token: str) -> int:
    """Column of a lower-case word unigram."""
    col = _word_cache.get(token)
    if col is None:
        if len(_word_cache) > _CACHE_LIMIT:
            _word_cache.clear()
        col = _word_cache[token] = _col(token, WORD_FEATURES)
    return col


def char_columns(token: str) -> np.ndarray:
    """Columns (offset into the char space) of a lower-case token's character n-grams."""
    cols = _char_cache.get(token)
    if cols is None:
        if len(_char_cache) > _CACHE_LIMIT:
            _char_cache.clear()
        padded = f" {token} "
        lo, hi = CHAR_NGRAMS
        grams = {padded[i:i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)}
        cols = _char_cache[token] = np.fromiter(
            (WORD_FEATURES + _col(g, CHAR_FEATURES) for g in grams), dtype=np.int64, count=len(grams))
    return cols


def bigram_columns(unigram: np.ndarray) -> np.ndarray:
    """Columns of adjacent word pairs, mixed from the two unigram hashes (no strings made)."""
    a, b = unigram[:-1].astype(np.int64), unigram[1:].astype(np.int64)
    return ((a * 1_000_003 + b * 7_919 + 12_345) % WORD_FEATURES).astype(np.int64)


@dataclass(frozen=True)
class TokenFeatures:
    """The tokens of one text and the columns each occurrence carries (for explanations)."""

    spans: list[tuple[int, int]]  # offsets of each token in the text
    words: list[str]  # lower-case tokens
    unigram: np.ndarray  # column per token
    bigram: np.ndarray  # column per adjacent pair (len(words) - 1)


def token_features(text: str) -> TokenFeatures:
    matches = list(TOKEN.finditer(text))
    words = [m.group().lower() for m in matches]
    unigram = np.array([word_column(w) for w in words], dtype=np.int64)
    return TokenFeatures([(m.start(), m.end()) for m in matches], words, unigram,
                         bigram_columns(unigram) if len(words) > 1 else np.zeros(0, dtype=np.int64))


def counts(texts) -> sp.csr_matrix:
    """Raw n-gram counts, one row per text, N_FEATURES columns."""
    return counts_and_words(texts)[0]


def counts_and_words(texts) -> tuple[sp.csr_matrix, list[str], np.ndarray]:
    """Raw n-gram counts, one row per text, N_FEATURES columns; and the distinct lower-case
    words of the batch with their unigram columns (for word-level explanations).

    Vectorised over the whole batch: each distinct token's columns are looked up once, then
    every occurrence's columns are gathered with numpy (a page has a few hundred distinct words
    and a few thousand occurrences)."""
    uniq: dict[str, int] = {}
    occ_token: list[int] = []
    row_lengths: list[int] = []
    for text in texts:
        words = TOKEN.findall(text.lower())
        setdefault = uniq.setdefault
        occ_token.extend([setdefault(w, len(uniq)) for w in words])
        row_lengths.append(len(words))
    n_rows = len(row_lengths)
    if not uniq:
        return sp.csr_matrix((n_rows, N_FEATURES), dtype=np.float32), [], np.zeros(0, dtype=np.int64)
    tokens = list(uniq)
    tok = np.array(occ_token, dtype=np.int64)
    lengths_per_row = np.array(row_lengths, dtype=np.int64)
    occ_rows = np.repeat(np.arange(n_rows), lengths_per_row)
    token_cols = np.array([word_column(t) for t in tokens], dtype=np.int64)
    unigram = token_cols[tok]
    # a bigram joins two neighbours in the same row: drop the pairs that straddle two rows
    same_row = occ_rows[:-1] == occ_rows[1:]
    bigram_cols = bigram_columns(unigram)[same_row] if len(unigram) > 1 else np.zeros(0, dtype=np.int64)
    bigram_rows = occ_rows[:-1][same_row]
    char_arrays = [char_columns(t) for t in tokens]
    lengths = np.array([len(c) for c in char_arrays], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    flat = np.concatenate(char_arrays)
    per_occ = lengths[tok]
    total = int(per_occ.sum())
    first = np.repeat(np.cumsum(per_occ) - per_occ, per_occ)
    gather = np.repeat(starts[tok], per_occ) + (np.arange(total) - first)
    rows = np.concatenate([occ_rows, bigram_rows, np.repeat(occ_rows, per_occ)])
    cols = np.concatenate([unigram, bigram_cols, flat[gather]])
    # COO -> CSR sums the duplicates (each count) and leaves indices sorted
    matrix = sp.coo_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                           shape=(n_rows, N_FEATURES)).tocsr()
    return matrix, tokens, token_cols


def row_sum(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """All rows added into one (a page from its sentences), kept sparse."""
    out = sp.csr_matrix((matrix.data.copy(), matrix.indices.copy(), np.array([0, len(matrix.data)])),
                        shape=(1, matrix.shape[1]))
    out.sum_duplicates()  # in place on the copies: the sentence rows are left as they are
    return out


def fit_idf(matrix: sp.csr_matrix) -> np.ndarray:
    """Smooth idf per column: log((1 + n) / (1 + df)) + 1."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    n = matrix.shape[0]
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def tfidf(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf x idf, each row L2-normalised within the word space and the char space."""
    out = matrix.copy()
    out.data = (1.0 + np.log(out.data)) * idf[out.indices]
    char = out.indices >= WORD_FEATURES
    squared = out.data.astype(np.float64) ** 2
    rows = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
    slot = rows * 2 + char
    norms = np.sqrt(np.bincount(slot, weights=squared, minlength=2 * out.shape[0]))
    scale = norms[slot]
    out.data = np.divide(out.data, scale, out=np.zeros_like(out.data), where=scale > 0).astype(np.float32)
    return out
