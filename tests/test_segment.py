"""Sentence segmentation of marketing copy: boundaries, bullets, abbreviations, and invariants."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.segment import BULLET_RE, Segmenter, split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


# --- boundaries ------------------------------------------------------------------------------


def test_plain_sentences_split_on_full_stop_question_and_exclamation():
    text = "Our MSC protocol is gentle. Is it right for you? Book a call today! We reply within a day."
    assert texts(text) == [
        "Our MSC protocol is gentle.",
        "Is it right for you?",
        "Book a call today!",
        "We reply within a day.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Okafor has treated ALS patients since 2012.",
        "Mr. Lindqvist walked unaided after his second infusion.",
        "Mrs. Patel travelled from Leeds for her knee osteoarthritis.",
        "Prof. Haldane leads the autism programme in Panama.",
        "The clinic on St. Mary's Road treats spinal cord injury.",
        "Chronic conditions, e.g. COPD and heart failure, respond well.",
        "Adipose cells, i.e. fat-derived cells, are harvested the same day.",
        "Cord blood vs. bone marrow: Which is better for Parkinson's disease?",
        "Tanaka et al. reported gains in grip strength after stroke.",
        "Each vial holds approx. 100 million cells for knee injections.",
        "Protocol No. 7 is reserved for progressive MS.",
        "Our results are listed in No. 12 of the newsletter.",
        "Neutrophils stayed at 2.5 x 10^9/L and 78.3% of patients improved.",
        "See doi:10.1016/j.jcyt.2019.02.014 for the COPD case series.",
        "Read https://www.ncbi.nlm.nih.gov/pubmed/30039439 before you book.",
        "Founder Dr. Neil H. Brandt opened the stroke clinic in 2015.",
        "It was cleared by the U.S. Food and Drug Administration for blood cancers only.",
    ],
)
def test_abbreviations_numbers_urls_and_dois_do_not_split(text):
    assert texts(text) == [text]


def test_abbreviation_then_capitalised_word_still_splits_at_real_sentence_end():
    text = "We treat MS. The infusion takes an hour. We screen for hepatitis C. Not all qualify."
    assert texts(text) == [
        "We treat MS.",
        "The infusion takes an hour.",
        "We screen for hepatitis C.",
        "Not all qualify.",
    ]


def test_no_before_a_word_is_an_answer_not_an_abbreviation():
    assert texts("Does it hurt? No. Most patients feel nothing.") == [
        "Does it hurt?",
        "No.",
        "Most patients feel nothing.",
    ]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    text = "“My son’s autism was cured.” His mother says so. (Results vary.) Call us."
    assert texts(text) == [
        "“My son’s autism was cured.”",
        "His mother says so.",
        "(Results vary.)",
        "Call us.",
    ]


def test_quoted_question_inside_a_sentence_does_not_split():
    text = 'Patients ask "will I walk again?" before every spinal cord injury consultation.'
    assert texts(text) == [text]


def test_lowercase_after_full_stop_does_not_split():
    assert texts("Fees start at $5,000 incl. travel and we cover the U.S. and Canada.") == [
        "Fees start at $5,000 incl. travel and we cover the U.S. and Canada."
    ]


# --- lines, headings and bullets -------------------------------------------------------------


def test_bullets_are_their_own_sentences_without_markers():
    text = (
        "Conditions we treat:\n"
        "• Multiple sclerosis\n"
        "- ALS\n"
        "* Parkinson's disease\n"
        "· Autism\n"
        "▪ Knee osteoarthritis\n"
        "1. Stroke\n"
        "2) COPD\n"
    )
    assert texts(text) == [
        "Conditions we treat:",
        "Multiple sclerosis",
        "ALS",
        "Parkinson's disease",
        "Autism",
        "Knee osteoarthritis",
        "Stroke",
        "COPD",
    ]


def test_bullet_offsets_exclude_the_marker():
    text = "  •  Reverses nerve damage in weeks\n"
    (s,) = split_sentences(text)
    assert (s.start, s.end) == (5, 35)
    assert text[s.start : s.end] == "Reverses nerve damage in weeks"


def test_bullet_with_two_sentences_and_a_wrapped_line():
    text = (
        "• Myelin repair: Our cells rebuild the myelin sheath. Most MS patients\n"
        "  notice it within weeks.\n"
        "• Fewer relapses"
    )
    assert texts(text) == [
        "Myelin repair: Our cells rebuild the myelin sheath.",
        "Most MS patients\n  notice it within weeks.",
        "Fewer relapses",
    ]


def test_heading_on_its_own_line_is_a_sentence():
    text = "Regenerative Medicine for COPD\nBreathing easier starts with one infusion. Ask us how."
    assert texts(text) == [
        "Regenerative Medicine for COPD",
        "Breathing easier starts with one infusion.",
        "Ask us how.",
    ]


def test_wrapped_prose_joins_when_next_line_starts_lowercase():
    text = "Umbilical cord stem cells may help children with autism\nimprove eye contact and speech."
    assert texts(text + "\n") == [text]


def test_wrapped_prose_joins_after_comma_or_function_word():
    text = (
        "After treatment at our clinic in Cancun,\nMaria walked again. "
        "Patients treated with\nCD34+ cells report less pain."
    )
    assert texts(text) == [
        "After treatment at our clinic in Cancun,\nMaria walked again.",
        "Patients treated with\nCD34+ cells report less pain.",
    ]


def test_line_ending_in_terminal_punctuation_splits_even_before_lowercase():
    assert texts("No waiting lists.\nno referrals needed") == ["No waiting lists.", "no referrals needed"]


def test_blank_line_always_splits():
    text = "Spinal cord injury recovery\n\nwith our proprietary exosome blend"
    assert texts(text) == ["Spinal cord injury recovery", "with our proprietary exosome blend"]


def test_line_ending_with_colon_ends_a_sentence():
    assert texts("Our stroke patients report:\nbetter balance and clearer speech") == [
        "Our stroke patients report:",
        "better balance and clearer speech",
    ]


def test_crlf_and_form_feed_lines():
    assert texts("Heal your knees\r\nNo surgery required.\fBook now") == [
        "Heal your knees",
        "No surgery required.",
        "Book now",
    ]


def test_emoji_and_odd_unicode_do_not_crash():
    text = "🌟 Walk again 🌟\u200b\nCure ALS today!!! 💉💉 \ud800 Thank you\u2028Done\u0000."
    result = split_sentences(text)
    assert [s.text for s in result] == [
        "🌟 Walk again 🌟\u200b",
        "Cure ALS today!!!",
        "💉💉 \ud800 Thank you",
        "Done\u0000.",
    ]


def test_empty_and_whitespace_only_give_no_sentences():
    assert split_sentences("") == ()
    assert split_sentences(" \n\t\n  ") == ()
    assert split_sentences("•\n- \n1.") == ()


def test_indices_are_sequential_and_default_is_shared():
    result = Segmenter().split("One. Two! Three?")
    assert [s.index for s in result] == [0, 1, 2]
    assert split_sentences("One. Two! Three?") == result


# --- invariants ------------------------------------------------------------------------------


def check_invariants(text: str) -> None:
    """What split() guarantees for any input (see claimcheck.segment's docstring)."""
    sentences = Segmenter().split(text)
    covered = [False] * len(text)
    prev_end = 0
    for i, s in enumerate(sentences):
        assert s.index == i
        assert prev_end <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        for k in range(s.start, s.end):
            covered[k] = True
        prev_end = s.end
    # Nothing silently dropped: an uncovered non-space character must sit in a bullet marker
    # at the start of its line, before any covered character of that line.
    pos = 0
    for line in text.splitlines(keepends=True):
        lo, hi = pos, pos + len(line)
        pos = hi
        missing = [k for k in range(lo, hi) if not covered[k] and not text[k].isspace()]
        if not missing:
            continue
        first_covered = next((k for k in range(lo, hi) if covered[k]), hi)
        assert missing[-1] < first_covered, (line, missing)
        marker = text[lo:first_covered].strip()
        assert BULLET_RE.fullmatch(marker), (line, marker)
        assert len(marker) <= 5


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_invariants_on_arbitrary_unicode(text):
    check_invariants(text)


FRAGMENTS = [
    "Stem cells cure MS",
    "Dr. Reyes",
    "e.g. ALS",
    "78.3% improved",
    "2.5 x 10^9/L",
    "https://example.org/a.b",
    "doi:10.1000/x.y.2019",
    "“Walk again.”",
    "(see No. 4)",
    "et al.",
    "Parkinson's",
    "knee osteoarthritis",
    "COPD?",
    "AUTISM!",
    "1.",
    "2)",
    "•",
    "-",
    "*",
    "▪",
    "·",
    "",
    " ",
    "...",
    "🙂",
    "U.S.",
    "Neil H.",
    "stroke:",
]
SEPARATORS = [
    "\n", ". ", "• ", "\n\n", " ", "\n- ", "\n1. ", ": ", "? ", "! ",
    "\r\n", "” ", "\n  ", ",\n", "\t", "\u2028", "\n* ",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)),
            st.sampled_from(SEPARATORS),
        ),
        max_size=25,
    )
)
def test_invariants_on_marketing_like_fragments(parts):
    check_invariants("".join(a + b for a, b in parts))
