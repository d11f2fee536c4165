"""Hostile run files for the tests: zlib bombs built a chunk at a time, a saved run to spoil."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

MIB = 1 << 20


def zeros_stream(n_mib: int) -> bytes:
    """A valid zlib stream that inflates to n_mib MiB of zeros (about 1 KiB of it per MiB).

    Built a MiB at a time and never inflated here: after a full flush the compressor starts
    afresh, so every later MiB compresses to the same block, written n_mib - 1 times.
    """
    chunk = bytes(MIB)
    c = zlib.compressobj(9)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush()[:-4]  # the empty last block; its checksum is for 2 MiB, not n_mib
    n = n_mib * MIB
    adler = ((n % 65521) << 16) | 1  # Adler-32 of n zero bytes: a stays 1, b counts them
    return head + block * (n_mib - 1) + end + adler.to_bytes(4, "big")


def bomb(shape: list[int], n_mib: int, dtype: str = "<f4") -> dict[str, Any]:
    """A packed array that declares `shape` but inflates to n_mib MiB."""
    return {"dtype": dtype, "shape": shape, "b64": base64.b64encode(zeros_stream(n_mib)).decode()}


def saved_run(**config: Any) -> dict[str, Any]:
    """A real run (3 steps of Adam on XOR unless told), as its JSON file reads back."""
    from app.training.live.config import TrainingConfig
    from app.training.live.session import TrainingSession
    from app.training.takehome.runfile import save_run

    s = TrainingSession(TrainingConfig(**{"optimizer": "adam", **config}))
    s.advance(3)
    s.frame("paused")
    return json.loads(json.dumps(save_run(s)))
