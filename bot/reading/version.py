"""What the reading code is, as a hash of its source: whatever reads the same bytes differently after an
upgrade must not be served from what an older version read (the read cache, a built index)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(_HERE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@cache
def readers_id() -> str:
    """The readers and the block model: what a file's bytes read into."""
    return _digest([*(_HERE / "readers").glob("*.py"), _HERE / "blocks.py"])


@cache
def reading_id() -> str:
    """All of reading: what a corpus folder's files give as documents and clauses."""
    return _digest([p for p in _HERE.rglob("*.py") if "__pycache__" not in p.parts])
