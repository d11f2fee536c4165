"""A class outlives its worker process and the server: its record (code, title, what the
teacher set) is a small file in the server's state folder (`<state_dir>/classes/`, beside the
session checkpoints), so when the process holding the class dies and is replaced, or the
whole server is restarted, the first socket of the class to come back (the teacher page
reopening it with its key, or a student's tab rejoining) brings the class back in the
process it reaches. Records expire `ttl_s` after their last write, like checkpoints; a live
class rewrites its record now and then (class_socket.py). Without a state folder
(checkpoints off) the records live in the workers' shared directory: a class then outlives
its worker, not the server.

The record keeps a hash of the teacher key, never the key. Students are not in it: their
tabs reconnect and rejoin by themselves (the page remembers the code and the name), and get
the class's pushed settings again, as latecomers do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

MAX_RECORD_BYTES = 64 * 1024  # a record is read only up to this size


class ClassRecords:
    """`class-<code>.json` files in `root` (made on the first write), kept `ttl_s` seconds
    after their last write (None: as long as the folder)."""

    def __init__(self, root: str | Path, ttl_s: float | None = None):
        self.root = Path(root)
        self.ttl_s = ttl_s

    def _path(self, code: str) -> Path:
        return self.root / f"class-{code}.json"

    def save(self, cls: Any) -> None:
        """Write the class's record atomically (a reader sees the old one or the new one)."""
        record = {
            "code": cls.code,
            "key_sha256": cls.key_sha256,
            "title": cls.title,
            "size": cls.size,
            "locked": sorted(cls.locked),
            "pushed": cls.pushed,
            "lesson": cls.lesson,
        }
        tmp = self.root / f".class-{cls.code}.{os.getpid()}.tmp"
        with contextlib.suppress(OSError):  # no record: the class lives on, not durable
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp.write_text(json.dumps(record), "utf-8")
            os.replace(tmp, self._path(cls.code))

    def _expired(self, path: Path, now: float) -> bool:
        return self.ttl_s is not None and now - path.stat().st_mtime > self.ttl_s

    def load(self, code: str) -> dict[str, Any] | None:
        """The class's record, or None: none, expired (then removed), or unreadable."""
        path = self._path(code)
        try:
            if self._expired(path, time.time()):
                path.unlink()
                return None
            with open(path, "rb") as f:
                data = f.read(MAX_RECORD_BYTES + 1)
            record = json.loads(data) if len(data) <= MAX_RECORD_BYTES else None
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("code") == code else None

    def find_key(self, key: str) -> dict[str, Any] | None:
        """The record of the class whose teacher key is `key`."""
        want = hashlib.sha256(key.encode()).hexdigest()
        for path in self.root.glob("class-*.json"):
            record = self.load(path.name[len("class-") : -len(".json")])
            if record is not None and record.get("key_sha256") == want:
                return record
        return None

    def delete(self, code: str) -> None:
        with contextlib.suppress(OSError):
            self._path(code).unlink()

    def sweep(self) -> int:
        """Remove expired records and leftover temporary files; returns how many."""
        removed = 0
        now = time.time()
        with contextlib.suppress(OSError):
            for p in self.root.iterdir():
                with contextlib.suppress(OSError):
                    record = p.name.startswith("class-") and p.suffix == ".json"
                    tmp = p.name.startswith(".class-") and p.suffix == ".tmp"
                    if (record and self._expired(p, now)) or (tmp and now - p.stat().st_mtime > 60):
                        p.unlink()
                        removed += 1
        return removed
