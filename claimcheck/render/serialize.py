"""Report -> plain dict / JSON / JSON Lines, the machine-readable shape.

The shape is a public contract documented by data/schema/report.schema.json; keep the two
in step. The audited text itself is left out: offsets point into the caller's input.
"""
from __future__ import annotations

import json

from ..types import ContextCue, Dismissed, EvidenceStatus, Finding, Mention, Report, Signal, Span
from ._shared import SEVERITIES

# json.dumps(ensure_ascii=False) leaves these raw, and str.splitlines() breaks on them.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def _num(x: float) -> float:
    return round(float(x), 6)


def _span(span: Span | None) -> dict | None:
    if span is None:
        return None
    return {"text": span.text, "start": span.start, "end": span.end}


def _cue(cue: ContextCue) -> dict:
    return {
        "category": cue.category,
        "cue": cue.cue,
        "start": cue.start,
        "end": cue.end,
        "rule": cue.rule_id,
        "effect": cue.effect,
    }


def _evidence_status(status: EvidenceStatus | None) -> dict | None:
    if status is None:
        return None
    return {
        "intervention": status.intervention,
        "condition": status.condition,
        "level": status.level,
        "population": status.population,
        "summary": status.summary,
        "sources": list(status.sources),
    }


def _model(m) -> dict | None:
    if m is None:
        return None
    return {"probability": _num(m.probability), "threshold": _num(m.threshold),
            "terms": list(m.terms), "model": m.model}


def _finding(f: Finding) -> dict:
    return {
        "flag": f.flag,
        "kind": f.kind,
        "severity": f.severity,
        "title": f.title,
        "explanation": f.explanation,
        "evidence": _span(f.evidence),
        "trigger": _span(f.trigger),
        "rule": f.rule,
        "matcher": f.matcher,
        "context": [_cue(c) for c in f.context],
        "evidence_status": _evidence_status(f.evidence_status),
        "sources": list(f.sources),
        "fingerprint": f.fingerprint,
        "weight": _num(f.weight),
        "section": f.section,
        "model": _model(f.model),
    }


def _signal(s: Signal) -> dict:
    return {
        "signal": s.signal,
        "title": s.title,
        "evidence": _span(s.evidence),
        "trigger": _span(s.trigger),
        "rule": s.rule,
        "model": _model(s.model),
    }


def _dismissed(d: Dismissed) -> dict:
    return {
        "flag": d.flag,
        "evidence": _span(d.evidence),
        "trigger": _span(d.trigger),
        "rule": d.rule,
        "context": [_cue(c) for c in d.context],
        "reason": d.reason,
    }


def _mention(m: Mention) -> dict:
    return {"kind": m.kind, "id": m.id, "text": m.text, "start": m.start, "end": m.end}


def report_to_dict(report: Report) -> dict:
    """The report as JSON-ready builtins, in the order the report holds them."""
    by_severity = {s: 0 for s in SEVERITIES}
    for f in report.findings:
        by_severity[f.severity] += 1
    out = {
        "input": report.input,
        "content_sha256": report.content_sha256,
        "document_type": {
            "kind": report.doc_type.kind,
            "offers_treatment": report.doc_type.offers_treatment,
            "reasons": list(report.doc_type.reasons),
            "offer_probability": (None if report.doc_type.offer_probability is None
                                  else _num(report.doc_type.offer_probability)),
        },
        "risk": {
            "score": report.risk.score,
            "band": report.risk.band,
            "breakdown": [
                {"component": name, "points": _num(points)} for name, points in report.risk.breakdown
            ],
        },
        "findings": [_finding(f) for f in report.findings],
        "signals": [_signal(s) for s in report.signals],
        "dismissed": [_dismissed(d) for d in report.dismissed],
        "mentions": [_mention(m) for m in report.mentions],
        "questions": list(report.questions),
        "versions": {"tool": report.tool_version, "checklist": report.checklist_version},
        "summary": {
            "by_severity": by_severity,
            "n_findings": len(report.findings),
            "n_signals": len(report.signals),
        },
    }
    if report.origin is not None:
        o = report.origin
        out["origin"] = {"url": o.url, "final_url": o.final_url, "fetched_at": o.fetched_at,
                         "http_status": o.http_status, "content_type": o.content_type}
    return out


def report_to_json(report: Report, indent: int | None = 2) -> str:
    """Pretty JSON (UTF-8 characters kept as they are), no trailing newline."""
    return json.dumps(report_to_dict(report), indent=indent, ensure_ascii=False, allow_nan=False)


def report_to_jsonl(report: Report) -> str:
    """Exactly one line of JSON: safe to append to a .jsonl file and to split on any line break."""
    line = json.dumps(
        report_to_dict(report), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line
