"""Answers through a database outage, through the whole chat layer: with PostgreSQL down, every member
of staff still gets their answer (the "policy changed" notice, first-contact records and Telegram join
lookups are extras that wait), the entries are spooled, and written once each when it is back. The test
starts a PostgreSQL of its own (the machine's own server is never touched)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import runtime as runtime_mod
from bot.core.chat import Sender
from tests.conftest import CORPUS, settings_for
from tests.doubles.hash_embedder import HashEmbedder
from tests.storage.test_postgres_outage import _count, _wait_until_up
from tests.throwaway_postgres import throwaway_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_every_question_is_answered_while_the_database_is_down(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    with throwaway_postgres() as server:
        settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", database_url=server.url,
                                web_org="stone-bay-school")
        runtime = runtime_mod.build(settings, emb=HashEmbedder())
        chat = runtime.chat
        assert chat is not None
        try:
            before = chat.handle(Sender("web", "known"), "can I add a pupil on facebook?")
            assert before.kind == "answer"
            server.stop()
            try:
                replies = [chat.handle(Sender("web", f"staff-{n}"), f"can I add a pupil on facebook? ({n})")
                           for n in range(10)]
                replies.append(chat.handle(Sender("web", "known"), "who do I tell about a message from a pupil?"))
                replies.append(chat.handle(Sender("telegram", "999"), "can I add a pupil on facebook?"))
                flagged = chat.handle(Sender("web", "worried"), "a pupil told me her stepdad hits her")
                assert [r.kind for r in replies[:11]] == ["answer"] * 11
                assert replies[11].kind == "refused"  # an unknown Telegram user is refused, not an error
                assert flagged.kind == "answer" and flagged.answer is not None and flagged.answer.urgent
                assert runtime.log.spool.pending() == 12
            finally:
                server.start()
                _wait_until_up(server.url)
            assert runtime.flush_spool() == 12
            assert _count(server.url) == 13  # one before, twelve spooled, each once
        finally:
            runtime.close()
