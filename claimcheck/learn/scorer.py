"""The auditor's view of a trained model: its arrays, read from the skops file without
importing scikit-learn or skops.

A skops file is a zip of `schema.json` plus `.npy` arrays. The same trusted-type check as
store.load_model runs first (every type named in the schema must be in store.TRUSTED); then only
the fitted arrays are read (np.load with allow_pickle=False). This keeps a one-page audit from
importing scikit-learn (about +130 MB and +0.8 s), while the file stays a standard skops model
that `skops.io.load` (store.load_model) opens as a scikit-learn estimator.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from . import features

_ARRAYS = ("idf_", "coef_", "intercept_", "calibration_")


def linear_proba(X: sp.csr_matrix, weights: np.ndarray, intercept: np.ndarray,
                 calibration: np.ndarray) -> np.ndarray:
    """Calibrated P(label) per row: sigmoid(a * (X @ weights + intercept) + b), Platt's form."""
    f = np.asarray(X @ weights, dtype=np.float64) + intercept
    return 1.0 / (1.0 + np.exp(calibration[:, 0] * f + calibration[:, 1]))


@dataclass(frozen=True, eq=False)
class LinearScorer:
    """Scores hashed-count rows with a fitted model's arrays (duck-types what explain.py needs)."""

    classes_: tuple[str, ...]
    idf_: np.ndarray
    coef_: np.ndarray  # (n_labels, n_features)
    weights: np.ndarray  # coef_.T, contiguous
    intercept_: np.ndarray
    calibration_: np.ndarray

    def features_from_counts(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return features.tfidf(counts, self.idf_)

    def proba_from_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        return linear_proba(self.features_from_counts(counts), self.weights, self.intercept_,
                            self.calibration_)


def read_scorer(path: Path) -> LinearScorer:
    """The arrays of a trusted skops model file; DataError (CC411-CC414) otherwise."""
    from .store import checked_types

    checked_types(path)  # the trust check comes before any array is read
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
            attrs = schema["content"]["content"]
            arrays = {name: np.load(io.BytesIO(archive.read(attrs[name]["file"])), allow_pickle=False)
                      for name in _ARRAYS}
            classes = tuple(json.loads(item["content"]) for item in attrs["classes_"]["content"])
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path.name}: not a readable claimcheck model ({exc.__class__.__name__})",
                        code="CC414") from None
    coef = arrays["coef_"]
    if coef.ndim != 2 or coef.shape[1] != features.N_FEATURES or coef.shape[0] != len(arrays["intercept_"]):
        raise DataError(f"{path.name}: model arrays do not fit this claimcheck's features "
                        f"({coef.shape}); retrain with `claimcheck train`", code="CC414")
    return LinearScorer(classes, arrays["idf_"], coef, np.ascontiguousarray(coef.T),
                        arrays["intercept_"], arrays["calibration_"])
