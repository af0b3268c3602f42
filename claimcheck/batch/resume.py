"""The journal: reports.jsonl and errors.jsonl in the out folder, appended one line per finished
item and flushed, fsync'd at intervals, so a crash loses at most the item in flight.

On --resume a partial last line (a crash mid-write) is cut off, and the keys already done are
skipped: every page, and every error except fetch errors (those are retried, since a site that
was down may be back).
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict
from pathlib import Path

from ..errors import InputError
from .inputs import ItemError

log = logging.getLogger("claimcheck")

REPORTS = "reports.jsonl"
ERRORS = "errors.jsonl"
FSYNC_SECONDS = 2.0


def prepare_out_dir(out: Path, *, resume: bool, force: bool) -> None:
    """Create the folder; refuse one that already holds files unless resuming or forced."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a folder", code="CC130")
    if out.is_dir() and any(out.iterdir()) and not (resume or force):
        raise InputError(f"--out {out} is not empty: pass --resume to continue that batch or "
                         f"--force to start over in it", code="CC130")
    out.mkdir(parents=True, exist_ok=True)
    if force and not resume:
        for name in (REPORTS, ERRORS):
            (out / name).unlink(missing_ok=True)


def read_lines(path: Path):
    """Complete JSON lines of a journal file; a torn or corrupt line is skipped with a warning."""
    if not path.is_file():
        return
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                log.warning("%s: ignoring a partial last line (interrupted write)", path.name)
                return
            try:
                yield json.loads(raw)
            except ValueError:
                log.warning("%s: ignoring unreadable line %d", path.name, n)


def _cut_partial_tail(path: Path) -> None:
    """Truncate a file after its last newline, so new lines do not glue onto a torn one."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        pos, tail = size, b""
        while pos > 0 and b"\n" not in tail:
            step = min(65536, pos)
            pos -= step
            f.seek(pos)
            tail = f.read(step) + tail
        keep = pos + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
        if keep < size:
            log.warning("%s: cutting %d bytes of an interrupted last line", path.name, size - keep)
            f.truncate(keep)


def done_keys(out: Path) -> set[str]:
    """Keys a resumed batch skips: pages written and errors that a retry would not change."""
    keys = {rec["key"] for rec in read_lines(out / REPORTS) if "key" in rec}
    keys |= {rec["key"] for rec in read_lines(out / ERRORS)
             if "key" in rec and rec.get("stage") != "fetch"}
    return keys


class Journal:
    """Appends finished items; flush per line, fsync at most every FSYNC_SECONDS and on close."""

    def __init__(self, out: Path):
        for name in (REPORTS, ERRORS):
            _cut_partial_tail(out / name)
        self._reports = open(out / REPORTS, "a", encoding="utf-8")
        self._errors = open(out / ERRORS, "a", encoding="utf-8")
        self._synced = time.monotonic()
        self.pages = 0
        self.errors = 0

    def page(self, line: str) -> None:
        self._reports.write(line + "\n")
        self._reports.flush()
        self.pages += 1
        self._maybe_sync()

    def error(self, err: ItemError) -> None:
        self._errors.write(json.dumps(asdict(err), ensure_ascii=False) + "\n")
        self._errors.flush()
        self.errors += 1
        self._maybe_sync()

    def _maybe_sync(self) -> None:
        if time.monotonic() - self._synced >= FSYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        for f in (self._reports, self._errors):
            os.fsync(f.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        self.sync()
        self._reports.close()
        self._errors.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
