"""The learned models as one more matcher kind: `kind: model` rules in the checklist.

A model rule fires on a sentence when the sentence model's calibrated P(label) reaches the
rule's threshold (and its near/unless regexes hold, as for any rule). The hit's trigger is the
word that pushed hardest towards the label, so context cues are scoped to it exactly as to a
rule's trigger; the hit carries the probability and the top words for the report.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .. import paths
from ..checklist import Checklist
from ..errors import ChecklistError
from ..types import Hit, ModelScore, Sentence
from ..match import conditions_hold
from ..prefilter import lower_same_length
from .explain import token_contributions, top_terms, top_words
from .scorer import linear_proba

log = logging.getLogger("claimcheck")

CONTEXT_TERMS = 3  # context is checked at each of the model's top words: any cue switches it off
MIN_WORDS = 5  # shorter lines (headings, menu items, labels) get unreliable probabilities
SENTENCE_MODEL = "sentence-flags.skops"
DOCTYPE_MODEL = "doctype.skops"
METRICS_FILE = "metrics.json"


@dataclass(frozen=True)
class _ModelRule:
    flag_id: str
    rule_id: str
    label_index: int
    threshold: float
    near: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class DocScore:
    offer_probability: float
    terms: tuple[str, ...]  # words that pushed towards the predicted side, strongest first


class LearnedLayer:
    """Loads the shipped models on first use and turns their scores into Hits."""

    def __init__(self, models_dir: Path | None = None):
        self.models_dir = Path(models_dir) if models_dir else paths.models_dir()

    @cached_property
    def sentence_model(self):
        from .scorer import read_scorer

        return read_scorer(self.models_dir / SENTENCE_MODEL)

    @cached_property
    def doctype_model(self):
        from .scorer import read_scorer

        return read_scorer(self.models_dir / DOCTYPE_MODEL)

    @cached_property
    def version(self) -> str:
        """'<tool version> (<first 8 of the training-data hash>)', from metrics.json."""
        path = self.models_dir / METRICS_FILE
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            return f"{meta['tool_version']} ({meta['training_sha256'][:8]})"
        except (OSError, ValueError, KeyError):
            return "unknown"

    def compile_rules(self, checklist: Checklist, macros: dict[str, str]) -> tuple[_ModelRule, ...]:
        """The checklist's model rules; a label the model does not know is a checklist error."""
        from ..match import compile_condition

        labels = list(self.sentence_model.classes_)
        out = []
        for entry in checklist.entries:
            for rule in entry.rules:
                if rule.kind != "model":
                    continue
                label = rule.label or entry.id
                where = f"{Path(entry.path).name} rule {rule.id}"
                if label not in labels:
                    raise ChecklistError(f"{where}: the sentence model has no label '{label}' "
                                         f"(it knows: {', '.join(labels)})", code="CC208")
                out.append(_ModelRule(
                    entry.id, rule.id, labels.index(label), float(rule.threshold),
                    tuple(compile_condition(p, macros, where) for p in rule.near),
                    tuple(compile_condition(p, macros, where) for p in rule.unless)))
        return tuple(out)

    def score(self, text: str, sentences: tuple[Sentence, ...],
              rules: tuple[_ModelRule, ...]) -> tuple[list[Hit], DocScore | None]:
        """Model hits for every (model rule, sentence) at or above the rule's threshold, and the
        document's P(offer). The page's n-grams are counted once, per sentence: the sentence
        model reads the rows, the document model their sum."""
        if not sentences:
            return [], None
        from . import features

        counts, words, columns = features.counts_and_words(s.text for s in sentences)
        doc = self._doc_score(features.row_sum(counts), words, columns)
        if not rules:
            return [], doc
        model = self.sentence_model
        proba = model.proba_from_counts(counts)
        short = np.array([len(s.text.split()) < MIN_WORDS for s in sentences])
        proba[short] = 0.0
        per_rule = proba[:, [r.label_index for r in rules]]  # (sentences, rules)
        above = np.argwhere(per_rule >= np.array([r.threshold for r in rules]))
        hits = []
        for i, k in above[np.lexsort((above[:, 0], above[:, 1]))]:
            rule, sent = rules[k], sentences[i]
            if not conditions_hold(rule.near, rule.unless, sent.text, lower_same_length(sent.text)):
                continue
            hits.append(self._hit(model, rule, sent, float(per_rule[i, k]), counts[int(i)]))
        return hits, doc

    def _hit(self, model, rule: _ModelRule, sent: Sentence, probability: float, counts) -> Hit:
        top, seen = [], set()
        for t in top_terms(token_contributions(model, sent.text, rule.label_index, counts), k=12):
            if t.text.lower() not in seen and len(top) < 5:  # distinct words, strongest first
                seen.add(t.text.lower())
                top.append(t)
        if top:
            start, end = sent.start + top[0].start, sent.start + top[0].end
        else:  # nothing positive to point at: the whole sentence is the trigger
            start, end = sent.start, sent.end
        score = ModelScore(round(probability, 4), rule.threshold, tuple(t.text for t in top),
                           f"sentence-flags {self.version}",
                           tuple((sent.start + t.start, sent.start + t.end) for t in top[:CONTEXT_TERMS]))
        return Hit(rule.flag_id, sent, rule.rule_id, sent.text[start - sent.start:end - sent.start],
                   start, end, "model", score)

    def _doc_score(self, counts, words: list[str], columns) -> DocScore:
        """P(the text offers or promotes a treatment), with the words behind it."""
        model = self.doctype_model
        x = model.features_from_counts(counts)
        p = float(linear_proba(x, model.weights, model.intercept_, model.calibration_)[0, 0])
        # Word-level reasons only: a page's full n-gram breakdown costs more than it explains.
        return DocScore(round(p, 4), tuple(top_words(model, x, words, columns, 0,
                                                     sign=1.0 if p >= 0.5 else -1.0)))
