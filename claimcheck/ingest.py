"""Read the user's input (a file, stdin or a URL) into a Document: decode, refuse binary, never
truncate.

For a text file, Document.text is exactly the decoded text (a byte-order mark removed, nothing
else changed, not even line endings), so every offset downstream slices the user's own text.
HTML pages and PDF brochures (by signature, suffix or an HTML sniff) and http(s):// URLs go
through claimcheck.web.extract: Document.text is then the extracted visible text, and offsets
slice that. Document.content_sha256 is the sha256 of the raw input bytes.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sys
from pathlib import Path

from .errors import InputError
from .types import Document

log = logging.getLogger("claimcheck")

_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive, e.g. .docx"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document, e.g. .doc"),
    (b"\x1f\x8b", "gzip"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh91AY&SY", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 controls other than tab/newline/vertical tab/form feed/carriage return, DEL, and C1.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.10
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CP1252_HOLES = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))  # undefined in cp1252: read as latin-1
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_URL = re.compile(r"^https?://", re.I)


def read_input(path: str, *, max_bytes: int = 10_000_000, stdin=None,
               allow_private: bool = False) -> Document:
    """Read a file, stdin when path is "-", or an http(s) URL into a Document; raise InputError
    when unusable. allow_private lets a URL reach private/loopback addresses (tests, intranets)."""
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    if _URL.match(path):
        return _read_url(path, max_bytes, allow_private)
    if path == "-":
        source, name = "-", "standard input (-)"
        raw = _read_stdin(stdin, name, max_bytes)
    else:
        source, name = path, _display(path)
        raw = _read_file(path, name, max_bytes)
    if len(raw) > max_bytes:
        raise _too_large(name, f"more than {max_bytes:,}", max_bytes)
    if not raw:
        raise InputError(f"{name} is empty; there is nothing to audit", code="CC103")
    if _is_page(raw, path):
        from .web.extract import document_from_bytes

        return document_from_bytes(raw, source)
    text, encoding = decode_bytes(raw, name)
    if not text.strip():
        raise InputError(f"{name} has only whitespace; there is nothing to audit", code="CC103")
    log.debug("read %s: %d bytes, %s", name, len(raw), encoding)
    return Document(
        text=text, source=source, content_sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding
    )


def _is_page(raw: bytes, path: str) -> bool:
    """A PDF (by signature) or an HTML page (suffix or markup sniff), read by claimcheck.web."""
    if raw.startswith(b"%PDF-"):
        return True
    from .web.extract import is_html

    return is_html(raw, "" if path == "-" else path)


def _read_url(url: str, max_bytes: int, allow_private: bool) -> Document:
    """Fetch one URL (claimcheck.web.fetch) and extract it; a failed fetch is one coded line."""
    from .web.extract import document_from_bytes
    from .web.fetch import error_code, fetch_url, without_code

    name = _display(url)
    result = fetch_url(url, max_bytes=max_bytes, allow_private=allow_private)
    if not result.ok:
        raise InputError(f"{name} could not be fetched: {without_code(result.error)}",
                         code=error_code(result.error))
    return document_from_bytes(
        result.raw, url, content_type=result.content_type, url=result.url,
        final_url=result.final_url, fetched_at=result.fetched_at, http_status=result.status)


def document_from_text(text: str, source: str = "-") -> Document:
    """A Document from text already in memory (kept exactly as given; sha256 of its UTF-8 bytes)."""
    name = "standard input (-)" if source == "-" else _display(source)
    if not text.strip():
        raise InputError(f"{name} is empty or only whitespace; nothing to audit", code="CC103")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(
            f"{name} contains a character that is not valid Unicode at position {e.start}",
            code="CC106",
        ) from None
    return Document(
        text=text,
        source=source,
        content_sha256=hashlib.sha256(raw).hexdigest(),
        encoding="utf-8",
    )


def decode_bytes(raw: bytes, source: str) -> tuple[str, str]:
    """Decode input bytes to (text, encoding name), or raise InputError (binary/undecodable).

    Order: known binary magic numbers; a BOM (UTF-8/16/32, BOM removed); UTF-16 without BOM
    when NULs sit at alternate positions; UTF-8; legacy cp1252 then latin-1 for bytes that are
    not UTF-8 but look like text. Valid UTF-8 runs mixed with stray legacy bytes decode as
    "utf-8+cp1252" (each invalid byte read as cp1252).
    """
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise _binary(source, f"looks like {kind}")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError as e:
                label = encoding.replace("-sig", "").upper()
                raise InputError(
                    f"{source} starts with a {label} byte-order mark but is not valid "
                    f"{label} at byte {e.start + len(bom)}; re-save it as UTF-8",
                    code="CC106",
                ) from None
            return _check_text(text, source), encoding
    utf16 = _sniff_utf16(raw)
    if utf16:
        try:
            return _check_text(raw.decode(utf16), source), utf16
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the NUL check below calls it binary
    if b"\x00" in raw:
        raise _binary(source, "contains NUL bytes")
    try:
        return _check_text(raw.decode("utf-8"), source), "utf-8"
    except UnicodeDecodeError:
        pass
    text, encoding = _decode_legacy(raw)
    log.info("%s is not valid UTF-8; decoded as %s", source, encoding)
    return _check_text(text, source), encoding


def _read_file(path: str, name: str, max_bytes: int) -> bytes:
    p = Path(path)
    try:
        if not path or not p.exists():
            raise InputError(f"{name} does not exist", code="CC101")
        if p.is_dir():
            raise _directory(name)
        size = p.stat().st_size
        if size > max_bytes:
            raise _too_large(name, f"{size:,}", max_bytes)
        with open(p, "rb") as f:
            return f.read(max_bytes + 1)  # +1 tells "too large" for files whose size stat hides
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(f"{name} does not exist", code="CC101") from None
    except IsADirectoryError:
        raise _directory(name) from None
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise InputError(f"{name} cannot be read: {reason}", code="CC107") from None


def _display(path: str) -> str:
    """The path as given, quoted when it is empty or holds newlines (messages stay one line)."""
    return path if path and path.isprintable() else repr(path)


def _read_stdin(stdin, name: str, max_bytes: int) -> bytes:
    if stdin is None:
        if sys.stdin is None:
            raise InputError(f"{name} is not available", code="CC107")
        stdin = getattr(sys.stdin, "buffer", sys.stdin)
    try:
        data = stdin.read(max_bytes + 1)
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise InputError(f"{name} cannot be read: {reason}", code="CC107") from None
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _sniff_utf16(raw: bytes) -> str | None:
    """'utf-16-le'/'-be' when NULs fill one byte of many pairs and almost none of the other."""
    pairs = len(raw) // 2
    if pairs < 2 or len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """Bytes that are not UTF-8: cp1252 (latin-1 if cp1252 cannot), or per-byte in UTF-8 text."""
    if not _UTF8_MULTIBYTE.search(raw):
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return raw.decode("latin-1"), "latin-1"
    # Valid UTF-8 with stray legacy bytes (pasted text): keep the UTF-8, read the rest as cp1252.
    text = raw.decode("utf-8", errors="surrogateescape")
    return _ESCAPED_BYTE.sub(_unescape_cp1252, text), "utf-8+cp1252"


def _unescape_cp1252(m: re.Match) -> str:
    """A byte that surrogateescape kept as U+DC80..U+DCFF, read as cp1252 (holes as latin-1)."""
    b = ord(m.group()) - 0xDC00
    return chr(b) if b in _CP1252_HOLES else bytes((b,)).decode("cp1252")


def _check_text(text: str, source: str) -> str:
    """The text, unless too much of it is control characters (binary data)."""
    if text:
        controls = len(_CONTROL.findall(text))
        if controls > _MAX_CONTROL_SHARE * len(text):
            share = round(100 * controls / len(text))
            raise _binary(source, f"{share}% control characters")
    return text


def _directory(path: str) -> InputError:
    return InputError(f"{path} is a directory; give a text file (or - for stdin)", code="CC102")


def _binary(source: str, why: str) -> InputError:
    return InputError(
        f"{source} is binary ({why}); claimcheck audits text: save or copy the page as plain text",
        code="CC104",
    )


def _too_large(source: str, size: str, max_bytes: int) -> InputError:
    return InputError(
        f"{source} is {size} bytes, over the {max_bytes:,}-byte limit; claimcheck never truncates "
        f"input: pass --max-bytes {max_bytes * 2} (or larger) to audit it",
        code="CC105",
    )
