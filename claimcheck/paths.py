"""The one place that knows where bundled data and models live."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    """Bundled data: $CLAIMCHECK_DATA, else claimcheck/_data in a wheel, else the repo's data/."""
    override = os.environ.get("CLAIMCHECK_DATA")
    if override:
        return Path(override)
    installed = _PKG / "_data"
    return installed if installed.is_dir() else _PKG.parent / "data"


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
    override = os.environ.get("CLAIMCHECK_MODELS")
    if override:
        return Path(override)
    installed = _PKG / "_models"
    return installed if installed.is_dir() else _PKG.parent / "models"


def training_dir() -> Path:
    return data_dir() / "training"
