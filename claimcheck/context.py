"""ConText-style context: which cue words around a hit switch it off (negated, warning, ...).

Rules are data (data/context.yaml); this module compiles them into spaCy matchers on the blank
tokenizer and answers one question per hit: whose scope covers this trigger? Sentences are
tokenised only when a hit asks about them, and the analysis is cached by sentence text.
"""
from __future__ import annotations

import logging
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import yamlio

from . import paths
from .errors import DataError
from .types import ContextCue, Sentence

log = logging.getLogger("claimcheck")

CATEGORIES = ("negated", "warning", "reported", "attributed", "hypothetical", "question",
              "hedged", "pseudo")
DIRECTIONS = ("forward", "backward", "bidirectional")
EFFECTS = ("suppress", "downgrade")
TERMINATE = ("always", "subject", "never")
_TOP_KEYS = {"version", "terminators", "subject_words", "list_items", "vocab", "rules"}
_RULE_KEYS = {"id", "category", "cues", "direction", "max_scope", "effect", "stop_at",
              "terminate", "list_scope", "anaphoric", "note"}
_PSEUDO_KEYS = {"id", "category", "cues", "blocks", "note"}
_LIST_KEYS = {"max_items", "max_tokens"}
_TERMINATOR = "__terminator__"
_CACHE_SIZE = 2048
_SUBJECT_WINDOW = 3  # tokens after a terminator searched for a new (first/second person) subject
_ANAPHORA_WINDOW = 3  # previous sentences searched for what "these clinics" refers to
_DISTANCING = frozenset({"warning", "reported", "attributed"})


@dataclass(frozen=True)
class Rule:
    """One compiled context rule (see data/context.yaml for the meaning of each field)."""

    id: str
    category: str
    direction: str = "forward"
    max_scope: int | None = None
    effect: str = "suppress"
    stop_at: frozenset[str] = frozenset()
    terminate: str = "always"
    list_scope: bool = False
    anaphoric: bool = False
    blocks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Match:
    """A surviving cue match in one sentence: token span [a, b) and local chars [cs, ce)."""

    rule: Rule
    a: int
    b: int
    cs: int
    ce: int


@dataclass(frozen=True)
class _Analysis:
    """Everything about one sentence text the scope checks need."""

    starts: tuple[int, ...]  # local char start of each token
    ends: tuple[int, ...]
    lower: tuple[str, ...]
    cues: tuple[_Match, ...]
    terminators: frozenset[int]  # token indices that end a scope (outside any cue)
    shielded: frozenset[int]  # token indices inside a cue or pseudo match

    @property
    def n_tokens(self) -> int:
        return len(self.starts)


@dataclass(frozen=True)
class _Config:
    rules: dict[str, Rule]
    subject_words: frozenset[str]
    max_items: int
    max_tokens: int
    phrase_matcher: object
    # (anchor words, Matcher): a token pattern runs only on sentences containing one of its
    # anchor words (None: always) -- spaCy's Matcher is the costly part of the analysis.
    token_matchers: tuple[tuple[frozenset[int] | None, object], ...]  # anchors as string hashes


# Words too common to tell whether a token pattern can match (an anchor set holding one is a
# last resort, used only when no other token of the pattern has a literal constraint).
_COMMON = frozenset("of that which who whose to in the a an and or with for is are if any".split())


def _anchors(pattern: list[dict]) -> frozenset[str] | None:
    """The most selective set of lowercase words of which a match must contain one (None: any)."""
    best, best_cost = None, None
    for spec in pattern:
        if spec.get("OP") in ("?", "*", "!"):
            continue
        for attr in ("LOWER", "ORTH", "TEXT", "NORM"):
            value = spec.get(attr)
            if isinstance(value, str):
                words = frozenset({value.lower()})
            elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                words = frozenset(str(v).lower() for v in value["IN"])
            else:
                continue
            cost = len(words) + (1000 if words & _COMMON else 0)
            if best_cost is None or cost < best_cost:
                best, best_cost = words, cost
    return best


def _err(path: Path, where: str, msg: str) -> DataError:
    return DataError(f"{path.name}: {where}: {msg}", code="CC310")


