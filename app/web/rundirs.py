"""The folder a server's worker processes share, and clearing what a killed server left.

A server of several processes makes a `run-*` folder under one root per user in the temp
directory (/tmp/backprop-playground-<uid>/) and holds a lock on the folder for as long as
it or any of its workers live (the workers inherit the locked descriptor). A clean stop
removes the folder; a start removes every folder whose lock nobody holds any more: what a
server killed with -9 (or a machine that lost power) left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

FRESH_S = 2.0  # a folder this young may be a starting server's, not yet locked
# The workers' Unix sockets live in a run folder, and a socket's path holds 107 bytes at
# most: a longer temp folder than this (pytest's, some Macs') gives way to /tmp.
LONGEST_TMP = 40


def root() -> Path:
    """This user's folder for the servers' run folders (made private on first use)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    base = Path(tempfile.gettempdir())
    if len(str(base)) > LONGEST_TMP and Path("/tmp").is_dir():
        base = Path("/tmp")
    path = base / f"backprop-playground-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _locked(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def clean_stale(base: Path) -> int:
    """Remove the run folders no live server holds; returns how many."""
    removed = 0
    for folder in base.glob("run-*"):
        try:
            if time.time() - folder.stat().st_mtime < FRESH_S:
                continue
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            stale = not _locked(fd)
        finally:
            os.close(fd)
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


@contextlib.contextmanager
def run_dir() -> Iterator[tuple[str, int]]:
    """A new locked run folder: (its path, the locked descriptor to hand to the workers).
    Stale folders of killed servers are removed first; this one goes when the block ends."""
    base = root()
    clean_stale(base)
    path = tempfile.mkdtemp(prefix="run-", dir=base)
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield path, fd
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)
