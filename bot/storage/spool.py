"""A local file where log entries wait while the database is unreachable.

Entries carry their own ids, so writing the spool twice (a crash between the database commit and the
truncation) writes each entry once. The file holds redacted entries only, like the database.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Item = dict[str, Any]


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._dead_lock = threading.Lock()  # appends to the dead-letter file (one O_APPEND write each)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time, across threads and processes (CLI and server may share a spool)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, item: Item) -> None:
        line = json.dumps(item, ensure_ascii=False) + "\n"
        with self._locked():
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    @property
    def dead_path(self) -> Path:
        return self.path.with_suffix(".dead")

    def set_aside(self, item: Item, reason: str) -> None:
        """Keep an item the database will not take (dead letters), with why, for someone to look at.
        Called while the spool is being drained, so it has a lock of its own."""
        line = json.dumps({"reason": reason, "item": item}, ensure_ascii=False) + "\n"
        with self._dead_lock:
            fd = os.open(self.dead_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8", "replace"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def waiting(self) -> bool:
        """Whether anything waits (one stat, for every question: pending() reads the file)."""
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def pending(self) -> int:
        if not self.path.exists():
            return 0
        with open(self.path, encoding="utf-8") as fh:
            return sum(1 for line in fh if line.strip())

    def drain(self, write: Callable[[list[Item]], None]) -> int:
        """Hand every waiting item to *write*; the file is emptied only if *write* returns. A line that
        is not JSON (a crash mid-write) is set aside in `<spool>.bad`, never dropped silently."""
        with self._locked():
            if not self.path.exists() or self.path.stat().st_size == 0:
                return 0
            items, bad = _read(self.path)
            if bad:
                with open(self.path.with_suffix(".bad"), "a", encoding="utf-8") as fh:
                    fh.writelines(line + "\n" for line in bad)
            write(items)
            with open(self.path, "w", encoding="utf-8") as fh:
                fh.flush()
                os.fsync(fh.fileno())
            return len(items)


def _read(path: Path) -> tuple[list[Item], list[str]]:
    items: list[Item] = []
    bad: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(line)
    return items, bad
