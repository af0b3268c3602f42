"""Model files: skops, never bare pickle, with the types a file may contain listed here.

Loading refuses a file that holds any type outside TRUSTED, so a model file a user got from
elsewhere cannot run code on load.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import DataError

TRUSTED = (
    "claimcheck.learn.estimators.SentenceFlagClassifier",
    "claimcheck.learn.estimators.DocTypeClassifier",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "builtins.object",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._dia.dia_matrix",
    "builtins.slice",
    "builtins.tuple",
)


def save_model(model, path: Path) -> None:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    untrusted = set(sio.get_untrusted_types(data=sio.dumps(model))) - set(TRUSTED)
    if untrusted:
        raise DataError(f"{path.name}: model holds types not in the trusted list: "
                        f"{', '.join(sorted(untrusted))}", code="CC410")
    sio.dump(model, path)


def load_model(path: Path):
    """Load a skops file whose every type is in TRUSTED; anything else is refused."""
    import skops.io as sio

    if not path.is_file():
        raise DataError(f"model file {path} is missing; run `claimcheck train` or use --no-model",
                        code="CC411")
    try:
        untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED)
    except Exception as exc:  # skops raises several types for a damaged file
        raise DataError(f"{path.name}: not a readable skops model ({exc.__class__.__name__})",
                        code="CC412") from None
    if untrusted:
        raise DataError(f"{path.name}: refusing to load untrusted type(s): "
                        f"{', '.join(sorted(untrusted))}", code="CC413")
    return sio.load(path, trusted=list(TRUSTED))
