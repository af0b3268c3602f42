"""Finding identity that survives re-crawls: (flag id, normalised source, normalised sentence).

Offsets and line numbers change when a page is edited around a claim; the claim's own words
and the page it sits on do not, so a reviewer's decision stays attached to it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def normalise_source(source: str | None) -> str:
    """Lower-case; URLs lose scheme, 'www.', query, fragment and trailing slash."""
    if not source or source == "-":
        return "-"
    source = source.strip()
    if "://" in source:
        parts = urlsplit(source)
        host = parts.netloc.lower().removeprefix("www.")
        return f"{host}{parts.path.rstrip('/')}".lower()
    return source.replace("\\", "/").lower()


def normalise_sentence(sentence: str) -> str:
    """NFKC, case-folded, whitespace collapsed, surrounding punctuation removed."""
    text = unicodedata.normalize("NFKC", sentence).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _EDGE_PUNCT.sub("", _SPACE.sub(" ", text).strip())


def fingerprint(flag_id: str, source: str | None, sentence: str) -> str:
    key = "\x1f".join((flag_id, normalise_source(source), normalise_sentence(sentence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
