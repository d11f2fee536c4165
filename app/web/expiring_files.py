"""Small files in the server's state folder that outlive a worker process: the session
checkpoints (checkpoints.py) and the class records (class_records.py).

A file is `<root>/<prefix><key><suffix>`, written atomically (a temporary file, then
os.replace: a reader sees the old file or the new one, never half of one) and expired
`ttl_s` seconds after its last write (None: kept as long as the folder).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

TMP_TTL_S = 60.0  # a temporary file this old was left by a writer that died


class ExpiringFiles:
    """The files of one kind in `root` (made on the first write), kept `ttl_s` seconds."""

    prefix = ""
    suffix = ""

    def __init__(self, root: str | Path, ttl_s: float | None = None):
        self.root = Path(root)
        self.ttl_s = ttl_s

    def path(self, key: str) -> Path:
        return self.root / f"{self.prefix}{key}{self.suffix}"

    def write(self, key: str, text: str) -> None:
        """Atomically replace the file of `key`; OSError if the folder refuses."""
        final = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.root / f".{self.prefix}{key}.{os.getpid()}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def read_bytes(self, key: str, max_bytes: int) -> bytes | None:
        """The file's bytes, or None: none, expired (then removed), unreadable, a key that
        `path` refuses (ValueError), or longer than `max_bytes`."""
        try:
            path = self.path(key)
            if self._expired(path, time.time()):
                path.unlink()
                return None
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
        except (OSError, ValueError):
            return None
        return data if len(data) <= max_bytes else None

    def remove(self, key: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.path(key).unlink()

    def sweep(self) -> int:
        """Remove expired files and leftover temporary files; returns how many."""
        removed = 0
        now = time.time()
        with contextlib.suppress(OSError):
            for p in self.root.iterdir():
                with contextlib.suppress(OSError):
                    ours = p.name.startswith(self.prefix) and p.name.endswith(self.suffix)
                    tmp = p.name.startswith(f".{self.prefix}") and p.suffix == ".tmp"
                    stale = tmp and now - p.stat().st_mtime > TMP_TTL_S
                    if (ours and self._expired(p, now)) or stale:
                        p.unlink()
                        removed += 1
        return removed

    def _expired(self, path: Path, now: float) -> bool:
        return self.ttl_s is not None and now - path.stat().st_mtime > self.ttl_s
