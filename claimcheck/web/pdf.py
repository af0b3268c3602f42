"""PDF brochure -> text, via pypdf.

Pages are joined by a blank line so a sentence never runs across a page break. Encrypted PDFs
are read only when they open with the empty password (a permissions-only lock); otherwise, and
for PDFs with no extractable text (scanned or image-only) or that cannot be parsed, a coded
InputError says why, rather than auditing nothing.
"""
from __future__ import annotations

import io
import logging

from ..errors import InputError

log = logging.getLogger("claimcheck")

PAGE_SEPARATOR = "\n\n"


def pdf_text(raw: bytes, source: str) -> str:
    """The text of every page, in order; raise InputError (CC112-CC114) when there is none."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _unlock(reader):
            raise InputError(f"{source} is an encrypted PDF; claimcheck cannot read it without the "
                             f"password: save an unlocked copy or paste its text", code="CC112")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, ZeroDivisionError, OSError) as e:
        raise InputError(f"{source} cannot be read as a PDF ({type(e).__name__}: "
                         f"{_one_line(str(e))})", code="CC114") from None
    texts = [_tidy(t) for t in pages]
    text = PAGE_SEPARATOR.join(t for t in texts if t)
    if not text.strip():
        what = "has no pages" if not pages else "has no text layer (scanned or image-only?)"
        raise InputError(f"{source} is a PDF that {what}; nothing to audit: run OCR on it or "
                         f"paste its text", code="CC113")
    log.debug("read PDF %s: %d pages, %d characters", source, len(pages), len(text))
    return text


def _unlock(reader) -> bool:
    """Open a PDF locked only against editing/printing (empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except Exception as e:  # pypdf raises DependencyError, NotImplementedError... for ciphers
        log.debug("PDF decrypt with the empty password failed: %s", e)
        return False


def _tidy(text: str) -> str:
    """Strip trailing spaces on lines and NULs pypdf sometimes leaves; keep line structure."""
    lines = (line.replace("\x00", "").rstrip() for line in text.splitlines())
    return "\n".join(lines).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
