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
from typing import Any

from app.web.expiring_files import ExpiringFiles

MAX_RECORD_BYTES = 64 * 1024  # a record is read only up to this size


class ClassRecords(ExpiringFiles):
    """`class-<code>.json` files in `root` (made on the first write), kept `ttl_s` seconds
    after their last write (None: as long as the folder)."""

    prefix = "class-"
    suffix = ".json"

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
        with contextlib.suppress(OSError):  # no record: the class lives on, not durable
            self.write(cls.code, json.dumps(record))

    def load(self, code: str) -> dict[str, Any] | None:
        """The class's record, or None: none, expired (then removed), or unreadable."""
        data = self.read_bytes(code, MAX_RECORD_BYTES)
        try:
            record = json.loads(data) if data is not None else None
        except ValueError:
            return None
        return record if isinstance(record, dict) and record.get("code") == code else None

    def find_key(self, key: str) -> dict[str, Any] | None:
        """The record of the class whose teacher key is `key`."""
        want = hashlib.sha256(key.encode()).hexdigest()
        for path in self.root.glob(f"{self.prefix}*{self.suffix}"):
            record = self.load(path.name[len(self.prefix) : -len(self.suffix)])
            if record is not None and record.get("key_sha256") == want:
                return record
        return None
