"""The red-flag checklist: one YAML file per entry, validated at load.

Entries are data (see data/checklist/README.md). Unknown keys and missing fields are
errors that name the file, so a regulator's own entries fail loudly, never silently.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import yamlio

from . import paths
from .errors import ChecklistError

KINDS = ("claim", "omission", "signal")
SEVERITIES = ("low", "medium", "high", "critical")
MATCHER_KINDS = ("regex", "phrase", "pattern", "model")
EVIDENCE_CHECKS = ("investigational-as-established", "evidence-mismatch", "overbroad-indication")
CONTEXT_CATEGORIES = (
    "negated", "warning", "reported", "attributed", "hypothetical", "question", "hedged",
)

_TOP_KEYS = {
    "id", "kind", "title", "severity", "explanation", "regulator_note", "sources",
    "question", "detect", "omission", "examples",
}
_REQUIRED = {
    "claim": {"id", "kind", "title", "severity", "explanation", "regulator_note", "sources",
              "question", "detect", "examples"},
    "omission": {"id", "kind", "title", "severity", "explanation", "regulator_note", "sources",
                 "question", "omission", "examples"},
    "signal": {"id", "kind", "title", "explanation", "sources", "detect", "examples"},
}
_RULE_KEYS = {"id", "kind", "pattern", "near", "unless", "threshold", "label"}
_DETECT_KEYS = {"rules", "evidence", "context"}


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # regex | phrase | pattern | model
    pattern: object  # str for regex, list[str] for phrase, list[dict] for pattern; None for model
    near: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    threshold: float | None = None  # model: fire when P(label) >= threshold
    label: str | None = None  # model: the model label to read (default: the entry id)


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    title: str
    severity: str | None
    explanation: str
    regulator_note: str
    sources: tuple[str, ...]
    question: str
    rules: tuple[Rule, ...]
    evidence_check: str | None
    context_ignore: tuple[str, ...]
    filled_by: tuple[str, ...]
    examples_flag: tuple[str, ...]
    examples_pass: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Checklist:
    entries: tuple[Entry, ...]
    version: str

    def get(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def select(self, only: tuple[str, ...] = (), disable: tuple[str, ...] = ()) -> "Checklist":
        """Keep only some entries, or switch some off. Unknown ids are an error."""
        known = set(self.ids)
        unknown = sorted((set(only) | set(disable)) - known)
        if unknown:
            raise ChecklistError(
                f"unknown checklist id(s): {', '.join(unknown)} (see `claimcheck checklist list`)",
                code="CC203",
            )
        keep = [e for e in self.entries if (not only or e.id in only) and e.id not in disable]
        return Checklist(tuple(keep), self.version)


@cache
def known_sources() -> frozenset[str]:
    """Keys of data/sources.yaml, the one bibliography."""
    path = paths.sources_file()
    if not path.is_file():
        return frozenset()
    data = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(data)


def _fail(path: Path, message: str, code: str = "CC201") -> ChecklistError:
    return ChecklistError(f"{path.name}: {message}", code=code)


def _strings(path: Path, value, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"'{field}' must be a list of strings")
    return tuple(value)


def _parse_rule(path: Path, raw) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(path, "each detect rule must be a mapping")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s) in rule {raw.get('id', '?')}: {', '.join(sorted(unknown))}")
    for key in ("id", "kind"):
        if key not in raw:
            raise _fail(path, f"rule {raw.get('id', '?')} is missing '{key}'")
    if raw["kind"] not in MATCHER_KINDS:
        raise _fail(path, f"rule {raw['id']}: kind must be one of {', '.join(MATCHER_KINDS)}")
    if raw["kind"] == "model":
        return _parse_model_rule(path, raw)
    if "pattern" not in raw:
        raise _fail(path, f"rule {raw['id']} is missing 'pattern'")
    if set(raw) & {"threshold", "label"}:
        raise _fail(path, f"rule {raw['id']}: 'threshold' and 'label' are for model rules only")
    pattern = raw["pattern"]
    if raw["kind"] == "regex" and not isinstance(pattern, str):
        raise _fail(path, f"rule {raw['id']}: a regex pattern must be a string")
    if raw["kind"] == "phrase":
        pattern = _strings(path, pattern, f"rule {raw['id']} pattern")
    if raw["kind"] == "pattern" and not (
        isinstance(pattern, list) and all(isinstance(t, dict) for t in pattern)
    ):
        raise _fail(path, f"rule {raw['id']}: a token pattern must be a list of mappings")
    return Rule(
        id=str(raw["id"]),
        kind=raw["kind"],
        pattern=pattern,
        near=_strings(path, raw.get("near"), "near"),
        unless=_strings(path, raw.get("unless"), "unless"),
    )


def _parse_model_rule(path: Path, raw) -> Rule:
    """A model rule: the learned sentence model fires when P(label) >= threshold."""
    if "pattern" in raw:
        raise _fail(path, f"rule {raw['id']}: a model rule takes 'threshold' (and 'label'), not 'pattern'")
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise _fail(path, f"rule {raw['id']}: a model rule needs a 'threshold' between 0 and 1")
    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise _fail(path, f"rule {raw['id']}: 'label' must be a string")
    return Rule(id=str(raw["id"]), kind="model", pattern=None,
                near=_strings(path, raw.get("near"), "near"),
                unless=_strings(path, raw.get("unless"), "unless"),
                threshold=float(threshold), label=label)


def parse_entry(path: Path, raw) -> Entry:
    """Validate one entry's mapping; every error names the file."""
    if not isinstance(raw, dict):
        raise _fail(path, "an entry must be a YAML mapping")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s): {', '.join(sorted(unknown))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(path, f"'kind' must be one of {', '.join(KINDS)}")
    missing = _REQUIRED[kind] - set(raw)
    if missing:
        raise _fail(path, f"missing field(s): {', '.join(sorted(missing))}")
    if raw["id"] != path.stem:
        raise _fail(path, f"id '{raw['id']}' must equal the file name '{path.stem}'")
    severity = raw.get("severity")
    if kind != "signal" and severity not in SEVERITIES:
        raise _fail(path, f"'severity' must be one of {', '.join(SEVERITIES)}")
    sources = _strings(path, raw["sources"], "sources")
    if not sources:
        raise _fail(path, "'sources' must name at least one bibliography key")
    missing_sources = [s for s in sources if known_sources() and s not in known_sources()]
    if missing_sources:
        raise _fail(path, f"unknown source key(s): {', '.join(missing_sources)} (see data/sources.yaml)",
                    code="CC202")

    rules: tuple[Rule, ...] = ()
    evidence_check = None
    context_ignore: tuple[str, ...] = ()
    if kind in ("claim", "signal"):
        detect = raw["detect"]
        if not isinstance(detect, dict) or "rules" not in detect:
            raise _fail(path, "'detect' must be a mapping with 'rules'")
        bad = set(detect) - _DETECT_KEYS
        if bad:
            raise _fail(path, f"unknown key(s) in detect: {', '.join(sorted(bad))}")
        if not isinstance(detect["rules"], list) or not detect["rules"]:
            raise _fail(path, "'detect.rules' must be a non-empty list")
        rules = tuple(_parse_rule(path, r) for r in detect["rules"])
        ids = [r.id for r in rules]
        if len(ids) != len(set(ids)):
            raise _fail(path, "rule ids must be unique within an entry")
        evidence_check = detect.get("evidence")
        if evidence_check is not None and evidence_check not in EVIDENCE_CHECKS:
            raise _fail(path, f"'detect.evidence' must be one of {', '.join(EVIDENCE_CHECKS)}")
        context = detect.get("context") or {}
        if not isinstance(context, dict) or set(context) - {"ignore"}:
            raise _fail(path, "'detect.context' takes only 'ignore'")
        context_ignore = _strings(path, context.get("ignore"), "detect.context.ignore")
        bad_cats = set(context_ignore) - set(CONTEXT_CATEGORIES)
        if bad_cats:
            raise _fail(path, f"unknown context category: {', '.join(sorted(bad_cats))}")
    elif "detect" in raw:
        raise _fail(path, "an omission has no 'detect'; it is filled by signals")

    filled_by: tuple[str, ...] = ()
    if kind == "omission":
        omission = raw["omission"]
        if not isinstance(omission, dict) or set(omission) != {"filled_by"}:
            raise _fail(path, "'omission' must be a mapping with exactly 'filled_by'")
        filled_by = _strings(path, omission["filled_by"], "omission.filled_by")
        if not filled_by:
            raise _fail(path, "'omission.filled_by' must name at least one signal")
    elif "omission" in raw:
        raise _fail(path, "only omission entries take 'omission'")

    examples = raw["examples"]
    if not isinstance(examples, dict) or set(examples) - {"flag", "pass"}:
        raise _fail(path, "'examples' must be a mapping with 'flag' and 'pass'")
    flag_ex = _strings(path, examples.get("flag"), "examples.flag")
    pass_ex = _strings(path, examples.get("pass"), "examples.pass")
    if not flag_ex or not pass_ex:
        raise _fail(path, "'examples' needs at least one 'flag' and one 'pass' example")

    return Entry(
        id=raw["id"], kind=kind, title=str(raw["title"]).strip(),
        severity=severity if kind != "signal" else None,
        explanation=" ".join(str(raw["explanation"]).split()),
        regulator_note=" ".join(str(raw.get("regulator_note", "")).split()),
        sources=sources, question=" ".join(str(raw.get("question", "")).split()),
        rules=rules, evidence_check=evidence_check, context_ignore=context_ignore,
        filled_by=filled_by, examples_flag=flag_ex, examples_pass=pass_ex, path=str(path),
    )


def load_entry(path: Path) -> Entry:
    try:
        raw = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise _fail(path, f"not valid YAML{where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot read: {exc.__class__.__name__}") from None
    return parse_entry(path, raw)


def _entry_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ChecklistError(f"{directory}: not a directory of checklist entries", code="CC204")
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def load_checklist(extra_dirs: tuple[Path, ...] = (), *, replace: bool = False) -> Checklist:
    """The bundled checklist, extended (or replaced) by entries from extra_dirs.

    An extra entry with a bundled id overrides the bundled one, so a regulator can reword it.
    """
    dirs = list(extra_dirs) if replace else [paths.checklist_dir(), *extra_dirs]
    by_id: dict[str, Entry] = {}
    digest = hashlib.sha256()
    for directory in dirs:
        for path in _entry_files(Path(directory)):
            entry = load_entry(path)
            by_id[entry.id] = entry
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if not by_id:
        raise ChecklistError("the checklist is empty: no *.yaml entries found", code="CC205")
    entries = tuple(by_id.values())
    signal_ids = {e.id for e in entries if e.kind == "signal"}
    for entry in entries:
        unknown = [s for s in entry.filled_by if s not in signal_ids]
        if unknown:
            raise _fail(Path(entry.path), f"filled_by names unknown signal(s): {', '.join(unknown)}")
    return Checklist(entries, digest.hexdigest()[:12])
