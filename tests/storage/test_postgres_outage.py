"""Nothing lost: PostgreSQL is stopped and restarted while questions are being asked.

The test starts a PostgreSQL server of its own (initdb into a temporary folder, a free port) and stops
that one; the machine's own server is never touched.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from bot.core.models import Question
from bot.storage.question_log import SqlQuestionLog
from bot.storage.tables import LogEntry
from tests.conftest import CORPUS, make_service
from tests.throwaway_postgres import throwaway_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            engine = create_engine(url, connect_args={"connect_timeout": 2})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            return
        except Exception:  # still starting
            time.sleep(0.3)
    raise AssertionError("PostgreSQL did not come back")


def _count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(LogEntry)) or 0
    engine.dispose()
    return n


def test_postgres_stopped_and_restarted_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    with throwaway_postgres() as server:
        url = server.url
        service = make_service(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", database_url=url)
        log = service.log
        assert isinstance(log, SqlQuestionLog)
        ask = lambda n: service.answer(Question(f"Can I message a pupil on Instagram? ({n})", "model-trust"))  # noqa: E731
        for n in range(5):
            assert ask(n).log_id
        assert _count(url) == 5
        server.stop()
        try:
            during = [ask(n) for n in range(5, 12)]
            assert all(a.answered and a.passages and a.log_id for a in during)  # staff still get answers
            assert log.spool.pending() == 7
            assert log.flush() == 0  # still down: nothing written, nothing dropped
            assert log.spool.pending() == 7
        finally:
            server.start()
            _wait_until_up(url)
        assert log.flush() == 7 and log.spool.pending() == 0
        assert log.flush() == 0
        assert ask(12).log_id
        assert _count(url) == 13  # 5 before + 7 spooled + 1 after, each once
        log.sessions.kw["bind"].dispose()
