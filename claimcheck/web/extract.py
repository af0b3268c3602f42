"""Raw bytes of a page or brochure -> a Document (HTML visible text with sections, PDF text,
plain text), with where it came from.

Dispatch: a PDF signature wins (servers often say application/octet-stream); then the
Content-Type; then the file suffix of the source or URL; then an HTML sniff of the first bytes;
otherwise the bytes are plain text for claimcheck.ingest.decode_bytes. content_sha256 is the
sha256 of the raw bytes, so a re-fetch of unchanged bytes hashes the same.

Error codes: CC110 unsupported type, CC111 nothing visible to audit, CC112-CC114 PDF problems
(see pdf.py), CC115 undecodable text.
"""
from __future__ import annotations

import codecs
import hashlib
import logging
import re
from urllib.parse import urlsplit

from ..errors import InputError
from ..types import Document

log = logging.getLogger("claimcheck")

HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
PDF_TYPES = frozenset(("application/pdf", "application/x-pdf"))
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")
_SNIFF_BYTES = 2048
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.I | re.S)
_HTML_START_TEXT = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# WHATWG: these labels mean windows-1252 on the web.
_WEB_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
                "us-ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252"}
_DECODE_CODES = {"CC103": "CC111", "CC104": "CC110", "CC106": "CC115"}


def document_from_bytes(raw: bytes, source: str, *, content_type: str = "", url: str = "",
                        final_url: str = "", fetched_at: str = "",
                        http_status: int | None = None) -> Document:
    """A Document from the bytes of an HTML page, a PDF or a text file; InputError (CC11x)
    when the type is not supported or nothing can be extracted."""
    if not raw:
        raise InputError(f"{source} is empty; there is nothing to audit", code="CC111")
    kind = detect_kind(raw, content_type, url or source)
    common = dict(source=source, content_sha256=hashlib.sha256(raw).hexdigest(), url=url,
                  final_url=final_url, fetched_at=fetched_at, http_status=http_status,
                  content_type=content_type)
    if kind == "pdf":
        from .pdf import pdf_text

        return Document(text=pdf_text(raw, source), encoding="pdf", **common)
    if kind == "html":
        from .html import extract_html

        markup, encoding = decode_html(raw, content_type, source)
        page = extract_html(markup)
        if not page.text.strip():
            raise InputError(f"{source} is an HTML page with no visible text to audit "
                             f"(it may be built by JavaScript)", code="CC111")
        log.debug("extracted %s: %d characters in %d sections", source, len(page.text),
                  len(page.sections))
        return Document(text=page.text, encoding=encoding, sections=page.sections, **common)
    if kind != "text":
        raise InputError(f"{source} has an unsupported content type ({kind}); claimcheck audits "
                         f"HTML, PDF and plain text", code="CC110")
    text, encoding = _decode_text(raw, source)
    if not text.strip():
        raise InputError(f"{source} has only whitespace; there is nothing to audit", code="CC111")
    return Document(text=text, encoding=encoding, **common)


def detect_kind(raw: bytes, content_type: str = "", name: str = "") -> str:
    """'pdf', 'html', 'text', or the unsupported media type as given."""
    if raw[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    mime = content_type.split(";")[0].strip().lower()
    if mime in PDF_TYPES:
        return "pdf"
    if mime in HTML_TYPES:
        return "html"
    if is_html(raw, name):
        return "html"
    if name and _path_of(name).endswith(".pdf"):
        return "pdf"  # claims to be a PDF but has no signature: pypdf says why it fails
    if not mime or mime.startswith("text/") or mime in ("application/octet-stream",
                                                        "application/xml", "application/json"):
        return "text"
    return mime


def is_html(raw: bytes, name: str = "") -> bool:
    """An .html-like suffix, or markup that starts like an HTML document (BOM/comments allowed)."""
    if name and _path_of(name).endswith(HTML_SUFFIXES):
        return True
    head = raw[:_SNIFF_BYTES]
    if _HTML_START.match(head):
        return True
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return bool(_HTML_START_TEXT.match(head[2:].decode(enc, errors="ignore")))
    return False


def decode_html(raw: bytes, content_type: str, source: str) -> tuple[str, str]:
    """HTML bytes to text: BOM, then the HTTP charset, then <meta charset>; else the ingest
    decoder (UTF-8, UTF-16 sniff, cp1252...)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            declared = [enc]
            raw_body = raw[len(bom):]
            break
    else:
        raw_body = raw
        declared = []
        m = _HEADER_CHARSET.search(content_type or "")
        if m:
            declared.append(m.group(1))
        m = _META_CHARSET.search(raw[:_SNIFF_BYTES * 2])
        if m:
            declared.append(m.group(1).decode("ascii", errors="ignore"))
    for label in declared:
        codec = _codec(label)
        if codec is None:
            log.info("%s declares an unknown charset %r; ignored", source, label)
            continue
        try:
            return raw_body.decode(codec), codec
        except UnicodeDecodeError:
            log.info("%s is not valid %s as declared; trying the other decoders", source, codec)
    return _decode_text(raw, source)


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _WEB_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _decode_text(raw: bytes, source: str) -> tuple[str, str]:
    from ..ingest import decode_bytes

    try:
        return decode_bytes(raw, source)
    except InputError as e:
        raise InputError(e.message, code=_DECODE_CODES.get(e.code, e.code)) from None


def _path_of(name: str) -> str:
    """The lower-cased path part of a URL or file name (query and fragment removed)."""
    if "://" in name:
        name = urlsplit(name).path
    return name.lower()
