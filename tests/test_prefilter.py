"""The literal prefilter may skip a sentence only when the rule cannot match it."""
from __future__ import annotations

from claimcheck.auditor import Auditor
from claimcheck.checklist import load_checklist
from claimcheck.prefilter import literal_factors, lower_same_length, runs_on_original


def test_factors_of_common_shapes():
    assert literal_factors(r"\bcur(?:e|es|ed)\b") == frozenset({"cure"})  # prefix factored out
    assert literal_factors(r"(?:[$€£]\s?\d|\bprice\b)") == frozenset({"$", "€", "£", "price"})
    assert literal_factors(r"\b(?:regrow|rebuild)s?\s+cartilage") == frozenset({"cartilage"})
    assert literal_factors(r"[a-z]+\d") is None  # nothing literal: scanned in full


def test_common_words_are_not_chosen_as_the_key():
    assert literal_factors(r"\bthe\s+\w+\s+guarantee") == frozenset({"guarantee"})


def test_lower_same_length_keeps_offsets():
    text = "İstanbul clinic: ÉTUDE"
    assert len(lower_same_length(text)) == len(text)


def test_every_bundled_rule_match_contains_one_of_its_literals():
    matcher = Auditor().load()._matcher
    texts = [t for examples in _all_examples() for t in examples]
    for rule in matcher.rules:
        if rule.search is None or rule.factors is None:
            continue
        for text in texts:
            low = lower_same_length(text)
            hay = text if runs_on_original(rule.search) else low
            if rule.search.search(hay):
                assert any(f in low for f in rule.factors), (rule.flag_id, rule.rule.id, text)


def _all_examples():
    return [e.examples_flag + e.examples_pass for e in load_checklist().entries]
