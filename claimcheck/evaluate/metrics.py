"""Precision, recall and F1 with explicit zero-division rules, and their aggregates.

Zero division: every ratio whose denominator is 0 is 0.0 (precision with no predictions,
recall with nothing to find, F1 when precision + recall == 0). That is the pessimistic
convention of scikit-learn's ``zero_division=0``: an empty answer earns nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def safe_div(num: float, den: float) -> float:
    """num / den, or 0.0 when den is 0."""
    return num / den if den else 0.0


def precision(tp: int, fp: int) -> float:
    return safe_div(tp, tp + fp)


def recall(tp: int, fn: int) -> float:
    return safe_div(tp, tp + fn)


def f1(p: float, r: float) -> float:
    """Harmonic mean of precision and recall; 0.0 when both are 0."""
    return safe_div(2 * p * r, p + r)


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives for one class (or a sum of them)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return precision(self.tp, self.fp)

    @property
    def recall(self) -> float:
        return recall(self.tp, self.fn)

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    @property
    def support(self) -> int:
        """Gold items (tp + fn)."""
        return self.tp + self.fn

    @property
    def empty(self) -> bool:
        """Nothing labelled and nothing predicted: the class says nothing about the system."""
        return self.tp == self.fp == self.fn == 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def count(gold: bool, pred: bool) -> Counts:
    """Counts of one binary decision (e.g. "flag labelled in this doc" vs "flag reported")."""
    return Counts(tp=int(gold and pred), fp=int(pred and not gold), fn=int(gold and not pred))


def micro(counts: Iterable[Counts]) -> Counts:
    """Micro aggregate: sum the counts, then compute P/R/F1 on the sum."""
    total = Counts()
    for c in counts:
        total = total + c
    return total


def macro_f1(counts: Iterable[Counts], *, skip_empty: bool = True) -> float:
    """Mean F1 over classes. Classes with nothing labelled and nothing predicted are skipped
    by default (they carry no information); 0.0 when no class is left."""
    f1s = [c.f1 for c in counts if not (skip_empty and c.empty)]
    return safe_div(sum(f1s), len(f1s))


@dataclass(frozen=True)
class SpanCounts:
    """Span-level scores where recall and precision are counted on different items.

    Recall counts gold items (labelled sentences) hit by some prediction; precision counts
    predictions (findings) that hit some gold item. One finding can cover two sentences and
    two findings can cover one, so a single tp would be ambiguous.
    """

    gold: int = 0
    gold_hit: int = 0
    pred: int = 0
    pred_hit: int = 0

    @property
    def recall(self) -> float:
        return safe_div(self.gold_hit, self.gold)

    @property
    def precision(self) -> float:
        return safe_div(self.pred_hit, self.pred)

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    @property
    def empty(self) -> bool:
        return self.gold == 0 and self.pred == 0

    def __add__(self, other: SpanCounts) -> SpanCounts:
        return SpanCounts(
            self.gold + other.gold, self.gold_hit + other.gold_hit,
            self.pred + other.pred, self.pred_hit + other.pred_hit,
        )

    def to_dict(self) -> dict:
        return {
            "gold": self.gold, "gold_hit": self.gold_hit, "pred": self.pred,
            "pred_hit": self.pred_hit, "precision": round(self.precision, 4),
            "recall": round(self.recall, 4), "f1": round(self.f1, 4),
        }


def micro_spans(counts: Iterable[SpanCounts]) -> SpanCounts:
    total = SpanCounts()
    for c in counts:
        total = total + c
    return total


@dataclass(frozen=True)
class BinaryScores:
    """Two-class scores (positive = ``pos``, negative = ``neg``) with per-class P/R/F1.

    ``confusion[gold][pred]`` holds the counts; macro-F1 is the mean of the two class F1s,
    so a constant answer scores at most 0.5 however skewed the classes are.
    """

    pos: str
    neg: str
    confusion: dict[str, dict[str, int]]

    def counts(self, cls: str) -> Counts:
        other = self.neg if cls == self.pos else self.pos
        c = self.confusion
        return Counts(tp=c[cls][cls], fp=c[other][cls], fn=c[cls][other])

    @property
    def n(self) -> int:
        return sum(sum(row.values()) for row in self.confusion.values())

    @property
    def accuracy(self) -> float:
        return safe_div(self.confusion[self.pos][self.pos] + self.confusion[self.neg][self.neg], self.n)

    @property
    def macro_f1(self) -> float:
        return (self.counts(self.pos).f1 + self.counts(self.neg).f1) / 2

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "confusion": {g: dict(row) for g, row in self.confusion.items()},
            "classes": {cls: self.counts(cls).to_dict() for cls in (self.pos, self.neg)},
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
        }


def binary_scores(gold: Sequence[bool], pred: Sequence[bool], pos: str = "pos", neg: str = "neg") -> BinaryScores:
    """Score two parallel sequences of booleans (True = ``pos``)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length ({len(gold)} vs {len(pred)})")
    conf = {pos: {pos: 0, neg: 0}, neg: {pos: 0, neg: 0}}
    for g, p in zip(gold, pred):
        conf[pos if g else neg][pos if p else neg] += 1
    return BinaryScores(pos=pos, neg=neg, confusion=conf)


def majority_label(gold: Sequence[bool]) -> bool:
    """The more frequent gold value; ties go to False (the negative class)."""
    return sum(gold) > len(gold) - sum(gold)


def majority_baseline(gold: Sequence[bool], pos: str = "pos", neg: str = "neg") -> BinaryScores:
    """Scores of a constant answer equal to the majority gold class (for contrast)."""
    const = majority_label(gold)
    return binary_scores(gold, [const] * len(gold), pos=pos, neg=neg)
