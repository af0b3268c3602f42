"""Content-addressed store of raw fetched bytes: root/raw/<sha256[:2]>/<sha256>.

Keeping the exact bytes lets a regulator re-check a finding against what was served, and
lets a resumed batch skip re-fetching. Writes are atomic (temp file in the same directory,
then os.replace), so a crash never leaves a half-written blob under its final name.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class RawStore:
    """Stores each distinct body once; safe to share between threads and processes."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this hex digest lives (whether or not it exists)."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a lower-case sha256 hex digest: {sha256!r}")
        return self.root / "raw" / sha256[:2] / sha256

    def put(self, raw: bytes) -> Path:
        """Write `raw` unless already stored; returns its path."""
        path = self.path_for(hashlib.sha256(raw).hexdigest())
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def get(self, sha256: str) -> bytes:
        """The stored bytes (FileNotFoundError when absent)."""
        return self.path_for(sha256).read_bytes()

    def __contains__(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
