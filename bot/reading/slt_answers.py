"""Answers the senior leadership team wrote to fill gaps, indexed and quoted like a policy clause but
labelled as an SLT answer (who approved it, when).

They are kept in the database (the slt_answers table, bot.storage.slt_store), which every replica shares,
and handed to indexing from there. Earlier releases kept them in a file in the organisation's corpus
folder (slt-answers.yaml): such a file is read once, imported into the database and renamed
slt-answers.yaml.imported, so nothing it held is lost and nothing is read twice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError
from bot.reading.documents import Clause, DocumentInfo, Organisation

FILE = "slt-answers.yaml"
TITLE = "Answers approved by the senior leadership team"
MAX_ANSWER_CHARS = 600  # quoted whole, like a clause
_HEADER = ("# Answers approved by the senior leadership team, added from the SLT dashboard.\n"
           "# Each is quoted to staff like a policy clause, labelled with who approved it and when.\n"
           "# To withdraw an answer, delete its entry.\n")


class SltAnswerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=32)
    question: str = Field(min_length=3, max_length=500)
    answer: str = Field(min_length=3, max_length=MAX_ANSWER_CHARS)
    approved_by: str = Field(min_length=1, max_length=200)
    approved_at: datetime


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[SltAnswerEntry] = []


def read(folder: Path) -> list[SltAnswerEntry]:
    path = folder / FILE
    if not path.is_file():
        return []
    try:
        return _File.model_validate(yaml.safe_load(path.read_text("utf-8")) or {}).answers
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{folder.name}/{FILE}: cannot be read ({exc.__class__.__name__}): {exc}") from exc


def append(folder: Path, entry: SltAnswerEntry) -> None:
    """Add *entry*, keeping every answer already there. An unreadable file is never overwritten."""
    entries = read(folder)
    if any(e.id == entry.id for e in entries):
        return
    payload = {"answers": [e.model_dump(mode="json") for e in [*entries, entry]]}
    text = _HEADER + yaml.safe_dump(payload, allow_unicode=True, sort_keys=False, width=100)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{FILE}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / FILE)


def label(entry: SltAnswerEntry) -> str:
    return f"SLT answer, approved by {entry.approved_by} on {entry.approved_at:%-d %B %Y}"


def load(root: Path, org: Organisation,
         entries: list[SltAnswerEntry] | None = None) -> tuple[DocumentInfo, list[Clause]] | None:
    """The organisation's SLT answers (*entries*, else its folder's file) as a document and its clauses
    (None when there are none)."""
    if entries is None:
        entries = read(root / org.slug)
    if not entries:
        return None
    source = f"{org.slug}/{FILE}"
    text = "\n".join(e.model_dump_json() for e in entries)
    doc = DocumentInfo(org=org.slug, source=source, title=TITLE, sha256=hashlib.sha256(text.encode()).hexdigest(),
                       owner_role="slt")
    clauses = [Clause(id=f"{source}#{e.id}", org=org.slug, source=source, document=TITLE, section=e.question,
                      text=e.answer, kind="slt-answer", note=label(e)) for e in entries]
    return doc, clauses
