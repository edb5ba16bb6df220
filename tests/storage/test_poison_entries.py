"""One bad entry never blocks the log: what a database refuses for its content (not for being down) is
set aside in a dead-letter file with the reason, and everything else is written; text no database
accepts (NUL, lone surrogates) is made storable before it is stored or spooled; when entries can be
neither stored nor spooled, /healthz is told. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqlalchemy import func, select

from bot.core.models import Question
from bot.core.service import clean_question
from bot.storage.question_log import SqlQuestionLog, storable
from bot.storage.tables import LogEntry
from tests.conftest import CORPUS, make_service


def test_nul_and_lone_surrogates_are_made_storable() -> None:
    assert storable("a\x00b \ud800 c") == "a\ufffdb \ufffd c"
    assert clean_question("x \ud800 ok?\x00", 100) == "x ok?"


@pytest.fixture
def opened() -> Iterator[list[SqlQuestionLog]]:
    """Logs opened by a test, their connections closed after it."""
    logs: list[SqlQuestionLog] = []
    yield logs
    for log in logs:
        log.sessions.kw["bind"].dispose()


def _service(tmp_path: Path, database_url: str, opened: list[SqlQuestionLog]):  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(CORPUS, tmp_path / "corpus")
    service = make_service(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", database_url=database_url)
    opened.append(service.log)
    return service


def _entries(log: SqlQuestionLog) -> int:
    with log.sessions() as session:
        return session.scalar(select(func.count()).select_from(LogEntry)) or 0


def test_a_question_with_nul_and_a_lone_surrogate_is_answered_and_logged(tmp_path: Path, database_url: str,
                                                                        opened: list[SqlQuestionLog]) -> None:
    service = _service(tmp_path, database_url, opened)
    log = service.log
    assert isinstance(log, SqlQuestionLog)
    a = service.answer(Question("can i message a pupil on insta\x00 \ud800 ok?", "model-trust", user="u\x00"))
    assert a.log_id and log.spool.pending() == 0 and _entries(log) == 1
    with log.sessions() as session:
        stored = session.scalars(select(LogEntry.question)).one()
    assert "\x00" not in stored and "\ud800" not in stored


def test_an_entry_the_database_refuses_is_set_aside_and_the_rest_are_written(tmp_path: Path, database_url: str,
                                                                             opened: list[SqlQuestionLog]) -> None:
    service = _service(tmp_path, database_url, opened)
    log = service.log
    assert isinstance(log, SqlQuestionLog)
    good = service.answer(Question("can I add an ex-pupil on facebook", "model-trust")).log_id
    assert good
    # Entries waiting in the spool from an outage, one of them refused by the database for what it holds
    # (a duplicate primary key of a different entry is refused by every database).
    first = {"kind": "entry", "id": "a" * 32, "asked_at": "2026-11-21T10:00:00+00:00", "org": "model-trust",
             "channel": "web", "asker": "x", "asker_identity": None, "question": "one", "answered": True,
             "flagged": False, "flag_reason": None, "clauses": [], "context": None}
    poison = {**first, "id": "b" * 32, "clauses": [{"rank": 0, "source": None, "document": None, "section": None,
                                                     "score": 1.0}]}  # NOT NULL columns
    third = {**first, "id": "c" * 32, "question": "three"}
    for item in (first, poison, third):
        log.spool.append(item)
    assert log.flush() == 3 and log.spool.pending() == 0
    assert _entries(log) == 3  # the good one, the first and the third: the poison did not block them
    dead = [json.loads(line) for line in log.spool.dead_path.read_text("utf-8").splitlines()]
    assert [d["item"]["id"] for d in dead] == ["b" * 32] and "IntegrityError" in dead[0]["reason"]
    assert log.flush() == 0  # nothing left waiting: the poison is not retried forever


def test_when_nothing_can_be_kept_the_log_says_why(tmp_path: Path, opened: list[SqlQuestionLog]) -> None:
    import socket

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    service = _service(tmp_path, "sqlite:///" + str(tmp_path / "ok.db"), opened)
    log = service.log
    assert isinstance(log, SqlQuestionLog)
    assert service.answer(Question("can I add an ex-pupil on facebook", "model-trust")).log_id
    assert log.problem is None
    held = socket.socket()  # a database that refuses connections
    held.bind(("127.0.0.1", 0))
    try:
        log.sessions = sessionmaker(create_engine(f"postgresql+psycopg://x@127.0.0.1:{held.getsockname()[1]}/x",
                                                  connect_args={"connect_timeout": 2}))
        (tmp_path / "a-file").write_text("not a folder")
        log.spool.path = tmp_path / "a-file" / "spool.jsonl"  # a spool that cannot be written, even by root
        a = service.answer(Question("can I add an ex-pupil on facebook", "model-trust"))
        assert a.answered and a.passages and a.log_id is None  # the answer still goes out; nothing kept
        assert log.problem and "spool cannot be written" in log.problem
    finally:
        held.close()
