"""The one place that knows where bundled data and models live."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _bundled(env: str, name: str) -> Path:
    """$env when set, else claimcheck/_<name> in an installed wheel, else the repo's <name>/."""
    override = os.environ.get(env)
    if override:
        return Path(override)
    installed = _PKG / f"_{name}"
    return installed if installed.is_dir() else _PKG.parent / name


@cache
def data_dir() -> Path:
    """Bundled data: $CLAIMCHECK_DATA, else claimcheck/_data in a wheel, else the repo's data/."""
    return _bundled("CLAIMCHECK_DATA", "data")


def checklist_dir() -> Path:
    return data_dir() / "checklist"


def evidence_dir() -> Path:
    return data_dir() / "evidence"


def sources_file() -> Path:
    return data_dir() / "sources.yaml"


def lexicon_file() -> Path:
    return data_dir() / "lexicon.yaml"


def context_file() -> Path:
    return data_dir() / "context.yaml"


def schema_file() -> Path:
    return data_dir() / "schema" / "report.schema.json"


def examples_dir() -> Path:
    return data_dir() / "examples"


def doctype_file() -> Path:
    return data_dir() / "doctype.yaml"


@cache
def models_dir() -> Path:
    """Trained models: $CLAIMCHECK_MODELS, else claimcheck/_models in a wheel, else the repo's models/."""
    return _bundled("CLAIMCHECK_MODELS", "models")


def training_dir() -> Path:
    return data_dir() / "training"
