"""A walkthrough through a database outage, through the whole chat layer: with PostgreSQL stopped
mid-walkthrough, Next / the true-false check still work in this process (no error), the acknowledgement
gets a polite "try again", and once the database is back the press records one acknowledgement and
another replica sees where the person is. The test starts a PostgreSQL of its own (the machine's own
server is never touched)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot import runtime as runtime_mod
from bot.core.chat import UNRECORDED
from bot.storage.tables import Acknowledgement
from tests.conftest import CORPUS, settings_for
from tests.core.test_induction import TG, _configure
from tests.doubles.hash_embedder import HashEmbedder
from tests.storage.test_postgres_outage import _wait_until_up
from tests.throwaway_postgres import throwaway_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _acks(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Acknowledgement)) or 0)
    finally:
        engine.dispose()


def test_a_walkthrough_carries_on_while_the_database_is_down(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    _configure(tmp_path / "corpus")
    with throwaway_postgres() as server:
        def build(name: str) -> runtime_mod.Runtime:
            settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / f"var-{name}",
                                    database_url=server.url)
            return runtime_mod.build(settings, emb=HashEmbedder())

        a = build("a")
        chat = a.chat
        assert chat is not None
        try:
            started = chat.handle(TG, "/induction").step
            assert started is not None and "key point 1 of 2" in started.title
            server.stop()
            try:
                with caplog.at_level(logging.WARNING, logger="bot.storage.chat_state"):
                    steps = [chat.induction_action(TG, action) for action in ("next", "next", "false")]
                    assert [r.kind for r in steps] == ["induction"] * 3
                    assert steps[1].step is not None and "quick check" in steps[1].step.title
                    assert steps[2].step is not None and "Right: that statement is false" in steps[2].step.text
                    answered = chat.handle(TG, "who is the designated safeguarding lead?")
                    assert answered.kind == "answer"  # questions meanwhile: answered, spooled
                    failed = chat.induction_action(TG, "ack")
                    assert (failed.kind, failed.text) == ("error", UNRECORDED)
                warnings = [r for r in caplog.records if r.name == "bot.storage.chat_state"]
                assert len(warnings) == 1  # said once, not at every press
            finally:
                server.start()
                _wait_until_up(server.url)
            done = chat.induction_action(TG, "ack")
            assert done.step is not None and done.step.title == "Induction complete"
            assert _acks(server.url) == 1
            b = build("b")
            try:
                assert b.chat is not None
                again = b.chat.handle(TG, "/induction")
                assert again.step is not None and "up to date" in again.step.text
            finally:
                b.close()
        finally:
            a.close()


def test_a_position_reached_during_an_outage_is_written_back_for_the_other_replica(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    _configure(tmp_path / "corpus")
    with throwaway_postgres() as server:
        settings = {name: settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / f"var-{name}",
                                       database_url=server.url) for name in "ab"}
        a = runtime_mod.build(settings["a"], emb=HashEmbedder())
        b = runtime_mod.build(settings["b"], emb=HashEmbedder())
        try:
            assert a.chat is not None and b.chat is not None
            a.chat.handle(TG, "/induction")
            server.stop()
            try:
                a.chat.induction_action(TG, "next")
                check = a.chat.induction_action(TG, "next").step
                assert check is not None and "quick check" in check.title
            finally:
                server.start()
                _wait_until_up(server.url)
            a.chat.handle(TG, "who is the DSL?")  # A's next message writes back what changed meanwhile
            step = b.chat.induction_action(TG, "false").step
            assert step is not None and "acknowledgement" in step.title
        finally:
            a.close()
            b.close()
