"""claimcheck: audit stem-cell clinic marketing copy against a red-flag checklist."""
from __future__ import annotations

__version__ = "0.1.0"

from .render import render  # noqa: E402  (cheap: formats load inside render())

__all__ = ["Auditor", "audit_text", "render", "__version__"]


def __getattr__(name):  # lazy: importing claimcheck loads no data and no spaCy
    if name in ("Auditor", "audit_text"):
        from . import auditor

        return getattr(auditor, name)
    raise AttributeError(name)
