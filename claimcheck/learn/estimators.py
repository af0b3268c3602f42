"""Linear text classifiers with calibrated probabilities, following scikit-learn conventions.

Features are hashed word 1-2-grams and character 3-4-grams inside words (features.py:
stateless, so a model file holds no vocabulary and loads fast), TF-IDF weighted with the idf
fitted on the training texts. One logistic regression per label is calibrated with Platt scaling
on cross-validated decision values (CalibratedClassifierCV, ensemble=False: one model fitted on
all data, a sigmoid fitted on out-of-fold scores). After fitting, the per-label weights and
sigmoids are stacked into plain arrays, so scoring every label for every sentence of a page is
one sparse matrix product.

Both models read the same counts, so the auditor counts a page's n-grams once: the sentence
model scores each sentence's row, the document model the sum of the rows.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from . import features


def _calibrated_linear(X, y, *, C, class_weight, cv, random_state):
    """(weights, intercept, sigmoid a, sigmoid b) for one binary label."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=min(cv, int(min(np.bincount(y)))), shuffle=True,
                            random_state=random_state)
    base = LogisticRegression(C=C, class_weight=class_weight, max_iter=2000, solver="liblinear",
                              random_state=random_state)
    model = CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False).fit(X, y)
    fitted = model.calibrated_classifiers_[0]
    sigmoid = fitted.calibrators[0]
    return (fitted.estimator.coef_.ravel().astype(np.float32), float(fitted.estimator.intercept_[0]),
            float(sigmoid.a_), float(sigmoid.b_))


class _LinearTextModel(BaseEstimator, ClassifierMixin):
    """Shared fit/predict for a bank of calibrated binary linear models over hashed n-grams."""

    def __init__(self, C=4.0, class_weight="balanced", cv=5, random_state=0, n_jobs=None):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_bank(self, texts, Y, labels):
        from joblib import Parallel, delayed

        counts = features.counts(texts)
        self.idf_ = features.fit_idf(counts)
        X = features.tfidf(counts, self.idf_)
        X.sort_indices()
        # Labels are independent fits: spread them over the cores (same result, any n_jobs).
        rows = Parallel(n_jobs=self.n_jobs, max_nbytes=None)(
            delayed(_calibrated_linear)(X, Y[:, j], C=self.C, class_weight=self.class_weight,
                                        cv=self.cv, random_state=self.random_state)
            for j in range(Y.shape[1]))
        self.coef_ = np.vstack([r[0] for r in rows])  # (n_labels, n_features)
        self.intercept_ = np.array([r[1] for r in rows], dtype=np.float64)
        self.calibration_ = np.array([[r[2], r[3]] for r in rows], dtype=np.float64)
        self.classes_ = np.array(labels, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_weights_cache", None)  # derived from coef_; never saved
        return state

    def features_from_counts(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF rows from raw counts (features.counts)."""
        check_is_fitted(self, "coef_")
        return features.tfidf(counts, self.idf_)

    def _weights(self) -> np.ndarray:
        """coef_ transposed, contiguous, made once: a product with a transposed view copies it."""
        cached = self.__dict__.get("_weights_cache")
        if cached is None or cached.shape[0] != self.coef_.shape[1]:
            cached = self.__dict__["_weights_cache"] = np.ascontiguousarray(self.coef_.T)
        return cached

    def decision_from_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        X = self.features_from_counts(counts)
        return np.asarray(X @ self._weights(), dtype=np.float64) + self.intercept_

    def proba_from_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        """P(label) per row and label: the fitted sigmoid of the decision value."""
        from .scorer import linear_proba

        return linear_proba(self.features_from_counts(counts), self._weights(), self.intercept_,
                            self.calibration_)

    def decision_function(self, texts):
        return self.decision_from_counts(features.counts(texts))


class SentenceFlagClassifier(_LinearTextModel):
    """Multi-label: which checklist claim flags and signals a sentence carries.

    fit(texts, Y) with Y an (n, n_labels) 0/1 array and `labels` naming its columns;
    predict_proba(texts) -> (n, n_labels) independent calibrated probabilities.
    """

    def __init__(self, labels=(), C=4.0, class_weight="balanced", cv=5, random_state=0, n_jobs=None):
        super().__init__(C, class_weight, cv, random_state, n_jobs)
        self.labels = labels

    def fit(self, texts, Y):
        Y = np.asarray(Y, dtype=int)
        if Y.ndim != 2 or Y.shape[1] != len(self.labels):
            raise ValueError(f"Y must have one column per label ({len(self.labels)}), got {Y.shape}")
        return self._fit_bank(texts, Y, list(self.labels))

    def predict_proba(self, texts):
        return self.proba_from_counts(features.counts(texts))

    def predict(self, texts, threshold=0.5):
        return (self.predict_proba(texts) >= threshold).astype(int)


class DocTypeClassifier(_LinearTextModel):
    """Binary: does a document offer or promote a treatment (1) or inform (0)?

    classes_ is ["information", "offer"]; predict_proba returns both columns, sklearn-style.
    """

    def fit(self, texts, y):
        y = np.asarray(y, dtype=int)
        self._fit_bank(texts, y.reshape(-1, 1), ["offer"])
        self.classes_ = np.array(["information", "offer"], dtype=object)
        return self

    def predict_proba(self, texts):
        p = self.proba_from_counts(features.counts(texts))[:, 0]
        return np.column_stack([1.0 - p, p])

    def predict(self, texts):
        return self.classes_[(self.predict_proba(texts)[:, 1] >= 0.5).astype(int)]