def _str_list(path: Path, where: str, value, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(path, where, f"'{name}' must be a list of non-empty strings")
    return value


def _apostrophe_variants(phrase: str) -> set[str]:
    return {phrase, phrase.replace("'", "\u2019"), phrase.replace("\u2019", "'")}


def _parse_rule(path: Path, raw, seen: set[str]) -> tuple[Rule, list]:
    if not isinstance(raw, dict):
        raise _err(path, "rules", "every rule must be a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise _err(path, "rules", "a rule has no 'id'")
    where = f"rule '{rid}'"
    if rid in seen:
        raise _err(path, where, "duplicate rule id")
    seen.add(rid)
    category = raw.get("category")
    if category not in CATEGORIES:
        raise _err(path, where, f"category must be one of {', '.join(CATEGORIES)}")
    allowed = _PSEUDO_KEYS if category == "pseudo" else _RULE_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _err(path, where, f"unknown key(s) {', '.join(unknown)}")
    cues = raw.get("cues")
    if not isinstance(cues, list) or not cues:
        raise _err(path, where, "'cues' must be a non-empty list")
    for cue in cues:
        ok_phrase = isinstance(cue, str) and cue.strip()
        ok_pattern = isinstance(cue, list) and cue and all(isinstance(t, dict) for t in cue)
        if not (ok_phrase or ok_pattern):
            raise _err(path, where, "each cue must be a phrase or a token pattern (list of dicts)")
    if category == "pseudo":
        blocks = raw.get("blocks", [])
        blocks = _str_list(path, where, blocks, "blocks") if blocks else []
        bad = [b for b in blocks if b not in CATEGORIES or b == "pseudo"]
        if bad:
            raise _err(path, where, f"'blocks' has unknown categories {', '.join(bad)}")
        return Rule(rid, category, blocks=frozenset(blocks)), cues
    direction = raw.get("direction")
    if direction not in DIRECTIONS:
        raise _err(path, where, f"direction must be one of {', '.join(DIRECTIONS)}")
    max_scope = raw.get("max_scope")
    if max_scope is not None and (isinstance(max_scope, bool) or not isinstance(max_scope, int)
                                  or max_scope < 1):
        raise _err(path, where, "'max_scope' must be a positive integer")
    effect = raw.get("effect", "suppress")
    if effect not in EFFECTS:
        raise _err(path, where, f"effect must be one of {', '.join(EFFECTS)}")
    terminate = raw.get("terminate", "always")
    if terminate not in TERMINATE:
        raise _err(path, where, f"terminate must be one of {', '.join(TERMINATE)}")
    list_scope, anaphoric = raw.get("list_scope", False), raw.get("anaphoric", False)
    if not isinstance(list_scope, bool) or not isinstance(anaphoric, bool):
        raise _err(path, where, "'list_scope' and 'anaphoric' must be true or false")
    stop_at = _str_list(path, where, raw.get("stop_at", []), "stop_at") if raw.get("stop_at") else []
    if any(len(s.split()) != 1 for s in stop_at):
        raise _err(path, where, "'stop_at' entries must be single tokens")
    rule = Rule(rid, category, direction, max_scope, effect,
                frozenset(s.lower() for s in stop_at), terminate, list_scope, anaphoric)
    return rule, cues


def load_rules(path: Path) -> _Config:
    """Parse and compile context rules; any problem is a DataError naming the file and rule."""
    from spacy.matcher import Matcher, PhraseMatcher

    from .nlp import blank_nlp

    if not path.is_file():
        raise DataError(f"{path.name}: context rules file not found at {path}", code="CC311")
    try:
        raw = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except yamlio.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" (line {line + 1})" if line is not None else ""
        raise DataError(f"{path.name}: invalid YAML{at}", code="CC310") from None
    if not isinstance(raw, dict):
        raise _err(path, "top level", "must be a mapping with 'rules' and 'terminators'")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise _err(path, "top level", f"unknown key(s) {', '.join(unknown)}")
    if not isinstance(raw.get("rules"), list) or not raw["rules"]:
        raise _err(path, "top level", "'rules' must be a non-empty list")
    terminators = _str_list(path, "top level", raw.get("terminators", []), "terminators")
    subjects = _str_list(path, "top level", raw.get("subject_words", []) or ["we"], "subject_words")
    items = raw.get("list_items", {}) or {}
    if not isinstance(items, dict) or set(items) - _LIST_KEYS or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in items.values()):
        raise _err(path, "list_items", "must map max_items/max_tokens to positive integers")

    nlp = blank_nlp()
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    grouped: dict[frozenset[str] | None, object] = {}
    rules: dict[str, Rule] = {}
    seen: set[str] = set()
    for raw_rule in raw["rules"]:
        rule, cues = _parse_rule(path, raw_rule, seen)
        rules[rule.id] = rule
        docs = []
        patterns = []
        for cue in cues:
            if isinstance(cue, str):
                docs.extend(nlp.make_doc(v) for v in sorted(_apostrophe_variants(cue.strip())))
            else:
                patterns.append(cue)
        if docs:
            phrases.add(rule.id, docs)
        for pattern in patterns:
            key = _anchors(pattern)
            if key not in grouped:
                grouped[key] = Matcher(nlp.vocab, validate=True)
            try:
                grouped[key].add(rule.id, [pattern], greedy="LONGEST")
            except Exception as exc:  # spaCy raises several types for bad patterns
                detail = " ".join(str(exc).split()) or type(exc).__name__
                raise _err(path, f"rule '{rule.id}'", f"bad token pattern: {detail}") from None
    phrases.add(_TERMINATOR, [nlp.make_doc(v) for t in terminators
                              for v in sorted(_apostrophe_variants(t))])
    return _Config(rules, frozenset(s.lower() for s in subjects), items.get("max_items", 12),
                   items.get("max_tokens", 25), phrases,
                   tuple((None if a is None else frozenset(nlp.vocab.strings.add(w) for w in a), m)
                         for a, m in grouped.items()))


class ContextEngine:
    """Finds the context cues whose scope covers a hit. Loads its rules on first use."""

    def __init__(self, rules_path: Path | None = None):
        self.rules_path = rules_path
        self._config: _Config | None = None
        self._cache: OrderedDict[str, _Analysis] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> "ContextEngine":
        """The shared engine over the bundled rules (claimcheck.paths.context_file())."""
        return _default_engine()

    @property
    def config(self) -> _Config:
        if self._config is None:
            with self._lock:
                if self._config is None:
                    path = self.rules_path or paths.context_file()
                    self._config = load_rules(Path(path))
                    log.debug("context: %d rules from %s", len(self._config.rules), path)
        return self._config

    def load(self) -> "ContextEngine":
        """Load and validate the rules now (errors surface here rather than mid-audit)."""
        _ = self.config
        return self

    # ------------------------------------------------------------------ public
    def cues(self, sentences: tuple[Sentence, ...], index: int, start: int,
             end: int) -> tuple[ContextCue, ...]:
        """Context cues whose scope covers the trigger at absolute offsets [start, end) in
        sentence `index` (cue offsets are absolute too). Includes cues from a ':' list header."""
        sent = sentences[index]
        if not (sent.start <= start <= end <= sent.end):
            raise ValueError(f"trigger [{start}, {end}) is outside sentence {index} "
                             f"[{sent.start}, {sent.end})")
        an = self._analyse(sent.text)
        ls, le = start - sent.start, end - sent.start
        found = [(m, sent, m.rule.effect) for m in an.cues if self._covers(an, m, ls, le)]
        found.extend(self._list_header_cues(sentences, index, an))
        if any(m.rule.anaphoric for m, _, _ in found) and not self._distanced(sentences, index):
            found = [(m, s, "downgrade" if m.rule.anaphoric else e) for m, s, e in found]
        return _dedupe(found)

    def _distanced(self, sentences, index: int) -> bool:
        """Do the previous sentences talk about others (warning, reported, attributed)? Then
        "these clinics" refers to someone else's clinics; otherwise it may be the author's own."""
        for j in range(index - 1, max(-1, index - _ANAPHORA_WINDOW - 1), -1):
            if any(m.rule.category in _DISTANCING and not m.rule.anaphoric
                   for m in self._analyse(sentences[j].text).cues):
                return True
        return False

    # ------------------------------------------------------------------ analysis
    def _analyse(self, text: str) -> _Analysis:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        an = self._compute(text)
        with self._lock:
            self._cache[text] = an
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return an

    def _compute(self, text: str) -> _Analysis:
        from spacy.attrs import IDX, LENGTH, LOWER

        from .nlp import blank_nlp

        cfg = self.config
        doc = blank_nlp().make_doc(text)
        strings = doc.vocab.strings
        if len(doc):
            arr = doc.to_array([IDX, LENGTH, LOWER]).tolist()
        else:
            arr = []
        starts = [r[0] for r in arr]
        ends = [r[0] + r[1] for r in arr]
        words = {r[2] for r in arr}
        lower = [strings[r[2]] for r in arr]
        raw = [(strings[k], a, b) for k, a, b in cfg.phrase_matcher(doc)]
        for anchors, matcher in cfg.token_matchers:
            if anchors is None or not anchors.isdisjoint(words):
                raw += [(strings[k], a, b) for k, a, b in matcher(doc)]
        pseudo, real, terms, blocked = [], [], [], set()
        for key, a, b in raw:
            if key == _TERMINATOR:
                terms.append(a)
                continue
            rule = cfg.rules[key]
            if rule.category == "pseudo":
                pseudo.append((a, b))
                blocked |= rule.blocks
            else:
                real.append((rule, a, b))
        shielded_by_pseudo = {t for a, b in pseudo for t in range(a, b)}
        kept = [(r, a, b) for r, a, b in real
                if r.category not in blocked and not any(t in shielded_by_pseudo for t in range(a, b))]
        shielded = shielded_by_pseudo | {t for _, a, b in kept for t in range(a, b)}
        cues = tuple(sorted({_Match(r, a, b, starts[a], ends[b - 1]) for r, a, b in kept},
                            key=lambda m: (m.a, m.b, m.rule.id)))
        return _Analysis(
            starts=tuple(starts), ends=tuple(ends), lower=tuple(lower), cues=cues,
            terminators=frozenset(t for t in terms if t not in shielded),
            shielded=frozenset(shielded))

    # ------------------------------------------------------------------ scope
    def _covers(self, an: _Analysis, m: _Match, ls: int, le: int) -> bool:
        """Does cue m's scope cover the trigger at local chars [ls, le)?"""
        if m.cs >= ls and m.ce <= le:
            return False  # the cue is part of the trigger ("no side effects")
        rule = m.rule
        if m.cs < ls and rule.direction != "backward":
            ts = bisect_right(an.ends, ls)  # first token ending after the trigger start
            gap = ts - m.b
            if rule.max_scope is not None and gap >= rule.max_scope:
                return False
            return gap <= 0 or not self._ended(an, rule, m.b, ts)
        if m.ce > le and rule.direction != "forward":
            te = bisect_left(an.starts, le)  # tokens starting before the trigger end
            gap = m.a - te
            if rule.max_scope is not None and gap >= rule.max_scope:
                return False
            return gap <= 0 or not self._ended(an, rule, te, m.a)
        return False

    def _ended(self, an: _Analysis, rule: Rule, lo: int, hi: int) -> bool:
        """Is there a terminator (global or the rule's own stop_at) in tokens [lo, hi)?"""
        subjects = self.config.subject_words
        for t in range(lo, hi):
            if t in an.shielded:
                continue
            if rule.stop_at and an.lower[t] in rule.stop_at:
                return True
            if t in an.terminators:
                if rule.terminate == "always":
                    return True
                if rule.terminate == "subject" and any(
                        w in subjects for w in an.lower[t + 1:t + 1 + _SUBJECT_WINDOW]):
                    return True
        return False

    # ------------------------------------------------------------------ list items
    def _list_header_cues(self, sentences, index: int, an: _Analysis):
        """Cues from a ':'-ended header whose short list items include sentence `index`."""
        cfg = self.config
        if index == 0 or sentences[index].text.rstrip().endswith(":"):
            return []
        header = None
        for j in range(index - 1, max(-1, index - cfg.max_items - 1), -1):
            if sentences[j].text.rstrip().endswith(":"):
                header = j
                break
        if header is None or an.n_tokens >= cfg.max_tokens:
            return []
        for k in range(header + 1, index):
            if self._analyse(sentences[k].text).n_tokens >= cfg.max_tokens:
                return []
        hs = sentences[header]
        han = self._analyse(hs.text)
        if not han.n_tokens:
            return []
        colon_s, colon_e = han.starts[-1], han.ends[-1]
        return [(m, hs, m.rule.effect) for m in han.cues
                if m.rule.list_scope and m.ce <= colon_s and self._covers(han, m, colon_s, colon_e)]


def _dedupe(found) -> tuple[ContextCue, ...]:
    """Absolute ContextCues, one per span; a cue nested in a longer one of its category goes."""
    cues = {}
    for m, sent, effect in found:
        key = (m.rule.category, sent.start + m.cs, sent.start + m.ce)
        old = cues.get(key)
        if old is None or (old.effect != "suppress" and effect == "suppress"):
            cues[key] = ContextCue(m.rule.category, sent.text[m.cs:m.ce], key[1], key[2], m.rule.id,
                                   effect)
    out = [c for c in cues.values()
           if not any(o is not c and o.category == c.category and o.start <= c.start
                      and c.end <= o.end and (o.effect == "suppress" or o.effect == c.effect)
                      for o in cues.values())]
    return tuple(sorted(out, key=lambda c: (c.start, c.end, c.category)))


@cache
def _default_engine() -> ContextEngine:
    return ContextEngine()
