"""Closing the loop: SLT answer an unanswered question (or a group of similar ones); the answer is kept in
the database (who approved it, when: bot.storage.slt_store), indexed with the organisation's policies as
an SLT-approved entry, and the questions are marked resolved."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import AccessDenied, QuestionError
from bot.reading import slt_answers
from bot.storage.tables import LogEntry, SltAnswer


def answer_gap(db: sessionmaker[Session], org: str, entry_ids: Sequence[str], question: str,
               answer: str, approved_by: str, now: datetime) -> str:
    """Record SLT's answer for *entry_ids* (all of *org*, unanswered, not yet resolved); returns its id.
    The answer and the questions' resolution are one transaction."""
    try:
        entry = slt_answers.SltAnswerEntry(id=uuid.uuid4().hex, question=question.strip(), answer=answer.strip(),
                                           approved_by=approved_by, approved_at=now)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise QuestionError(f"The answer cannot be saved: {problems}.") from exc
    with db.begin() as session:
        entries = _open_entries(session, org, entry_ids)
        session.add(SltAnswer(id=entry.id, org=org, question=entry.question, answer=entry.answer,
                              approved_by=approved_by, approved_at=now))
        session.flush()
        for row in entries:
            row.resolved_by = entry.id
    return entry.id


def _open_entries(session: Session, org: str, entry_ids: Sequence[str]) -> list[LogEntry]:
    if not entry_ids:
        raise QuestionError("Choose at least one question to answer.")
    rows = list(session.scalars(select(LogEntry).where(LogEntry.id.in_(list(entry_ids)))))
    if len(rows) != len(set(entry_ids)) or any(r.org != org for r in rows):
        raise AccessDenied("Some of those questions are not in your organisation's log.")
    if any(r.flagged for r in rows):
        raise AccessDenied("Safeguarding questions are handled by the DSL, not answered into the corpus.")
    if any(r.resolved_by for r in rows):
        raise QuestionError("Some of those questions have already been answered.")
    return rows
