"""Loading and validating the evidence data (data/evidence/*.yaml and data/sources.yaml) into
one immutable bundle, with every regex compiled once."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .records import GENERIC, LEVELS, UNKNOWN, Anchor, Entry, Term
from .scan import Lexicon, Scanner
from .validate import ID, check_sources, fail, fields, read, regex, strings, text

log = logging.getLogger("claimcheck")

_SOURCE_FIELDS = {"title", "authors", "journal", "publisher", "year", "url", "doi", "pmid",
                  "location", "note"}
_TERM_FIELDS = {
    "condition": ({"name", "synonyms"}, {"parent", "notes"}),
    "intervention": ({"name", "synonyms", "family", "clinic_product"}, {"parent", "notes"}),
}
_FAMILIES = {"haematopoietic", "mesenchymal", "perinatal", "acellular", "blood-product", "neural",
             "pluripotent", "fetal", "islet", "unspecified"}
_STATUS_FIELDS = ({"intervention", "condition", "level", "population", "summary", "sources"},
                  {"requires"})
_DEFAULT_FIELDS = ({"intervention", "level", "summary", "sources"}, {"precedes_generic"})
_ANCHOR_FIELDS = ({"id", "name", "kind", "result", "patterns", "interventions", "condition",
                   "summary", "sources"}, set())
_ANCHOR_KINDS = {"trial", "registry", "meta-analysis", "guideline", "approval", "preclinical"}
_ANCHOR_RESULTS = {"positive", "negative", "early", "preclinical"}
_CUES = ("claim", "back_reference", "widening", "many_conditions", "preclinical_caveat", "positive_outcome",
         "negative_outcome")


@dataclass(frozen=True)
class Data:
    """The loaded evidence base: lexicons, scanner, pair entries, defaults, anchors, cues."""

    sources: dict
    conditions: Lexicon
    interventions: Lexicon
    scanner: Scanner
    statuses: dict
    defaults: dict
    anchors: tuple[Anchor, ...]
    anchor_scan: re.Pattern | None
    cues: dict


def load_sources(path: Path) -> dict[str, dict]:
    """The bibliography: every key an id, every entry titled, published and findable."""
    raw = read(path)
    if not isinstance(raw, dict) or not raw:
        raise fail(path, None, "must be a non-empty mapping of source keys")
    for key, entry in raw.items():
        if not isinstance(key, str) or not ID.match(key):
            raise fail(path, key, "keys must be lower-case ids like 'mist-2019'")
        if not isinstance(entry, dict):
            raise fail(path, key, "must be a mapping")
        unknown = sorted(set(entry) - _SOURCE_FIELDS)
        if unknown:
            raise fail(path, key, f"unknown key(s): {', '.join(map(str, unknown))}")
        for field in ("title", "note"):
            text(path, key, entry.get(field), field)
        if not (entry.get("journal") or entry.get("publisher")):
            raise fail(path, key, "needs 'journal' or 'publisher'")
        if not any(entry.get(f) for f in ("url", "doi", "pmid", "location")):
            raise fail(path, key, "needs one of 'url', 'doi', 'pmid', 'location'")
        if "year" in entry and not isinstance(entry["year"], int):
            raise fail(path, key, "'year' must be a number")
    return raw


def load_terms(path: Path, kind: str) -> dict[str, Term]:
    """Conditions or interventions by id, with a parent chain that ends and never loops."""
    raw = read(path)
    if not isinstance(raw, dict) or not raw:
        raise fail(path, None, f"must be a non-empty mapping of {kind} ids")
    terms = {}
    for key, entry in raw.items():
        if not isinstance(key, str) or not ID.match(key):
            raise fail(path, key, "ids must be lower-case words joined by '-'")
        fields(path, key, entry, _TERM_FIELDS[kind])
        synonyms = strings(path, key, entry["synonyms"], "synonyms")
        regex(path, key, synonyms, "synonyms")
        family = ""
        if kind == "intervention":
            family = entry["family"]
            if family not in _FAMILIES:
                raise fail(path, key, f"'family' must be one of {', '.join(sorted(_FAMILIES))}")
            if not isinstance(entry["clinic_product"], bool):
                raise fail(path, key, "'clinic_product' must be true or false")
        terms[key] = Term(key, text(path, key, entry["name"], "name"), entry.get("parent"),
                          synonyms, family, bool(entry.get("clinic_product", False)))
    for term in terms.values():
        seen = {term.id}
        parent = term.parent
        while parent is not None:
            if parent not in terms:
                raise fail(path, term.id, f"unknown parent '{parent}'")
            if parent in seen:
                raise fail(path, term.id, "parent chain loops")
            seen.add(parent)
            parent = terms[parent].parent
    return terms


def load(directory: Path, sources_path: Path) -> Data:
    """Read and validate everything; raises DataError naming the file and entry."""
    sources = load_sources(sources_path)
    conditions = Lexicon("condition", load_terms(directory / "conditions.yaml", "condition"))
    interventions = Lexicon(
        "intervention", load_terms(directory / "interventions.yaml", "intervention"))
    if GENERIC not in interventions.terms:
        raise fail(directory / "interventions.yaml", GENERIC, "missing (the generic fallback)")
    path = directory / "status.yaml"
    raw = read(path)
    if not isinstance(raw, dict):
        raise fail(path, None, "must be a mapping with statuses, defaults, anchors, cues")
    unknown = sorted(set(raw) - {"statuses", "defaults", "anchors", "cues"})
    if unknown:
        raise fail(path, None, f"unknown top-level key(s): {', '.join(map(str, unknown))}")
    for key in ("statuses", "defaults", "anchors", "cues"):
        if key not in raw:
            raise fail(path, None, f"missing top-level key '{key}'")
    statuses = _statuses(path, raw["statuses"], sources, conditions, interventions)
    defaults = _defaults(path, raw["defaults"], sources, interventions)
    anchors = _anchors(path, raw["anchors"], sources, conditions, interventions)
    anchor_scan = None
    if anchors:
        anchor_scan = re.compile("|".join(f"(?:{a.pattern.pattern})" for a in anchors), re.I)
    cues = _cues(path, raw["cues"])
    log.debug("evidence base loaded: %d conditions, %d interventions, %d pairs, %d anchors",
              len(conditions.terms), len(interventions.terms), len(statuses), len(anchors))
    return Data(sources, conditions, interventions, Scanner(conditions, interventions),
                statuses, defaults, tuple(anchors), anchor_scan, cues)


def _known_id(path: Path, where, value, lexicon: Lexicon, field: str) -> None:
    if value not in lexicon.terms:
        raise fail(path, where, f"unknown {lexicon.kind} id '{value}' in '{field}'")


def _statuses(path: Path, items, sources, conditions, interventions) -> dict:
    """Per-pair entries, keyed (intervention, condition)."""
    statuses = {}
    for n, item in enumerate(items or []):
        where = f"statuses[{n}]"
        fields(path, where, item, _STATUS_FIELDS)
        i, c = item["intervention"], item["condition"]
        where = f"{i} x {c}"
        _known_id(path, where, i, interventions, "intervention")
        _known_id(path, where, c, conditions, "condition")
        if (i, c) in statuses:
            raise fail(path, where, "duplicate pair")
        level = item["level"]
        if level not in LEVELS:
            raise fail(path, where, f"'level' must be one of {', '.join(LEVELS)}")
        population = text(path, where, item["population"], "population", allow_empty=True)
        if (level == "established") != bool(population):
            raise fail(path, where, "'population' is required for established and empty otherwise")
        summary = text(path, where, item["summary"], "summary")
        keys = check_sources(path, where, item["sources"], sources, summary)
        cues, conds = None, frozenset()
        if "requires" in item:
            req = item["requires"]
            if level != "established":
                raise fail(path, where, "'requires' only applies to established entries")
            fields(path, where, req, ({"cues", "conditions"}, set()))
            cues = regex(path, where, strings(path, where, req["cues"], "requires.cues"),
                         "requires.cues")
            conds = frozenset(strings(path, where, req["conditions"] or [],
                                      "requires.conditions", allow_empty=True))
            for cond in conds:
                _known_id(path, where, cond, conditions, "requires.conditions")
        statuses[(i, c)] = Entry(i, c, level, population, summary, keys, cues, conds)
    return statuses


def _defaults(path: Path, items, sources, interventions) -> dict:
    """Fall-back entries per intervention, plus the catch-all '*'."""
    defaults = {}
    for n, item in enumerate(items or []):
        fields(path, f"defaults[{n}]", item, _DEFAULT_FIELDS)
        i = item["intervention"]
        where = f"default {i}"
        if i != "*":
            _known_id(path, where, i, interventions, "intervention")
        if i in defaults:
            raise fail(path, where, "duplicate default")
        level = item["level"]
        if level not in (*LEVELS, UNKNOWN) or level == "established":
            raise fail(path, where, "'level' must be investigational, no-evidence or unknown")
        summary = text(path, where, item["summary"], "summary")
        keys = check_sources(path, where, item["sources"], sources, summary)
        first = item.get("precedes_generic", False)
        if not isinstance(first, bool):
            raise fail(path, where, "'precedes_generic' must be true or false")
        defaults[i] = Entry(i, "*", level, "", summary, keys, precedes_generic=first)
    if "*" not in defaults:
        raise fail(path, None, "defaults need a catch-all entry with intervention '*'")
    return defaults


def _anchors(path: Path, items, sources, conditions, interventions) -> list[Anchor]:
    """Named studies, registries and approvals a text may cite, each with its patterns."""
    anchors, seen = [], set()
    for n, item in enumerate(items or []):
        fields(path, f"anchors[{n}]", item, _ANCHOR_FIELDS)
        aid = item["id"]
        if not isinstance(aid, str) or not ID.match(aid) or aid in seen:
            raise fail(path, f"anchors[{n}]", "'id' must be a unique lower-case id")
        seen.add(aid)
        if item["kind"] not in _ANCHOR_KINDS:
            raise fail(path, aid, f"'kind' must be one of {', '.join(sorted(_ANCHOR_KINDS))}")
        if item["result"] not in _ANCHOR_RESULTS:
            raise fail(path, aid, f"'result' must be one of {', '.join(sorted(_ANCHOR_RESULTS))}")
        ints = strings(path, aid, item["interventions"] or [], "interventions",
                       allow_empty=item["kind"] == "preclinical")
        for i in ints:
            _known_id(path, aid, i, interventions, "interventions")
        cond = item["condition"]
        if cond is not None:
            _known_id(path, aid, cond, conditions, "condition")
        name = text(path, aid, item["name"], "name")
        summary = text(path, aid, item["summary"], "summary")
        check_sources(path, aid, item["sources"], sources, summary)
        pattern = regex(path, aid, strings(path, aid, item["patterns"], "patterns"), "patterns")
        anchors.append(Anchor(aid, name, item["kind"], item["result"], pattern, ints, cond,
                              summary))
    return anchors


def _cues(path: Path, cues_raw) -> dict[str, re.Pattern]:
    """The wording cues the checks look for, one compiled pattern each."""
    if not isinstance(cues_raw, dict):
        raise fail(path, "cues", "must be a mapping")
    unknown = sorted(set(cues_raw) - set(_CUES))
    if unknown:
        raise fail(path, "cues", f"unknown key(s): {', '.join(map(str, unknown))}")
    missing = [c for c in _CUES if c not in cues_raw]
    if missing:
        raise fail(path, "cues", f"missing field(s): {', '.join(missing)}")
    return {name: regex(path, "cues", strings(path, "cues", cues_raw[name], name), name)
            for name in _CUES}
