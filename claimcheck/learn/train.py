"""`claimcheck train`: rebuild every model from data/training/ with fixed seeds.

Writes models/sentence-flags.skops, models/doctype.skops, a model card beside each and
models/metrics.json. The metrics are cross-validated on our own training data (random folds,
and leave-one-author-part-out, which says more about new phrasing); they are reported, not the
target: they say little about real clinic copy, which `claimcheck eval` and the notebook measure.
Running it twice gives identical files (fixed seeds, no timestamps).
"""
from __future__ import annotations

import json
import logging
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, precision_recall_fscore_support
from sklearn.model_selection import KFold, StratifiedKFold

from .. import __version__, paths
from ..checklist import load_checklist
from .data import TrainingSet, load_training
from .estimators import DocTypeClassifier, SentenceFlagClassifier
from .runtime import DOCTYPE_MODEL, METRICS_FILE, SENTENCE_MODEL
from .store import TRUSTED, save_model

log = logging.getLogger("claimcheck")

SEED = 0
N_JOBS = -1  # labels are fitted in parallel; the result does not depend on it
FOLDS = 5
MIN_POSITIVES = 8
TARGET_PRECISION = 0.9  # recommended threshold: the lowest at which CV precision reaches this


@dataclass(frozen=True)
class TrainResult:
    metrics: dict
    written: tuple[Path, ...]


def _r(x: float) -> float:
    return round(float(x), 4)


def label_matrix(training: TrainingSet, labels: list[str]) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(training.sentences), len(labels)), dtype=int)
    for i, s in enumerate(training.sentences):
        for label in s.labels:
            if label in index:
                Y[i, index[label]] = 1
    return Y


def _oof_sentence(texts, Y, labels, groups=None) -> np.ndarray:
    """Out-of-fold probabilities: random K folds, or one fold per group when groups is given."""
    oof = np.zeros(Y.shape, dtype=float)
    if groups is None:
        splits = KFold(FOLDS, shuffle=True, random_state=SEED).split(texts)
    else:
        groups = np.asarray(groups)
        splits = ((np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in sorted(set(groups)))
    texts = np.asarray(texts, dtype=object)
    for train, test in splits:
        keep = [j for j in range(Y.shape[1]) if Y[train, j].sum() >= 2 and (Y[train, j] == 0).sum() >= 2]
        model = SentenceFlagClassifier(labels=[labels[j] for j in keep], random_state=SEED, n_jobs=N_JOBS)
        model.fit(list(texts[train]), Y[np.ix_(train, keep)])
        oof[np.ix_(test, keep)] = model.predict_proba(list(texts[test]))
    return oof


def _recommended_threshold(y, p) -> float | None:
    for t in np.round(np.arange(0.3, 0.96, 0.05), 2):
        pred = p >= t
        if pred.sum() >= 3 and y[pred].mean() >= TARGET_PRECISION:
            return float(t)
    return None


def _label_metrics(Y, P, labels) -> dict:
    out = {}
    for j, label in enumerate(labels):
        y, p = Y[:, j], P[:, j]
        prec, rec, f1, _ = precision_recall_fscore_support(y, p >= 0.5, average="binary", zero_division=0)
        out[label] = {
            "positives": int(y.sum()), "precision@0.5": _r(prec), "recall@0.5": _r(rec), "f1@0.5": _r(f1),
            "average_precision": _r(average_precision_score(y, p)) if y.any() else None,
            "brier": _r(brier_score_loss(y, p)),
            "threshold_for_precision_0.9": _recommended_threshold(y, p),
        }
    micro = precision_recall_fscore_support(Y.ravel(), (P >= 0.5).ravel(), average="binary", zero_division=0)
    return {"micro": {"precision@0.5": _r(micro[0]), "recall@0.5": _r(micro[1]), "f1@0.5": _r(micro[2])},
            "labels": out}


def _doc_metrics(texts, y) -> dict:
    oof = np.zeros(len(y))
    texts = np.asarray(texts, dtype=object)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, y):
        model = DocTypeClassifier(random_state=SEED).fit(list(texts[train]), y[train])
        oof[test] = model.predict_proba(list(texts[test]))[:, 1]
    return {"accuracy@0.5": _r(((oof >= 0.5) == y).mean()), "brier": _r(brier_score_loss(y, oof)),
            "n": int(len(y)), "offer": int(y.sum())}


