"""Score an auditor against a labelled development folder (labels.jsonl + docs/<id>.txt).

Figures: document-level P/R/F1 per claim flag, omission and signal; sentence-level recall
and precision per claim flag (evidence spans overlapping the labelled sentences); trap
sentences wrongly covered; band and document-type agreement. Every figure is computed on
all documents and again with the regulator-quote slice left out, because in that slice
quoted seller claims are flagged by design (see the dev README, "Whose voice").
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..types import Report
from .metrics import Counts, SpanCounts, count, macro_f1, micro, micro_spans, safe_div

log = logging.getLogger("claimcheck")

CLAIM_FLAGS = (
    "guaranteed-outcome", "cure-claim", "uncited-statistic", "investigational-as-established",
    "overbroad-indication", "risk-minimisation", "testimonial-as-evidence",
    "regulatory-misrepresentation", "repair-overclaim", "pressure-tactic", "pay-to-participate",
    "evidence-mismatch",
)
OMISSION_FLAGS = ("no-risk-disclosure", "no-oversight", "no-patient-selection")
SIGNALS = ("cites-source", "discloses-risk", "states-investigational", "states-selection", "states-oversight")
# The dev labels do not cover costs: these ids are left out of dev scoring altogether.
UNSCORED = frozenset({"no-cost-disclosure", "discloses-cost"})
BANDS = ("low", "moderate", "high", "critical")
DOC_KINDS = ("offer", "regulator-quote", "information")
REGULATOR = "regulator-quote"
# Omission flags are labelled for offers only (dev README): other kinds are not scored on them.
OMISSION_KINDS = frozenset({"clinic", "careful-clinic"})
KIND_TO_DOCTYPE = {
    "clinic": "offer", "careful-clinic": "offer", "regulator-quote": "regulator-quote",
    "patient-org": "information", "news": "information", "academic": "information",
    "forum": "information",
}


@dataclass(frozen=True)
class Label:
    """One labelled document (a line of labels.jsonl)."""

    id: str
    kind: str
    band: str
    flags: dict[str, tuple[str, ...]]
    signals: dict[str, tuple[str, ...]]
    traps: tuple[str, ...]

    @property
    def doc_type(self) -> str:
        return KIND_TO_DOCTYPE.get(self.kind, "information")


@dataclass(frozen=True)
class Unlocatable:
    """A labelled sentence that could not be found in the audited text."""

    doc: str
    label: str  # flag id, or "trap"
    sentence: str


@dataclass(frozen=True)
class TrapHit:
    """A trap sentence and the claim flags whose findings cover it (empty = correctly left alone)."""

    doc: str
    sentence: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class DocRow:
    """One line of the per-document error-analysis table."""

    id: str
    kind: str
    band: str
    predicted_band: str
    score: int
    predicted_kind: str
    missed: tuple[str, ...]  # labelled flags not reported
    extra: tuple[str, ...]  # reported flags not labelled

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "band": self.band,
            "predicted_band": self.predicted_band, "score": self.score,
            "predicted_kind": self.predicted_kind, "missed": list(self.missed),
            "extra": list(self.extra),
        }


@dataclass(frozen=True)
class _DocEval:
    label: Label
    report: Report
    gold_claims: frozenset[str]
    pred_claims: frozenset[str]
    gold_omissions: frozenset[str]
    pred_omissions: frozenset[str]
    gold_signals: frozenset[str]
    pred_signals: frozenset[str]
    sentence: dict[str, SpanCounts]
    sentence_any: dict[str, SpanCounts]
    traps: tuple[TrapHit, ...]
    unlocatable: tuple[Unlocatable, ...]
    misaligned: int

    @property
    def omissions_scored(self) -> bool:
        return self.label.kind in OMISSION_KINDS


def _table(keys: Sequence[str]) -> dict[str, dict[str, int]]:
    return {k: {j: 0 for j in keys} for k in keys}


@dataclass(frozen=True)
class DevScores:
    """All dev figures over one slice of documents."""

    n_docs: int
    n_omission_docs: int
    claim_doc: dict[str, Counts]
    omission_doc: dict[str, Counts]
    signal_doc: dict[str, Counts]
    sentence: dict[str, SpanCounts]  # same-flag: recall by labelled flag, precision by finding flag
    sentence_any: dict[str, SpanCounts]  # any claim flag counts as a hit (see _doc_sentences)
    traps: tuple[TrapHit, ...]
    band_confusion: dict[str, dict[str, int]]  # labelled band -> predicted band -> docs
    low_clean_docs: int  # docs labelled low with no claim flag
    low_violations: tuple[tuple[str, tuple[str, ...]], ...]  # (doc, claim flags reported)
    doctype_confusion: dict[str, dict[str, int]]  # labelled doc type -> predicted -> docs
    omissions_out_of_scope: tuple[tuple[str, tuple[str, ...]], ...]  # omissions on non-offer kinds

    @property
    def claim_doc_micro(self) -> Counts:
        return micro(self.claim_doc.values())

    @property
    def omission_micro(self) -> Counts:
        return micro(self.omission_doc.values())

    @property
    def signal_micro(self) -> Counts:
        return micro(self.signal_doc.values())

    @property
    def sentence_micro(self) -> SpanCounts:
        return micro_spans(self.sentence.values())

    @property
    def sentence_any_micro(self) -> SpanCounts:
        return micro_spans(self.sentence_any.values())

    @property
    def traps_covered(self) -> tuple[TrapHit, ...]:
        return tuple(t for t in self.traps if t.flags)

    @property
    def trap_share(self) -> float:
        return safe_div(len(self.traps_covered), len(self.traps))

    @property
    def band_exact(self) -> float:
        hits = sum(self.band_confusion[b][b] for b in BANDS)
        return safe_div(hits, self.n_docs)

    @property
    def band_within_one(self) -> float:
        hits = sum(
            n for g, row in self.band_confusion.items() for p, n in row.items()
            if p in BANDS and abs(BANDS.index(g) - BANDS.index(p)) <= 1
        )
        return safe_div(hits, self.n_docs)

    @property
    def doctype_accuracy(self) -> float:
        hits = sum(self.doctype_confusion[k][k] for k in DOC_KINDS)
        return safe_div(hits, self.n_docs)

    def headline(self) -> dict[str, float | int]:
        """The few numbers to watch, flat, for summaries and JSON."""
        s, a = self.sentence_micro, self.sentence_any_micro
        return {
            "docs": self.n_docs,
            "claim_sentence_recall": round(s.recall, 4),
            "claim_sentence_precision": round(s.precision, 4),
            "claim_sentence_recall_any_flag": round(a.recall, 4),
            "claim_sentence_precision_any_flag": round(a.precision, 4),
            "claim_doc_micro_f1": round(self.claim_doc_micro.f1, 4),
            "claim_doc_macro_f1": round(macro_f1(self.claim_doc.values()), 4),
            "omission_micro_f1": round(self.omission_micro.f1, 4),
            "signal_micro_f1": round(self.signal_micro.f1, 4),
            "trap_share_flagged": round(self.trap_share, 4),
            "traps": len(self.traps),
            "band_exact": round(self.band_exact, 4),
            "band_within_one": round(self.band_within_one, 4),
            "doctype_accuracy": round(self.doctype_accuracy, 4),
            "low_clean_docs": self.low_clean_docs,
            "low_clean_violations": len(self.low_violations),
        }

    def to_dict(self) -> dict:
        return {
            "headline": self.headline(),
            "n_omission_docs": self.n_omission_docs,
            "claim_doc": {k: v.to_dict() for k, v in self.claim_doc.items()},
            "claim_doc_micro": self.claim_doc_micro.to_dict(),
            "omission_doc": {k: v.to_dict() for k, v in self.omission_doc.items()},
            "omission_micro": self.omission_micro.to_dict(),
            "signal_doc": {k: v.to_dict() for k, v in self.signal_doc.items()},
            "signal_micro": self.signal_micro.to_dict(),
            "sentence": {k: v.to_dict() for k, v in self.sentence.items()},
            "sentence_micro": self.sentence_micro.to_dict(),
            "sentence_any_flag": {k: v.to_dict() for k, v in self.sentence_any.items()},
            "sentence_any_flag_micro": self.sentence_any_micro.to_dict(),
            "traps_covered": [
                {"doc": t.doc, "sentence": t.sentence, "flags": list(t.flags)} for t in self.traps_covered
            ],
            "band_confusion": self.band_confusion,
            "low_violations": [{"doc": d, "flags": list(f)} for d, f in self.low_violations],
            "doctype_confusion": self.doctype_confusion,
            "omissions_out_of_scope": [{"doc": d, "flags": list(f)} for d, f in self.omissions_out_of_scope],
        }


@dataclass(frozen=True)
class DevResult:
    """Dev-set evaluation: all documents, the same without regulator quotes, and per-doc rows."""

    folder: str
    wall_seconds: float
    all: DevScores
    without_regulator: DevScores
    documents: tuple[DocRow, ...]
    unlocatable: tuple[Unlocatable, ...] = ()
    misaligned_spans: int = 0  # findings/signals whose span text != text[start:end]
    skipped: tuple[str, ...] = ()  # docs the auditor refused (InputError)
    unscored: tuple[str, ...] = field(default=tuple(sorted(UNSCORED)))

    def to_dict(self) -> dict:
        return {
            "folder": self.folder,
            "wall_seconds": round(self.wall_seconds, 3),
            "all": self.all.to_dict(),
            "without_regulator_quote": self.without_regulator.to_dict(),
            "documents": [d.to_dict() for d in self.documents],
            "unlocatable": [{"doc": u.doc, "label": u.label, "sentence": u.sentence} for u in self.unlocatable],
            "misaligned_spans": self.misaligned_spans,
            "skipped": list(self.skipped),
            "unscored": list(self.unscored),
        }


# -- loading -----------------------------------------------------------------------------


def _sentences(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InputError(f"{where}: expected a list of sentences")
    return tuple(value)


def load_labels(folder: Path) -> list[Label]:
    """Read labels.jsonl; raise InputError (one line) when the folder or file is missing or bad."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"dev folder not found: {folder}")
    path = folder / "labels.jsonl"
    if not path.is_file():
        raise InputError(f"labels file not found: {path}")
    labels = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            row = json.loads(line)
            doc_id, kind, band = row["id"], row["kind"], row["band"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{where}: not a label line ({type(exc).__name__}: {exc})") from None
        if band not in BANDS:
            raise InputError(f"{where}: unknown band {band!r}")
        if kind not in KIND_TO_DOCTYPE:
            log.warning("%s: unknown kind %r, scored as information", where, kind)
        labels.append(Label(
            id=doc_id, kind=kind, band=band,
            flags={k: _sentences(v, where) for k, v in (row.get("flags") or {}).items()},
            signals={k: _sentences(v, where) for k, v in (row.get("signals") or {}).items()},
            traps=_sentences(row.get("traps"), where),
        ))
    return labels


# -- per-document evaluation -------------------------------------------------------------


def locate(text: str, sentence: str) -> tuple[int, int] | None:
    """Offsets of a labelled sentence: exact substring first, then whitespace-insensitive."""
    i = text.find(sentence)
    if i >= 0:
        return i, i + len(sentence)
    words = sentence.split()
    if not words:
        return None
    m = re.search(r"\s+".join(map(re.escape, words)), text)
    return (m.start(), m.end()) if m else None


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open character ranges share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def _evaluate_doc(label: Label, text: str, report: Report) -> _DocEval:
    text = report.text or text  # offsets refer to the audited text
    unlocatable: list[Unlocatable] = []

    def spans(flag: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
        out = []
        for s in sentences:
            where = locate(text, s)
            if where is None:
                unlocatable.append(Unlocatable(label.id, flag, s))
            else:
                out.append(where)
        return out

    gold_claims = frozenset(f for f in label.flags if not f.startswith("no-") and f not in UNSCORED)
    gold_spans = {f: spans(f, label.flags[f]) for f in sorted(gold_claims)}
    all_gold = [s for ss in gold_spans.values() for s in ss]

    claims = [f for f in report.findings if f.kind == "claim"]
    pred_claims = frozenset(f.flag for f in claims)
    # One span per (flag, sentence): two rules firing on one sentence are one prediction.
    pred_spans: dict[str, list[tuple[int, int] | None]] = {}
    seen = set()
    for f in claims:
        span = (f.evidence.start, f.evidence.end) if f.evidence else None
        if (f.flag, span) not in seen:
            seen.add((f.flag, span))
            pred_spans.setdefault(f.flag, []).append(span)
    all_pred = [s for ss in pred_spans.values() for s in ss if s is not None]

    def hit(span, others) -> bool:
        return span is not None and any(overlaps(span, o) for o in others if o is not None)

    sentence, sentence_any = {}, {}
    for flag in sorted(gold_claims | pred_claims):
        g, p = gold_spans.get(flag, []), pred_spans.get(flag, [])
        # Same flag: a sentence is recalled by a finding of its flag; a finding is right when it
        # overlaps a sentence labelled with its flag. Evidence-less claim findings count as wrong.
        sentence[flag] = SpanCounts(
            gold=len(g), gold_hit=sum(hit(s, p) for s in g),
            pred=len(p), pred_hit=sum(hit(s, g) for s in p),
        )
        # Any flag: recalled by a finding of any claim flag; right when overlapping any labelled claim.
        sentence_any[flag] = SpanCounts(
            gold=len(g), gold_hit=sum(hit(s, all_pred) for s in g),
            pred=len(p), pred_hit=sum(hit(s, all_gold) for s in p),
        )

    traps = []
    for s in label.traps:
        where = locate(text, s)
        if where is None:
            unlocatable.append(Unlocatable(label.id, "trap", s))
            continue
        covering = sorted({f.flag for f in claims if f.evidence and overlaps(where, (f.evidence.start, f.evidence.end))})
        traps.append(TrapHit(label.id, s, tuple(covering)))

    spans_out = [f.evidence for f in report.findings if f.evidence] + [s.evidence for s in report.signals]
    misaligned = sum(text[sp.start:sp.end] != sp.text for sp in spans_out)

    return _DocEval(
        label=label, report=report,
        gold_claims=gold_claims, pred_claims=pred_claims,
        gold_omissions=frozenset(f for f in label.flags if f.startswith("no-") and f not in UNSCORED),
        pred_omissions=frozenset(
            f.flag for f in report.findings if f.kind == "omission" and f.flag not in UNSCORED
        ),
        gold_signals=frozenset(s for s in label.signals if s not in UNSCORED),
        pred_signals=frozenset(s.signal for s in report.signals if s.signal not in UNSCORED),
        sentence=sentence, sentence_any=sentence_any, traps=tuple(traps),
        unlocatable=tuple(unlocatable), misaligned=misaligned,
    )


# -- aggregation -------------------------------------------------------------------------


def _doc_counts(docs: Sequence[_DocEval], known: Sequence[str], gold, pred) -> dict[str, Counts]:
    ids = list(known) + sorted({f for d in docs for f in gold(d) | pred(d)} - set(known))
    return {f: sum((count(f in gold(d), f in pred(d)) for d in docs), Counts()) for f in ids}


def _sum_spans(docs: Sequence[_DocEval], attr: str) -> dict[str, SpanCounts]:
    ids = list(CLAIM_FLAGS) + sorted({f for d in docs for f in getattr(d, attr)} - set(CLAIM_FLAGS))
    return {f: sum((getattr(d, attr).get(f, SpanCounts()) for d in docs), SpanCounts()) for f in ids}


def _score(docs: Sequence[_DocEval]) -> DevScores:
    omission_docs = [d for d in docs if d.omissions_scored]
    bands, kinds = _table(BANDS), _table(DOC_KINDS)
    for d in docs:
        # Unknown predicted values get their own column rather than being folded into a known one.
        row = bands[d.label.band]
        row[d.report.risk.band] = row.get(d.report.risk.band, 0) + 1
        row = kinds[d.label.doc_type]
        row[d.report.doc_type.kind] = row.get(d.report.doc_type.kind, 0) + 1
    low_clean = [d for d in docs if d.label.band == "low" and not d.gold_claims]
    return DevScores(
        n_docs=len(docs),
        n_omission_docs=len(omission_docs),
        claim_doc=_doc_counts(docs, CLAIM_FLAGS, lambda d: d.gold_claims, lambda d: d.pred_claims),
        omission_doc=_doc_counts(
            omission_docs, OMISSION_FLAGS, lambda d: d.gold_omissions, lambda d: d.pred_omissions
        ),
        signal_doc=_doc_counts(docs, SIGNALS, lambda d: d.gold_signals, lambda d: d.pred_signals),
        sentence=_sum_spans(docs, "sentence"),
        sentence_any=_sum_spans(docs, "sentence_any"),
        traps=tuple(t for d in docs for t in d.traps),
        band_confusion=bands,
        low_clean_docs=len(low_clean),
        low_violations=tuple((d.label.id, tuple(sorted(d.pred_claims))) for d in low_clean if d.pred_claims),
        doctype_confusion=kinds,
        omissions_out_of_scope=tuple(
            (d.label.id, tuple(sorted(d.pred_omissions)))
            for d in docs if not d.omissions_scored and d.pred_omissions
        ),
    )


def _row(d: _DocEval) -> DocRow:
    gold, pred = set(d.gold_claims), set(d.pred_claims)
    if d.omissions_scored:
        gold |= d.gold_omissions
        pred |= d.pred_omissions
    return DocRow(
        id=d.label.id, kind=d.label.kind, band=d.label.band,
        predicted_band=d.report.risk.band, score=d.report.risk.score,
        predicted_kind=d.report.doc_type.kind,
        missed=tuple(sorted(gold - pred)), extra=tuple(sorted(pred - gold)),
    )


def evaluate_dev(folder: Path, auditor) -> DevResult:
    """Audit every labelled document in ``folder`` and score the reports against the labels.

    ``auditor`` is anything with ``.audit(text, source) -> Report``. Raises InputError when the
    folder, labels.jsonl or a listed doc is missing. Docs the auditor refuses with InputError
    are skipped and listed in the result.
    """
    folder = Path(folder)
    labels = load_labels(folder)
    start = time.perf_counter()
    docs, skipped = [], []
    for label in labels:
        path = folder / "docs" / f"{label.id}.txt"
        if not path.is_file():
            raise InputError(f"labelled document not found: {path}")
        text = path.read_text(encoding="utf-8")
        try:
            report = auditor.audit(text, f"docs/{label.id}.txt")  # no URL: it would hint the kind
        except InputError as exc:
            log.warning("dev %s skipped: %s", label.id, exc)
            skipped.append(label.id)
            continue
        docs.append(_evaluate_doc(label, text, report))
    wall = time.perf_counter() - start
    return DevResult(
        folder=str(folder),
        wall_seconds=wall,
        all=_score(docs),
        without_regulator=_score([d for d in docs if d.label.kind != REGULATOR]),
        documents=tuple(_row(d) for d in docs),
        unlocatable=tuple(u for d in docs for u in d.unlocatable),
        misaligned_spans=sum(d.misaligned for d in docs),
        skipped=tuple(skipped),
    )
