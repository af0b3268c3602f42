"""Linear text classifiers with calibrated probabilities, following scikit-learn conventions.

Both models use TF-IDF word and character n-grams and one logistic regression per label,
calibrated with Platt scaling on cross-validated decision values (CalibratedClassifierCV with
ensemble=False: one model fitted on all data, a sigmoid fitted on out-of-fold scores). After
fitting, the per-label weights and sigmoids are stacked into plain arrays, so predicting every
label for every sentence of a page is one sparse matrix product.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted


def text_features(word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2, max_features=None) -> FeatureUnion:
    """Word n-grams catch phrasing; char n-grams inside word boundaries catch spelling variants
    and morphology ("regenerat-", "myelin-") that a word list is always one form behind on."""
    return FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=tuple(word_ngrams), min_df=min_df, sublinear_tf=True,
                                 lowercase=True, token_pattern=r"(?u)\b\w[\w'-]*\b",
                                 max_features=max_features, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngrams), min_df=min_df,
                                 sublinear_tf=True, lowercase=True, max_features=max_features,
                                 dtype=np.float32)),
    ])


def _calibrated_linear(X, y, *, C, class_weight, cv, random_state):
    """(weights, intercept, sigmoid a, sigmoid b) for one binary label."""
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
    """Shared fit/predict for a bank of calibrated binary linear models over text features."""

    def __init__(self, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2, max_features=40000, C=4.0,
                 class_weight="balanced", cv=5, random_state=0, n_jobs=None):
        self.n_jobs = n_jobs
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.random_state = random_state

    def _fit_bank(self, texts, Y, labels):
        self.vectorizer_ = text_features(self.word_ngrams, self.char_ngrams, self.min_df,
                                         self.max_features)
        X = self.vectorizer_.fit_transform(list(texts))
        for _, vec in self.vectorizer_.transformer_list:
            if hasattr(vec, "stop_words_"):  # n-grams min_df pruned: introspection only, large
                del vec.stop_words_
        from joblib import Parallel, delayed

        # Labels are independent fits: spread them over the cores (same result, any n_jobs).
        X.sort_indices()
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

    def decision_function(self, texts):
        check_is_fitted(self, "coef_")
        X = self.vectorizer_.transform(list(texts))
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def _label_proba(self, texts):
        """P(label) for each text and label: the fitted sigmoid of the decision value."""
        f = self.decision_function(texts)
        a, b = self.calibration_[:, 0], self.calibration_[:, 1]
        return 1.0 / (1.0 + np.exp(a * f + b))

    def feature_names(self) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return self.vectorizer_.get_feature_names_out()


class SentenceFlagClassifier(_LinearTextModel):
    """Multi-label: which checklist claim flags and signals a sentence carries.

    fit(texts, Y) with Y an (n, n_labels) 0/1 array and `labels` naming its columns;
    predict_proba(texts) -> (n, n_labels) independent calibrated probabilities.
    """

    def __init__(self, labels=(), word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2, max_features=40000,
                 C=4.0, class_weight="balanced", cv=5, random_state=0, n_jobs=None):
        super().__init__(word_ngrams, char_ngrams, min_df, max_features, C, class_weight, cv, random_state,
                         n_jobs)
        self.labels = labels

    def fit(self, texts, Y):
        Y = np.asarray(Y, dtype=int)
        if Y.ndim != 2 or Y.shape[1] != len(self.labels):
            raise ValueError(f"Y must have one column per label ({len(self.labels)}), got {Y.shape}")
        return self._fit_bank(texts, Y, list(self.labels))

    def predict_proba(self, texts):
        return self._label_proba(texts)

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
        p = self._label_proba(texts)[:, 0]
        return np.column_stack([1.0 - p, p])

    def predict(self, texts):
        return self.classes_[(self.predict_proba(texts)[:, 1] >= 0.5).astype(int)]
