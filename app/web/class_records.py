"""A class outlives its worker process: its record (code, title, what the teacher set) is a
small file in the workers' shared directory, so when the process holding the class dies and
is replaced, the first socket of the class to come back (the teacher page reopening it with
its key, or a student's tab rejoining) brings the class back in the process it reaches.

The record keeps a hash of the teacher key, never the key. Students are not in it: their
tabs reconnect and rejoin by themselves (the page remembers the code and the name), and get
the class's pushed settings again, as latecomers do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

MAX_RECORD_BYTES = 64 * 1024  # a record is read only up to this size


class ClassRecords:
    """`class-<code>.json` files in `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

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
            tmp.write_text(json.dumps(record), "utf-8")
            os.replace(tmp, self._path(cls.code))

    def load(self, code: str) -> dict[str, Any] | None:
        try:
            with open(self._path(code), "rb") as f:
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
