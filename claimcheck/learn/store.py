"""Model files: skops, never bare pickle, with the types a file may contain listed here.

Loading refuses a file that holds any type outside TRUSTED (checked against every node of the
file's schema, not only against what skops itself distrusts), so a model file a user got from
elsewhere cannot run code on load, nor smuggle in an estimator we never shipped.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ..errors import DataError

TRUSTED = (
    "claimcheck.learn.estimators.SentenceFlagClassifier",
    "claimcheck.learn.estimators.DocTypeClassifier",
    "numpy.ndarray",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
)


def file_types(path: Path) -> set[str]:
    """Every module.class named in a skops file's schema."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def save_model(model, path: Path) -> None:
    """Write a skops file, refusing a model that holds any type outside TRUSTED."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    sio.dump(model, tmp)
    untrusted = file_types(tmp) - set(TRUSTED)
    if untrusted:
        tmp.unlink()
        raise DataError(f"{path.name}: model holds types not in the trusted list: "
                        f"{', '.join(sorted(untrusted))}", code="CC410")
    tmp.replace(path)


def checked_types(path: Path) -> set[str]:
    """The types a model file names, once it is known to exist, be readable and hold only
    TRUSTED types; DataError (CC411 missing, CC412 unreadable, CC413 untrusted) otherwise."""
    if not path.is_file():
        raise DataError(f"model file {path} is missing; run `claimcheck train` or use --no-model",
                        code="CC411")
    try:
        types = file_types(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path.name}: not a readable skops model ({exc.__class__.__name__})",
                        code="CC412") from None
    untrusted = types - set(TRUSTED)
    if untrusted:
        raise DataError(f"{path.name}: refusing to load untrusted type(s): "
                        f"{', '.join(sorted(untrusted))}", code="CC413")
    return types


def load_model(path: Path):
    """Load a skops file whose every type is in TRUSTED; anything else is refused."""
    import skops.io as sio

    return sio.load(path, trusted=sorted(checked_types(path)))
