"""Match stage: run every checklist rule over a document's sentences and return Hits.

The closed set of matcher kinds lives here (regex, phrase, pattern) and in learn/runtime.py
(model); a new kind is one compile function and its test. Regex and phrase rules are compiled once. For speed they run
case-sensitively over a lower-cased copy of the text (same offsets; Python's IGNORECASE
scanning is about twice as slow), and only on sentences their literal prefilter admits.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from .checklist import Checklist, Entry, Rule
from .errors import ChecklistError
from .prefilter import (
    compile_lowered, compile_with_factors, lower_same_length, runs_on_original,
    token_pattern_factors,
)
from .types import Hit, Sentence

_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def expand_macros(pattern: str, macros: dict[str, str], where: str) -> str:
    """Replace {name} with the macro's regex, wrapped as a non-capturing group."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in macros:
            raise ChecklistError(f"{where}: unknown macro {{{name}}}", code="CC206")
        return f"(?:{macros[name]})"

    return _MACRO.sub(sub, pattern)


def compile_condition(pattern: str, macros: dict[str, str], where: str) -> re.Pattern:
    """A rule's near/unless regex, macros expanded, compiled for the lower-cased text."""
    try:
        return compile_lowered(expand_macros(pattern, macros, where))
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
    factors: frozenset[str] | None = None  # every match contains one of these (lower case)

    def accepts(self, sentence: str, low_sentence: str, memo: dict) -> bool:
        return conditions_hold(self.near, self.unless, sentence, low_sentence, memo)


def conditions_hold(near: tuple[re.Pattern, ...], unless: tuple[re.Pattern, ...], sentence: str,
                    low_sentence: str, memo: dict | None = None) -> bool:
    """near all match and no unless matches in the sentence (memoised per document); for any
    matcher kind. Case-aware patterns ((?-i:...)) run on the original sentence."""
    memo = {} if memo is None else memo

    def found(p: re.Pattern) -> bool:
        key = (p, low_sentence)
        if key not in memo:
            memo[key] = p.search(sentence if runs_on_original(p) else low_sentence) is not None
        return memo[key]

    return all(found(p) for p in near) and not any(found(p) for p in unless)


