"""The one spaCy pipeline claimcheck uses: spacy.blank("en"), created on first use."""
from __future__ import annotations

from functools import cache


@cache
def blank_nlp():
    """A blank English tokenizer (no model download). Shared by segmentation and context."""
    import spacy

    return spacy.blank("en")
