"""Small validators for the evidence YAML files: each raises a one-line DataError naming the
file and the entry."""
from __future__ import annotations

import re
from pathlib import Path


from ..errors import DataError
from .. import yamlio

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CITED = re.compile(r"\(([a-z0-9]+(?:-[a-z0-9]+)+(?:,\s*[a-z0-9]+(?:-[a-z0-9]+)+)*)\)")


def fail(path: Path, entry, message: str) -> DataError:
    where = f"{path.name}: entry '{entry}'" if entry is not None else path.name
    return DataError(f"{where}: {message}")


def read(path: Path):
    try:
        return yamlio.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path.name}: file not found ({path})") from None
    except yamlio.YAMLError as exc:
        raise DataError(f"{path.name}: invalid YAML ({' '.join(str(exc).split())})") from None


def fields(path: Path, key, raw, spec) -> None:
    required, optional = spec
    if not isinstance(raw, dict):
        raise fail(path, key, "must be a mapping")
    unknown = sorted(set(raw) - required - optional)
    if unknown:
        raise fail(path, key, f"unknown key(s): {', '.join(map(str, unknown))}")
    missing = sorted(required - set(raw))
    if missing:
        raise fail(path, key, f"missing field(s): {', '.join(missing)}")


def strings(path: Path, key, value, field: str, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(path, key, f"'{field}' must be a list of non-empty strings")
    if not value and not allow_empty:
        raise fail(path, key, f"'{field}' must not be empty")
    return tuple(value)


def regex(path: Path, key, patterns, field: str) -> re.Pattern:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise fail(path, key, f"invalid regex in '{field}' ({exc})") from None


def text(path: Path, key, value, field: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value.strip() and not allow_empty):
        raise fail(path, key, f"'{field}' must be a non-empty string")
    return " ".join(value.split())


def check_sources(path: Path, key, sources, known, summary: str, allow_empty=False):
    """The source keys of an entry: all in the bibliography, and covering any the summary cites."""
    keys = strings(path, key, sources, "sources", allow_empty=allow_empty)
    missing = [k for k in keys if k not in known]
    if missing:
        raise fail(path, key, f"unknown source key(s): {', '.join(missing)} (see sources.yaml)")
    cited = {k.strip() for group in _CITED.findall(summary) for k in group.split(",")}
    uncited = sorted(k for k in cited if k not in keys)
    if uncited:
        raise fail(path, key, f"summary cites {', '.join(uncited)}, not listed in 'sources'")
    return keys
