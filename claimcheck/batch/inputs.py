"""Expand batch inputs into work items, each with a stable key.

An input is a file (text, HTML, PDF), a directory (recursive, hidden entries skipped), a CSV or
Parquet table with a `text` or `url` column, a URL list (*.urls, or a *.txt whose every
non-empty line is a URL), a sitemap (file or URL), a WARC file, or a URL. Keys: files by
resolved path, URLs by normalised URL, table rows by file + row id, WARC records by file +
record id. Anything that cannot be read becomes an ItemError, never a silent drop.

Error codes of the batch command: CC130 --out folder not usable, CC131 input missing or
unreadable, CC132 file over --max-bytes, CC133 table/sitemap/URL list without auditable rows,
CC134 unreadable WARC, CC135 WARC record not auditable (non-2xx, or not text/HTML/PDF), CC136
crawl seed not crawled (a duplicate, or --max-pages reached), CC137 extractor crashed, CC138
auditor or worker crashed, CC139 Dask unavailable or scheduler unreachable.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger("claimcheck")

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
TABLE_CHUNK = 1000  # rows read at a time; also a Dask partition boundary
_URL_LIST_PEEK = 2_000_000  # a .txt bigger than this is a page, not a URL list
AUDITABLE_TYPES = ("text/", "application/xhtml", "application/pdf", "application/xml")


@dataclass(frozen=True)
class WorkItem:
    """One page to audit. kind "bytes": raw content to extract; "text": already text (table
    rows); "url": to fetch first; "sitemap": a sitemap URL whose pages become "url" items.
    The origin fields describe where the page came from."""

    key: str
    input: str  # the command-line input it came from
    site: str  # host for pages with a URL, else the input: one sites.csv row per site
    partition: str  # input file, WARC file, table chunk or host: Dask partitions by this
    kind: Literal["bytes", "text", "url", "sitemap"]
    source: str  # Document.source: shown as the report's input
    raw: bytes = b""
    text: str = ""
    url: str = ""
    final_url: str = ""
    status: int | None = None
    fetched_at: str = ""
    content_type: str = ""
    record_id: str = ""


@dataclass(frozen=True)
class ItemError:
    """An input (or part of one) that ends in errors.csv instead of pages."""

    key: str
    input: str
    stage: Literal["read", "fetch", "extract", "audit"]
    code: str
    reason: str


def is_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text.strip()


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and default ports; "/" for an empty path."""
    p = urlsplit(url.strip())
    host = (p.hostname or "").lower()
    port = p.port
    if port and not ((p.scheme == "http" and port == 80) or (p.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if p.username:
        host = f"{p.username}@{host}"
    return urlunsplit((p.scheme.lower(), host, p.path or "/", p.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).netloc or "").lower()


def is_sitemap_name(name: str) -> bool:
    return name.lower().endswith("sitemap.xml") or name.lower().endswith("sitemap_index.xml")


@dataclass(frozen=True)
class Expander:
    """Turns inputs into work items; URL-ish inputs become "url" items (or crawl seeds)."""

    max_bytes: int = 10_000_000

    def expand(self, inputs: tuple[str, ...]) -> Iterator[WorkItem | ItemError]:
        for arg in inputs:
            if is_url(arg):
                yield url_item(arg, arg, sitemap=is_sitemap_name(urlsplit(arg).path))
                continue
            path = Path(arg)
            if not path.exists():
                yield ItemError(arg, arg, "read", "CC131", f"{arg} does not exist")
            elif path.is_dir():
                yield from self._directory(path, arg)
            else:
                yield from self.file(path, arg)

    def _directory(self, root: Path, arg: str) -> Iterator[WorkItem | ItemError]:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).parts
            if any(part.startswith(".") for part in rel):
                continue  # hidden files and folders (.git, .DS_Store) are not inputs
            if path.is_file():
                yield from self.file(path, arg)

    def file(self, path: Path, arg: str) -> Iterator[WorkItem | ItemError]:
        name = path.name.lower()
        try:
            if name.endswith(TABLE_SUFFIXES):
                yield from table_items(path, arg)
            elif name.endswith(WARC_SUFFIXES):
                yield from warc_items(path, arg)
            elif is_sitemap_name(name):
                yield from self._sitemap_file(path, arg)
            elif name.endswith((".urls", ".txt")) and (urls := _url_list(path, name)) is not None:
                for url in urls:
                    yield url_item(url, arg)
            else:
                yield self._read(path, arg)
        except OSError as e:
            key = str(path.resolve())
            yield ItemError(key, arg, "read", "CC131", f"{path} cannot be read: {e.strerror or e}")

    def _read(self, path: Path, arg: str) -> WorkItem | ItemError:
        key = str(path.resolve())
        size = path.stat().st_size
        if size > self.max_bytes:
            return ItemError(key, arg, "read", "CC132",
                             f"{path} is {size:,} bytes, over the {self.max_bytes:,}-byte limit "
                             f"(--max-bytes); never truncated")
        return WorkItem(key=key, input=arg, site=arg, partition=arg, kind="bytes", source=str(path),
                        raw=path.read_bytes())

    def _sitemap_file(self, path: Path, arg: str) -> Iterator[WorkItem | ItemError]:
        from ..web.crawl import parse_sitemap

        kind, urls = parse_sitemap(path.read_bytes())
        if not urls:
            yield ItemError(str(path.resolve()), arg, "read", "CC133", f"{path} lists no URLs")
        for url in urls:  # an index lists sitemaps, fetched and expanded by the driver
            yield url_item(url, arg, sitemap=kind == "index")


def url_item(url: str, arg: str, *, sitemap: bool = False) -> WorkItem:
    url = url.strip()
    return WorkItem(key=normalise_url(url), input=arg, site=host_of(url), partition=host_of(url),
                    kind="sitemap" if sitemap else "url", source=url, url=url)


def _url_list(path: Path, name: str) -> list[str] | None:
    """The URLs of a URL-list file (# comments allowed), or None when it is an ordinary text.
    A *.urls file is always a list; a *.txt only when every non-empty line is a URL."""
    if path.stat().st_size > _URL_LIST_PEEK and not name.endswith(".urls"):
        return None
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return None
    entries = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if name.endswith(".urls"):
        return [e for e in entries if is_url(e)]
    if entries and all(is_url(e) for e in entries):
        return entries
    return None


def warc_items(path: Path, arg: str) -> Iterator[WorkItem | ItemError]:
    """Response records with text, HTML or PDF content; other responses become errors
    (so they are visible), and request/metadata/warcinfo records are not pages."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    resolved = str(path.resolve())
    n = 0
    if ".warc" in path.name.lower() and not _starts_like_warc(path):
        yield ItemError(resolved, arg, "read", "CC134", f"{path} is not a WARC file (no WARC/1.x header)")
        return
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                n += 1
                item = _warc_record(record, resolved, arg, n)
                yield item
    except (ArchiveLoadFailed, ValueError, EOFError, OSError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        yield ItemError(f"{resolved}#read-error-{n + 1}", arg, "read", "CC134",
                        f"{path} is not a readable WARC after {n} records: {reason}")


def _starts_like_warc(path: Path) -> bool:
    """warcio would read any text as ARC records: check the WARC version line first."""
    import gzip

    with open(path, "rb") as f:
        head = f.read(2)
    try:
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as f:
            return f.read(5) == b"WARC/"
    except (OSError, EOFError):
        return False


def _warc_record(record, resolved: str, arg: str, n: int) -> WorkItem | ItemError:
    h = record.rec_headers
    record_id = h.get_header("WARC-Record-ID") or f"record-{n}"
    uri = h.get_header("WARC-Target-URI") or ""
    key = f"{resolved}#{record_id}"
    http = record.http_headers
    status = None
    ctype = ""
    if http is not None:
        try:
            status = int(http.get_statuscode())
        except (TypeError, ValueError):
            status = None
        ctype = http.get_header("Content-Type") or ""
    if status is not None and not 200 <= status < 300:
        where = http.get_header("Location") if http is not None else ""
        extra = f" to {where}" if where else ""
        return ItemError(key, arg, "fetch", "CC135", f"{uri}: HTTP {status}{extra} in the WARC; not audited")
    base = ctype.split(";")[0].strip().lower()
    if base and not base.startswith(AUDITABLE_TYPES):
        return ItemError(key, arg, "read", "CC135", f"{uri}: content type {base} is not text, HTML or PDF")
    raw = record.content_stream().read()
    return WorkItem(key=key, input=arg, site=host_of(uri) or arg, partition=resolved, kind="bytes",
                    source=uri or key,
                    raw=raw, url=uri, final_url=uri, status=status,
                    fetched_at=h.get_header("WARC-Date") or "", content_type=ctype,
                    record_id=record_id)


def table_items(path: Path, arg: str) -> Iterator[WorkItem | ItemError]:
    """Rows of a CSV or Parquet table with a `text` (preferred) or `url` column; optional `id`
    (row id in the key, else the row number) and `source` (shown as the report's input)."""
    resolved = str(path.resolve())
    try:
        chunks = _table_chunks(path)
        first = next(chunks, None)
    except Exception as e:  # pandas/pyarrow raise many types for a malformed table
        yield ItemError(resolved, arg, "read", "CC133", f"{path} is not a readable table: {_one_line(e)}")
        return
    if first is None:
        yield ItemError(resolved, arg, "read", "CC133", f"{path} has no rows")
        return
    columns = set(first.columns)
    if not {"text", "url"} & columns:
        yield ItemError(resolved, arg, "read", "CC133",
                        f"{path} has no `text` or `url` column (columns: {', '.join(map(str, first.columns))})")
        return
    row = 0
    n_chunk = 0
    for chunk in _chain(first, chunks, path, resolved, arg):
        if isinstance(chunk, ItemError):
            yield chunk
            return
        partition = f"{resolved}#chunk{n_chunk}"
        n_chunk += 1
        for rec in chunk.to_dict("records"):
            row += 1
            yield _row_item(rec, row, resolved, arg, partition)


def _chain(first, rest, path, resolved, arg):
    yield first
    try:
        yield from rest
    except Exception as e:
        yield ItemError(f"{resolved}#read-error", arg, "read", "CC133",
                        f"{path} stopped being readable after some rows: {_one_line(e)}")


def _table_chunks(path: Path):
    import pandas as pd

    if path.name.lower().endswith(".csv"):
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=TABLE_CHUNK)
        for chunk in reader:
            yield chunk
        return
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=TABLE_CHUNK):
        yield batch.to_pandas()


def _cell(rec: dict, name: str) -> str:
    value = rec.get(name)
    if value is None or (isinstance(value, float) and value != value):  # None / NaN
        return ""
    return str(value)


def _row_item(rec: dict, row: int, resolved: str, arg: str, partition: str) -> WorkItem | ItemError:
    row_id = _cell(rec, "id") or str(row)
    key = f"{resolved}#{row_id}"
    text, url = _cell(rec, "text"), _cell(rec, "url").strip()
    source = _cell(rec, "source") or url or f"{arg}#{row_id}"
    site = host_of(url) if is_url(url) else arg
    if text.strip():
        return WorkItem(key=key, input=arg, site=site, partition=partition, kind="text",
                        source=source, text=text, url=url, final_url=url)
    if url:
        if not is_url(url):
            return ItemError(key, arg, "read", "CC133", f"row {row_id}: {url!r} is not an http(s) URL")
        return WorkItem(key=key, input=arg, site=site, partition=partition, kind="url",
                        source=source, url=url)
    return ItemError(key, arg, "extract", "CC103", f"row {row_id} has an empty text; nothing to audit")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
