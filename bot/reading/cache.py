"""What each document file read into, kept by the hash of its bytes: a re-index reads (parses) only the
files whose bytes changed. An entry is plain JSON of the SourceDocument; a damaged or foreign entry is
ignored and the file read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.reading.blocks import Block, SourceDocument
from bot.reading.version import readers_id


def key(data: bytes) -> str:
    """The file's bytes and the readers' code: a reader that changed reads every file again."""
    return hashlib.sha256(readers_id().encode() + b"\0" + data).hexdigest()


class ReadCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def get(self, k: str) -> SourceDocument | None:
        self.used.add(k)
        try:
            raw = json.loads((self.folder / f"{k}.json").read_text("utf-8"))
            return _document(raw)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, k: str, document: SourceDocument) -> None:
        """Written beside the entries and renamed into place, so a reader never sees half an entry.
        A cache that cannot be written only costs a re-read next time."""
        self.used.add(k)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".entry.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(document), fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, self.folder / f"{k}.json")
        except OSError:
            return

    def prune(self) -> None:
        """Forget the entries no document used in this read (files removed or changed since)."""
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _document(raw: dict[str, Any]) -> SourceDocument:
    blocks = tuple(Block(**{**b, "cells": tuple(b["cells"])}) for b in raw["blocks"])
    return SourceDocument(blocks=blocks, properties=dict(raw["properties"]), pages=raw.get("pages"))
