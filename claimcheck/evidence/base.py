"""EvidenceBase: the one object the pipeline talks to. Loads the data lazily and delegates
scanning, status look-ups and checks to the modules of this package."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from .. import paths
from ..types import EvidenceStatus, Mention, Sentence
from . import checks, scan
from .data import Data, load
from .records import EvidenceVerdict
from .status import name as term_name, pair_status


class EvidenceBase:
    """Conditions, interventions, per-pair evidence levels and the evidence checks."""

    def __init__(self, directory: Path | None = None, sources: Path | None = None):
        self._directory = Path(directory) if directory is not None else None
        self._sources = Path(sources) if sources is not None else None
        self._loaded: Data | None = None
        self._macros: dict[str, str] | None = None

    @classmethod
    def default(cls) -> "EvidenceBase":
        """The bundled evidence base, shared (loaded once, on first use)."""
        return _default_base()

    # -- loading ----------------------------------------------------------------------------
    def _data(self) -> Data:
        if self._loaded is None:
            directory = self._directory or paths.evidence_dir()
            sources = self._sources
            if sources is None:
                sibling = directory.parent / "sources.yaml"
                sources = sibling if self._directory is not None and sibling.is_file() \
                    else paths.sources_file()
            self._loaded = load(directory, sources)
        return self._loaded

    def load(self) -> "EvidenceBase":
        """Load and validate now (raises DataError naming the file and entry)."""
        self._data()
        return self

    def sources(self) -> dict[str, dict]:
        """The validated bibliography (data/sources.yaml)."""
        return self._data().sources

    def condition_ids(self) -> tuple[str, ...]:
        return tuple(self._data().conditions.terms)

    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(self._data().interventions.terms)

    def name(self, term_id: str) -> str:
        """Display name of a condition or intervention id."""
        return term_name(self._data(), term_id)

    # -- macros and mentions ----------------------------------------------------------------
    def macros(self) -> dict[str, str]:
        """Regex alternations for checklist patterns; a per-id macro also matches its subtypes."""
        if self._macros is None:
            d = self._data()
            self._macros = scan.macros(d.conditions, d.interventions)
        return dict(self._macros)

    def mentions(self, text: str, offset: int = 0) -> tuple[Mention, ...]:
        """Conditions and interventions named in text, at absolute offsets (offset + local)."""
        d = self._data()
        return tuple(sorted(d.scanner.find(text, offset), key=lambda m: (m.start, m.end, m.kind)))

    # -- status -----------------------------------------------------------------------------
    def status(self, intervention: str, condition: str) -> EvidenceStatus:
        """What the evidence says about intervention for condition ('unknown' if not known)."""
        return pair_status(self._data(), intervention, condition)

    # -- checks -----------------------------------------------------------------------------
    def check(self, check: str, sentence: Sentence, sentence_mentions: tuple[Mention, ...],
              doc_mentions: tuple[Mention, ...],
              trigger: tuple[int, int] | None = None,
              previous: Sentence | None = None) -> EvidenceVerdict:
        """Decide whether an evidence-driven flag holds for this sentence.

        trigger: optional absolute offsets of the words that fired the rule; when a sentence names
        several therapies, the one nearest the claim is judged.
        """
        return checks.run(self._data(), check, sentence, sentence_mentions, doc_mentions, trigger,
                          previous)


@cache
def _default_base() -> EvidenceBase:
    return EvidenceBase()


def load_sources() -> dict[str, dict]:
    """The validated bibliography, for modules that only need source keys."""
    return _default_base().sources()