def compile_entry(entry: Entry, macros: dict[str, str]) -> tuple[CompiledRule, ...]:
    where = Path(entry.path).name
    out = []
    for rule in entry.rules:
        if rule.kind == "model":
            continue  # run by the learned layer (claimcheck/learn/runtime.py), not here
        rwhere = f"{where} rule {rule.id}"
        search = token_pattern = factors = None
        if rule.kind == "regex":
            try:
                search, factors = compile_with_factors(expand_macros(rule.pattern, macros, rwhere))
            except re.error as exc:
                raise ChecklistError(f"{rwhere}: invalid regex ({exc})", code="CC207") from None
        elif rule.kind == "phrase":
            search, factors = compile_with_factors(_phrase_regex(rule.pattern))
        else:
            token_pattern = rule.pattern
            factors = token_pattern_factors(token_pattern)
        out.append(CompiledRule(
            flag_id=entry.id, rule=rule, search=search, token_pattern=token_pattern,
            near=tuple(compile_condition(p, macros, rwhere) for p in rule.near),
            unless=tuple(compile_condition(p, macros, rwhere) for p in rule.unless),
            factors=factors,
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
        self._token_rule_positions = [p for p, r in enumerate(self.rules) if r.token_pattern is not None]
        self._spacy_matcher = None
        self._automaton = None

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

    def _literal_index(self):
        """One Aho-Corasick automaton over every rule's literals: literal -> rule positions."""
        if self._automaton is None:
            import ahocorasick

            owners: dict[str, list[int]] = {}
            for pos, rule in enumerate(self.rules):
                for literal in rule.factors or ():
                    owners.setdefault(literal, []).append(pos)
            automaton = ahocorasick.Automaton()
            for literal, rule_positions in owners.items():
                automaton.add_word(literal, (len(literal), tuple(rule_positions)))
            if owners:
                automaton.make_automaton()
            self._automaton = automaton if owners else False
        return self._automaton

    def _candidates(self, low: str, starts) -> dict[int, set[int]]:
        """rule position -> indices of the sentences that contain one of its literals."""
        automaton = self._literal_index()
        where: dict[int, set[int]] = {}
        if not automaton:
            return where
        for end, (length, rule_positions) in automaton.iter(low):
            i = bisect.bisect_right(starts, end - length + 1) - 1
            if i < 0:
                continue
            for pos in rule_positions:
                where.setdefault(pos, set()).add(i)
        return where

    def match(self, text: str, sentences: tuple[Sentence, ...]) -> list[Hit]:
        """Every (rule, sentence) hit, in document order; a match must lie inside one sentence.

        A rule with literal factors runs only on the sentences that contain one of them (found
        for all rules in one Aho-Corasick pass); the others scan the whole text once.
        """
        if not sentences:
            return []
        starts = [s.start for s in sentences]
        low = lower_same_length(text)
        where = self._candidates(low, starts)
        memo: dict = {}
        hits: list[Hit] = []
        for pos, rule in enumerate(self.rules):
            if rule.search is None:
                continue
            haystack = text if runs_on_original(rule.search) else low
            if rule.factors is None:
                candidates = self._all_matches(rule, haystack, starts, sentences)
            else:
                candidates = self._in_sentences(rule, haystack, sentences, where.get(pos, ()))
            for sent, m in candidates:
                if rule.accepts(sent.text, low[sent.start:sent.end], memo):
                    hits.append(Hit(rule.flag_id, sent, rule.rule.id, text[m.start():m.end()],
                                    m.start(), m.end(), rule.rule.kind))
        if self._token_rules:
            hits.extend(self._match_tokens(low, where, sentences))
        hits.sort(key=lambda h: (h.start, h.flag_id))
        return hits

    @staticmethod
    def _all_matches(rule, haystack, starts, sentences):
        for m in rule.search.finditer(haystack):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and m.end() > m.start() and m.end() <= sentences[i].end:
                yield sentences[i], m

    @staticmethod
    def _in_sentences(rule, haystack, sentences, indices):
        for i in sorted(indices):
            sent = sentences[i]
            for m in rule.search.finditer(haystack, sent.start, sent.end):
                if m.end() > m.start():
                    yield sent, m

    def _match_tokens(self, low: str, where: dict[int, set[int]],
                      sentences: tuple[Sentence, ...]) -> list[Hit]:
        """Token patterns need the sentence tokenised: only where a rule's literals occur and
        its near/unless conditions hold (checked first: they are cheaper than tokenising)."""
        from .nlp import blank_nlp

        matcher = self._token_matcher()
        admitted: dict[int, set[int]] = {}  # sentence index -> positions in self.rules
        memo: dict = {}
        for pos, rule in enumerate(self.rules):
            if rule.token_pattern is None:
                continue
            indices = range(len(sentences)) if rule.factors is None else where.get(pos, ())
            for i in indices:
                sent = sentences[i]
                if rule.accepts(sent.text, low[sent.start:sent.end], memo):
                    admitted.setdefault(i, set()).add(pos)
        hits = []
        for i in sorted(admitted):
            sent = sentences[i]
            doc = blank_nlp().make_doc(sent.text)
            for key, s, e in matcher(doc):
                rule_pos = self._token_rule_positions[int(blank_nlp().vocab.strings[key])]
                if rule_pos not in admitted[i]:
                    continue
                rule = self.rules[rule_pos]
                span = doc[s:e]
                start = sent.start + span.start_char
                hits.append(Hit(rule.flag_id, sent, rule.rule.id, span.text, start,
                                start + len(span.text), "pattern"))
        return hits
