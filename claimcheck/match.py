"""Match stage: run every checklist rule over a document's sentences and return Hits.

The closed set of matcher kinds lives here (regex, phrase, pattern); a new kind is one
compile function and its test. Regex and phrase rules are compiled once and run over the
whole text (fast C scanning), then mapped to the sentence that contains them.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from .checklist import Checklist, Entry, Rule
from .errors import ChecklistError
from .types import Hit, Sentence

_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FLAGS = re.IGNORECASE


def expand_macros(pattern: str, macros: dict[str, str], where: str) -> str:
    """Replace {name} with the macro's regex, wrapped as a non-capturing group."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in macros:
            raise ChecklistError(f"{where}: unknown macro {{{name}}}", code="CC206")
        return f"(?:{macros[name]})"

    return _MACRO.sub(sub, pattern)


def _compile(pattern: str, macros: dict[str, str], where: str) -> re.Pattern:
    try:
        return re.compile(expand_macros(pattern, macros, where), _FLAGS)
    except re.error as exc:
        raise ChecklistError(f"{where}: invalid regex ({exc})", code="CC207") from None


def _phrase_regex(phrases) -> str:
    parts = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases]
    return r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"


@dataclass(frozen=True)
class CompiledRule:
    flag_id: str
    rule: Rule
    search: re.Pattern | None  # regex and phrase kinds
    token_pattern: list | None  # pattern kind (spaCy Matcher)
    near: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]

    def accepts(self, sentence_text: str) -> bool:
        return all(p.search(sentence_text) for p in self.near) and not any(
            p.search(sentence_text) for p in self.unless
        )


def compile_entry(entry: Entry, macros: dict[str, str]) -> tuple[CompiledRule, ...]:
    where = Path(entry.path).name
    out = []
    for rule in entry.rules:
        rwhere = f"{where} rule {rule.id}"
        search = token_pattern = None
        if rule.kind == "regex":
            search = _compile(rule.pattern, macros, rwhere)
        elif rule.kind == "phrase":
            search = re.compile(_phrase_regex(rule.pattern), _FLAGS)
        else:
            token_pattern = rule.pattern
        out.append(CompiledRule(
            flag_id=entry.id, rule=rule, search=search, token_pattern=token_pattern,
            near=tuple(_compile(p, macros, rwhere) for p in rule.near),
            unless=tuple(_compile(p, macros, rwhere) for p in rule.unless),
        ))
    return tuple(out)


class RuleMatcher:
    """All detect rules of a checklist, compiled once; reusable across documents."""

    def __init__(self, checklist: Checklist, macros: dict[str, str]):
        self.rules: tuple[CompiledRule, ...] = tuple(
            rule
            for entry in checklist.entries
            if entry.kind in ("claim", "signal")
            for rule in compile_entry(entry, macros)
        )
        self._token_rules = [r for r in self.rules if r.token_pattern is not None]
        self._spacy_matcher = None

    def _token_matcher(self):
        if self._spacy_matcher is None:
            from spacy.matcher import Matcher

            from .nlp import blank_nlp

            matcher = Matcher(blank_nlp().vocab)
            for i, rule in enumerate(self._token_rules):
                try:
                    matcher.add(str(i), [rule.token_pattern])
                except Exception as exc:  # spaCy raises ValueError/MatchPatternError
                    raise ChecklistError(
                        f"{rule.flag_id} rule {rule.rule.id}: invalid token pattern ({exc})",
                        code="CC207",
                    ) from None
            self._spacy_matcher = matcher
        return self._spacy_matcher

    def match(self, text: str, sentences: tuple[Sentence, ...]) -> list[Hit]:
        """Every (rule, sentence) hit, in document order; a match must lie inside one sentence."""
        if not sentences:
            return []
        starts = [s.start for s in sentences]
        hits: list[Hit] = []
        for rule in self.rules:
            if rule.search is None:
                continue
            for m in rule.search.finditer(text):
                if m.end() == m.start():
                    continue
                i = bisect.bisect_right(starts, m.start()) - 1
                if i < 0:
                    continue
                sent = sentences[i]
                if m.end() > sent.end or not rule.accepts(sent.text):
                    continue
                hits.append(Hit(rule.flag_id, sent, rule.rule.id, m.group(0), m.start(), m.end(),
                                rule.rule.kind))
        if self._token_rules:
            hits.extend(self._match_tokens(sentences))
        hits.sort(key=lambda h: (h.start, h.flag_id))
        return hits

    def _match_tokens(self, sentences: tuple[Sentence, ...]) -> list[Hit]:
        from .nlp import blank_nlp

        matcher = self._token_matcher()
        hits = []
        for sent in sentences:
            doc = blank_nlp().make_doc(sent.text)
            for key, s, e in matcher(doc):
                rule = self._token_rules[int(blank_nlp().vocab.strings[key])]
                span = doc[s:e]
                if not rule.accepts(sent.text):
                    continue
                start = sent.start + span.start_char
                hits.append(Hit(rule.flag_id, sent, rule.rule.id, span.text, start,
                                start + len(span.text), "pattern"))
        return hits
