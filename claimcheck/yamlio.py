"""YAML reading for all bundled data: libyaml's C loader when present (about 5x faster at
start-up), the pure-Python safe loader otherwise. Both are safe loaders."""
from __future__ import annotations

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def safe_load(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
