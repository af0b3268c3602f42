"""The public entry point: an Auditor loads the checklist, context rules and evidence once,
then audits many texts through ingest -> extract -> match -> context -> evidence -> score -> report.
"""
from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from . import yamlio

from . import __version__, paths
from .checklist import Checklist, load_checklist
from .doctype import decide, score_cues
from .errors import DataError
from .findings import Stages, assess_hits, model_claims_need_an_offer, omissions
from .match import RuleMatcher
from .questions import questions_for
from .score import score_report
from .types import Document, Origin, Report

log = logging.getLogger("claimcheck")


def _lexicon() -> dict[str, str]:
    path = paths.lexicon_file()
    if not path.is_file():
        return {}
    raw = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise DataError(f"{path.name}: every macro must map a name to a regex string", code="CC302")
    return raw


def _origin(doc: Document) -> Origin | None:
    """Where a web document came from, or None for a local file or text."""
    if not doc.url:
        return None
    return Origin(doc.url, doc.final_url or doc.url, doc.fetched_at, doc.http_status,
                  doc.content_type)


class Auditor:
    """Loads once, audits many texts. Switch entries off with `disable`, keep some with `only`,
    and add (or, with replace=True, substitute) entries from folders in `checklist_dirs`.

    use_model=False is rules-only mode (no learned models loaded); use_rules=False keeps only
    the checklist's `kind: model` rules (for ablation: what the model finds on its own).
    """

    def __init__(self, checklist_dirs: tuple[Path, ...] = (), *, replace: bool = False,
                 only: tuple[str, ...] = (), disable: tuple[str, ...] = (),
                 use_model: bool = True, use_rules: bool = True, models_dir: Path | None = None):
        if not (use_model or use_rules):
            raise ValueError("use_model and use_rules cannot both be off")
        self.checklist_dirs = tuple(Path(d) for d in checklist_dirs)
        self.replace = replace
        self.only = tuple(only)
        self.disable = tuple(disable)
        self.use_model = use_model
        self.use_rules = use_rules
        self.models_dir = models_dir

    @cached_property
    def full_checklist(self) -> Checklist:
        """Every loaded entry, before --only/--disable (omissions need their signals)."""
        return load_checklist(self.checklist_dirs, replace=self.replace)

    @cached_property
    def checklist(self) -> Checklist:
        return self.full_checklist.select(self.only, self.disable)

    @cached_property
    def _stages(self) -> Stages:
        from .context import ContextEngine
        from .evidence import EvidenceBase

        return Stages(context=ContextEngine.default(), evidence=EvidenceBase.default())

    @cached_property
    def _macros(self) -> dict[str, str]:
        """Pattern macros: the lexicon's and the evidence base's ({condition}, ...)."""
        return {**_lexicon(), **self._stages.evidence.macros()}

    @cached_property
    def _matcher(self) -> RuleMatcher:
        return RuleMatcher(self._matcher_checklist, self._macros)

    @cached_property
    def _learned(self):
        """The learned layer and its compiled model rules, or None in rules-only mode."""
        if not self.use_model:
            return None
        from .learn.runtime import LearnedLayer

        layer = LearnedLayer(self.models_dir)
        return layer, layer.compile_rules(self._matcher_checklist, self._macros)

    @cached_property
    def _segmenter(self):
        from .segment import Segmenter

        return Segmenter()

    def load(self) -> "Auditor":
        """Load everything now (validation errors surface here rather than mid-batch)."""
        _ = self._matcher, self._segmenter, self._learned
        self._stages.context.load()
        return self

    def audit(self, text: str, source: str | None = None) -> Report:
        from .ingest import document_from_text

        return self.audit_document(document_from_text(text, source or "-"))

    def audit_document(self, doc: Document) -> Report:
        text, source = doc.text, doc.source
        stages = self._stages
        sentences = self._segmenter.split(text)
        hits = self._matcher.match(text, sentences) if self.use_rules else []
        doc_model = None
        if self._learned is not None:
            layer, model_rules = self._learned
            model_hits, doc_model = layer.score(text, sentences, model_rules)
            hits += model_hits  # after rule hits: rules explain first
        cues = score_cues(text)
        mentions = stages.evidence.mentions(text)
        # Whether an authority is quoting the seller is known from cues alone and decides
        # how reported speech is read; offer vs information also weighs the claims found.
        prelim = decide(cues, model=doc_model)
        informs = prelim.kind == "information" and cues.information > cues.offer
        found, signals, dismissed = assess_hits(
            text, source, sentences, hits, self._matcher_checklist, prelim, mentions, stages,
            informs, sections=doc.sections)
        by_rules = decide(cues, frozenset(f.flag for f in found if f.matcher != "model"), model=doc_model)
        found, dismissed = model_claims_need_an_offer(found, dismissed, by_rules.kind != "information")
        doc_type = decide(cues, frozenset(f.flag for f in found), model=doc_model)
        # Signals that only serve omissions are not reported when the user left them out.
        reported_signals = tuple(s for s in signals if s.signal in self.checklist.ids)
        found = tuple(f for f in found if f.flag in self.checklist.ids)
        gaps = omissions(self.checklist, signals, doc_type, source)
        findings = found + gaps
        risk = score_report(findings, reported_signals, doc_type)
        log.debug("audited %s: %d sentences, %d hits, %d findings", source, len(sentences),
                  len(hits), len(findings))
        return Report(
            input=source, content_sha256=doc.content_sha256, doc_type=doc_type, risk=risk,
            findings=findings, signals=reported_signals,
            dismissed=tuple(d for d in dismissed if d.flag in self.checklist.ids),
            mentions=mentions, questions=questions_for(findings, self.checklist),
            tool_version=__version__, checklist_version=self.checklist.version, text=text,
            origin=_origin(doc),
        )

    @cached_property
    def _matcher_checklist(self) -> Checklist:
        """The selected entries plus the signals their omissions need, even if not selected."""
        needed = set(self.checklist.ids) | {
            s for e in self.checklist.of_kind("omission") for s in e.filled_by}
        return Checklist(tuple(e for e in self.full_checklist.entries if e.id in needed),
                         self.full_checklist.version)


_DEFAULT: Auditor | None = None


def audit_text(text: str, source: str | None = None) -> Report:
    """Audit one text with the bundled checklist (the Auditor is created once and reused)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Auditor()
    return _DEFAULT.audit(text, source)
