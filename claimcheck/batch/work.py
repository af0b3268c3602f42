"""The per-item audit, run in worker processes (local pool or Dask): bytes or text -> one
journal line. Top-level and picklable; each worker process builds its Auditor once and reuses it.

The worker serialises the report itself, so the driver only appends lines.
"""
from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass, replace

from ..errors import ClaimcheckError
from .inputs import ItemError, WorkItem

log = logging.getLogger("claimcheck")

_AUDITORS: dict["AuditorSpec", object] = {}
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


@dataclass(frozen=True)
class AuditorSpec:
    """How to build the Auditor (picklable, hashable: the per-process cache key)."""

    checklist_dirs: tuple[str, ...] = ()
    replace: bool = False
    only: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    use_model: bool = True

    def build(self):
        from ..auditor import Auditor

        kwargs = dict(replace=self.replace, only=self.only, disable=self.disable)
        # --no-model passes through once the Auditor has a `use_model` flag; until then the
        # rule-based Auditor has no model to switch off and the flag is accepted and ignored.
        if "use_model" in inspect.signature(Auditor.__init__).parameters:
            kwargs["use_model"] = self.use_model
        return Auditor(tuple(self.checklist_dirs), **kwargs).load()


@dataclass(frozen=True)
class Outcome:
    """A finished item: a reports.jsonl line, or an error row."""

    key: str
    line: str = ""
    error: ItemError | None = None


def auditor_for(spec: AuditorSpec):
    auditor = _AUDITORS.get(spec)
    if auditor is None:
        auditor = _AUDITORS[spec] = spec.build()
    return auditor


def init_worker(spec: AuditorSpec) -> None:
    """Pool initializer: load the checklist, rules and evidence once per worker process."""
    auditor_for(spec)


def audit_items(items: list[WorkItem], spec: AuditorSpec) -> list[Outcome]:
    """Audit a chunk (a local task or a Dask partition) with this process's one Auditor."""
    auditor = auditor_for(spec)
    return [audit_item(item, auditor) for item in items]


def audit_item(item: WorkItem, auditor) -> Outcome:
    """Extract then audit one item; user-facing failures become error rows by stage."""
    try:
        doc = _document(item)
    except ClaimcheckError as exc:
        return _error(item, "extract", exc.code, exc.message)
    except Exception as exc:  # an extractor bug must cost one page, not the batch
        log.exception("extracting %s failed", item.key)
        return _error(item, "extract", "CC137", f"extraction failed: {type(exc).__name__}: {exc}")
    try:
        report = auditor.audit_document(doc)
    except ClaimcheckError as exc:
        return _error(item, "audit", exc.code, exc.message)
    except Exception as exc:
        log.exception("auditing %s failed", item.key)
        return _error(item, "audit", "CC138", f"audit failed: {type(exc).__name__}: {exc}")
    return Outcome(item.key, line=report_line(item, report))


def _document(item: WorkItem):
    if item.kind == "text":
        from ..ingest import document_from_text

        doc = document_from_text(item.text, item.source)
        if item.url:
            doc = replace(doc, url=item.url, final_url=item.final_url or item.url)
        return doc
    from ..web.extract import document_from_bytes

    return document_from_bytes(item.raw, item.source, content_type=item.content_type,
                               url=item.url, final_url=item.final_url or item.url,
                               fetched_at=item.fetched_at, http_status=item.status)


def report_line(item: WorkItem, report) -> str:
    """report_to_dict plus the item's key and origin, as exactly one JSON line."""
    from ..render.serialize import report_to_dict

    data = {"key": item.key, **report_to_dict(report)}
    data["origin"] = {
        **(data.get("origin") or {}),
        "input": item.input, "site": item.site, "url": item.url,
        "final_url": item.final_url or item.url, "status": item.status,
        "fetched_at": item.fetched_at, "content_type": item.content_type,
        "record_id": item.record_id,
    }
    line = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line


def _error(item: WorkItem, stage: str, code: str, reason: str) -> Outcome:
    reason = " ".join(str(reason).split())
    return Outcome(item.key, error=ItemError(item.key, item.input, stage, code, reason))
