"""Render a Report in one of the supported output formats."""
from __future__ import annotations

from ..types import Report

FORMATS = ("text", "json", "jsonl", "markdown", "html")


def render(report: Report, format: str = "text", *, explain: bool = False, color: bool = False) -> str:
    """The report as a string in `format`, without a trailing newline (the caller adds one).

    `color` only affects "text"; `explain` adds rule ids, the score breakdown and dismissed hits
    to the human-readable formats (JSON always carries everything).
    """
    if format == "text":
        from .text import render_text

        return render_text(report, explain=explain, color=color)
    if format == "json":
        from .serialize import report_to_json

        return report_to_json(report)
    if format == "jsonl":
        from .serialize import report_to_jsonl

        return report_to_jsonl(report)
    if format == "markdown":
        from .markdown import render_markdown

        return render_markdown(report, explain=explain)
    if format == "html":
        from .html import render_html

        return render_html(report, explain=explain)
    raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render"]
