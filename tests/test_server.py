"""The server's chores: expired entries are purged and spooled entries written without anyone asking."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from bot import runtime as runtime_mod
from bot.core.models import Question
from bot.server import build_app
from bot.storage.question_log import SqlQuestionLog
from tests.admin.conftest import NOW
from tests.conftest import CORPUS, logged_entries, settings_for
from tests.doubles.hash_embedder import HashEmbedder


def _wait_for(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_the_server_purges_expired_entries_and_flushes_the_spool_on_its_own(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    log = runtime.log
    assert isinstance(log, SqlQuestionLog)
    log.clock = lambda: NOW - timedelta(days=400)  # asked last year: past stone-bay's 365 days
    old = runtime.service.answer(Question("Who is the DSL?", "stone-bay-school")).log_id
    log.clock = lambda: NOW
    log.spool.append({"kind": "entry", "id": "f" * 32, "asked_at": NOW.isoformat(), "org": "stone-bay-school",
                      "channel": "slack", "asker": "a" * 32, "asker_identity": None, "question": "spooled?",
                      "answered": True, "flagged": False, "flag_reason": None, "clauses": []})
    with TestClient(build_app(runtime)) as client:
        assert client.get("/healthz").json()["organisations"] == 5
        ids = lambda: {e.id for e in logged_entries(tmp_path / "var")}  # noqa: E731
        assert _wait_for(lambda: old not in ids() and "f" * 32 in ids())
        assert log.spool.pending() == 0
    runtime.close()


def test_healthz_says_degraded_while_log_entries_can_be_neither_stored_nor_spooled(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    try:
        with TestClient(build_app(runtime, chores=False)) as client:
            assert client.get("/healthz").status_code == 200
            runtime.log.problem = "the database is unreachable and the spool cannot be written (No space left)"
            degraded = client.get("/healthz")
            assert degraded.status_code == 503 and degraded.json()["status"] == "degraded"
            assert "spool cannot be written" in degraded.json()["reason"]
            runtime.log.problem = None
            assert client.get("/healthz").json()["status"] == "ok"
    finally:
        runtime.close()


class FlakyAdapter:
    """A platform adapter whose platform is down for its first *failures* start attempts."""

    def __init__(self, name: str, failures: int) -> None:
        self.name, self.failures, self.attempts, self.running = name, failures, 0, False

    def routes(self) -> list[object]:
        return []

    async def start(self) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("platform unreachable")
        self.running = True

    async def stop(self) -> None:
        self.running = False


def test_a_platform_down_at_start_up_stops_no_other_and_is_retried(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot import server as server_mod

    monkeypatch.setattr(server_mod, "ADAPTER_RETRY_S", 0.05)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    down, fine = FlakyAdapter("telegram", failures=2), FlakyAdapter("slack", failures=0)
    try:
        with TestClient(build_app(runtime, chores=False, adapters=[down, fine])) as client:
            assert fine.running and client.get("/healthz").json()["status"] == "ok"  # the others are up
            assert client.get("/slt/login").status_code == 200
            assert _wait_for(lambda: down.running)  # and the one that was down comes up when it can
            assert down.attempts == 3
        assert not down.running and not fine.running  # both stopped with the server
    finally:
        runtime.close()


def test_every_configured_secret_is_blanked_from_the_log_once_the_server_is_built(
        tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from pydantic import SecretStr

    from bot.startup import Startup

    settings = settings_for(CORPUS, tmp_path / "index", tmp_path / "var").model_copy(update={
        "smtp_password": SecretStr("smtp-password-1234"), "secret_key": SecretStr("session-secret-5678"),
        "database_url": "postgresql://policybot:db-password-9012@127.0.0.1:1/none"})
    startup = Startup(settings, lambda: None)  # type: ignore[arg-type, return-value]
    build_app(startup, chores=False)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.library").debug("connecting with %s, %s and %s", "smtp-password-1234",
                                                "db-password-9012", "session-secret-5678")
    assert "connecting with [redacted], [redacted] and [redacted]" in caplog.text
    assert "1234" not in caplog.text and "9012" not in caplog.text and "5678" not in caplog.text