def _versions() -> dict:
    import scipy
    import skops
    import sklearn

    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "skops": skops.__version__}


def train_all(training_dir: Path | None = None, models_dir: Path | None = None,
              cross_validate: bool = True) -> TrainResult:
    """Fit both models on all training data, evaluate by cross-validation, write everything."""
    from .cards import doctype_card, sentence_card

    training_dir = Path(training_dir or paths.training_dir())
    models_dir = Path(models_dir or paths.models_dir())
    checklist = load_checklist()
    known = frozenset(e.id for e in checklist.entries if e.kind in ("claim", "signal"))
    training = load_training(training_dir, known)
    counts = training.label_counts()
    labels = [e.id for e in checklist.entries if e.kind in ("claim", "signal")
              and counts.get(e.id, 0) >= MIN_POSITIVES]
    texts = [s.text for s in training.sentences]
    Y = label_matrix(training, labels)
    log.info("training the sentence model: %d sentences, %d labels", len(texts), len(labels))
    sentence_model = SentenceFlagClassifier(labels=labels, random_state=SEED, n_jobs=N_JOBS).fit(texts, Y)
    doc_texts = [d.text for d in training.documents]
    doc_y = np.array([1 if d.kind == "offer" else 0 for d in training.documents])
    doc_model = DocTypeClassifier(random_state=SEED).fit(doc_texts, doc_y)

    metrics = {
        "tool_version": __version__, "training_sha256": training.sha256,
        "training_files": list(training.files), "seed": SEED, "folds": FOLDS,
        "versions": _versions(), "trusted_types": list(TRUSTED),
        "sentence_model": {"file": SENTENCE_MODEL, "labels": labels, "n_sentences": len(texts),
                           "hard_negatives": sum(s.hard_negative for s in training.sentences),
                           "no_label": int((Y.sum(axis=1) == 0).sum()), "label_counts": counts,
                           "n_features": int(sentence_model.n_features_in_)},
        "doctype_model": {"file": DOCTYPE_MODEL, "n_documents": len(doc_texts),
                          "offer": int(doc_y.sum()), "n_features": int(doc_model.n_features_in_)},
    }
    if cross_validate:
        parts = [s.id.split("-")[0] for s in training.sentences]
        metrics["sentence_model"]["cv_random_folds"] = _label_metrics(Y, _oof_sentence(texts, Y, labels), labels)
        if len(set(parts)) > 1:
            metrics["sentence_model"]["cv_leave_one_part_out"] = _label_metrics(
                Y, _oof_sentence(texts, Y, labels, parts), labels)
        metrics["doctype_model"]["cv_random_folds"] = _doc_metrics(doc_texts, doc_y)

    models_dir.mkdir(parents=True, exist_ok=True)
    written = []
    save_model(sentence_model, models_dir / SENTENCE_MODEL)
    save_model(doc_model, models_dir / DOCTYPE_MODEL)
    written += [models_dir / SENTENCE_MODEL, models_dir / DOCTYPE_MODEL]
    (models_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
    (models_dir / "sentence-flags.card.md").write_text(sentence_card(metrics, training), encoding="utf-8")
    (models_dir / "doctype.card.md").write_text(doctype_card(metrics, training), encoding="utf-8")
    written += [models_dir / METRICS_FILE, models_dir / "sentence-flags.card.md",
                models_dir / "doctype.card.md"]
    return TrainResult(metrics, tuple(written))
