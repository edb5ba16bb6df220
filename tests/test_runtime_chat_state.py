"""Two replicas on one PostgreSQL behave as one, for chat state: two runtimes built separately
(bot.runtime.build, each with its own ChatService and Induction, as two `policybot serve` processes
have) on one database. A walkthrough goes on wherever the next press lands and across a restart, a
group session opened on one is seen on the other, SLT's reminder and a "policy changed" notice are
shown once, whichever replica the person talks to."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot import runtime as runtime_mod
from bot.core.chat import ChatService, Reply, Sender
from bot.runtime import Runtime
from bot.storage.tables import Acknowledgement
from tests.conftest import CORPUS, RUNTIME_NOW, fresh_postgres, logged_entries, settings_for
from tests.core.test_induction import _configure
from tests.doubles.hash_embedder import HashEmbedder

pytestmark = pytest.mark.integration

TG = Sender("telegram", "4242", workspace="4242", display_name="Tess Telegram")  # Tess Teacher, Stone Bay


class Replicas:
    """Builds replicas on one corpus, one index folder and one database; each has its own var folder."""

    def __init__(self, base: Path, url: str) -> None:
        self.base, self.url = base, url
        self.corpus = base / "corpus"
        shutil.copytree(CORPUS, self.corpus)
        _configure(self.corpus)
        self.built: list[Runtime] = []

    def start(self, name: str) -> Runtime:
        settings = settings_for(self.corpus, self.base / "index", self.base / f"var-{name}", database_url=self.url)
        rt = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: RUNTIME_NOW)  # type: ignore[arg-type]
        self.built.append(rt)
        return rt

    def acknowledgements(self) -> int:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return int(conn.scalar(select(func.count()).select_from(Acknowledgement)) or 0)
        finally:
            engine.dispose()


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    with fresh_postgres() as url:
        group = Replicas(tmp_path, url)
        try:
            yield group
        finally:
            for rt in group.built:
                rt.close()


def chat(rt: Runtime) -> ChatService:
    assert rt.chat is not None
    return rt.chat


def shown(reply: Reply) -> str:
    assert reply.step is not None, reply
    return f"{reply.step.title} | {reply.step.text}"


def test_a_walkthrough_started_on_a_goes_on_on_b_and_is_finished_on_a_with_one_acknowledgement(
        replicas: Replicas) -> None:
    a, b = replicas.start("a"), replicas.start("b")
    assert shown(chat(a).handle(TG, "/induction")).startswith("Social Media Policy — key point 1 of 2")
    assert shown(chat(b).induction_action(TG, "next")).startswith("Social Media Policy — key point 2 of 2")
    assert shown(chat(a).induction_action(TG, "back")).startswith("Social Media Policy — key point 1 of 2")
    assert shown(chat(b).induction_action(TG, "next")).startswith("Social Media Policy — key point 2 of 2")
    assert shown(chat(a).induction_action(TG, "next")).startswith("Social Media Policy — quick check")
    checked = shown(chat(b).induction_action(TG, "false"))
    assert "acknowledgement" in checked and "Right: that statement is false" in checked
    assert shown(chat(a).induction_action(TG, "ack")).startswith("Induction complete")
    again = chat(b).induction_action(TG, "ack")  # the same button pressed again, on the other replica
    assert "Type /induction to start" in shown(again)
    assert replicas.acknowledgements() == 1
    assert "up to date" in shown(chat(b).handle(TG, "/induction"))


def test_after_a_restart_mid_walkthrough_they_carry_on_where_they_were(replicas: Replicas) -> None:
    a = replicas.start("a")
    chat(a).handle(TG, "/induction")
    chat(a).induction_action(TG, "next")
    assert "Type your question" in chat(a).induction_action(TG, "ask").text
    a.close()
    restarted = replicas.start("a-again")
    reply = chat(restarted).handle(TG, "who is the designated safeguarding lead?")
    assert reply.answer is not None and reply.step is not None and "key point 2 of 2" in reply.step.title
    assert logged_entries(replicas.url)[-1].context == "induction"  # still asking, after the restart
    assert shown(chat(restarted).induction_action(TG, "next")).startswith("Social Media Policy — quick check")


def test_a_press_on_both_replicas_at_once_records_one_acknowledgement(replicas: Replicas) -> None:
    a, b = replicas.start("a"), replicas.start("b")
    chat(a).handle(TG, "/induction")
    pressed = [chat(b).induction_action(TG, action) for action in ("next", "next", "true")]
    assert "acknowledgement" in shown(pressed[-1])  # where both will press
    start = threading.Barrier(2)
    replies: list[Reply] = []

    def press(rt: Runtime) -> None:
        start.wait()
        replies.append(chat(rt).induction_action(TG, "ack"))

    threads = [threading.Thread(target=press, args=(rt,)) for rt in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(shown(r).split(" | ")[0] for r in replies) == ["Induction", "Induction complete"]
    assert replicas.acknowledgements() == 1


def test_a_group_session_opened_on_a_is_seen_and_ended_on_b(replicas: Replicas) -> None:
    a, b = replicas.start("a"), replicas.start("b")
    trainer, newcomer = Sender("slack", "UTRAINER", workspace="T_STONE"), Sender("slack", "UNEW", workspace="T_STONE")
    assert "session started" in chat(a).handle(trainer, "/induction session").text
    chat(b).handle(newcomer, "can I post photos of pupils?")
    tagged = logged_entries(replicas.url)[-1].context
    assert tagged is not None and tagged.startswith("session:")
    chat(a).handle(newcomer, "can I post photos of pupils on the school website?")
    assert logged_entries(replicas.url)[-1].context == tagged  # the same session on both
    assert chat(b).handle(trainer, "/induction end").text == "Group induction session ended."
    assert chat(a).handle(trainer, "/induction end").text == "No session was running here."
    chat(a).handle(newcomer, "can I post photos of pupils?")
    assert logged_entries(replicas.url)[-1].context is None


def test_a_reminder_set_on_a_is_shown_once_by_whichever_replica_they_talk_to(replicas: Replicas) -> None:
    a, b = replicas.start("a"), replicas.start("b")
    chat(a).handle(TG, "who is the DSL?")  # Tess has been seen, has not done her induction
    assert a.remind_outstanding("stone-bay-school") == 1
    assert "complete your induction" in chat(b).handle(TG, "who is the DSL?").notice
    assert chat(a).handle(TG, "who is the DSL?").notice == ""
    assert chat(b).handle(TG, "who is the DSL?").notice == ""


def test_a_policy_changed_notice_is_shown_once_across_replicas(replicas: Replicas) -> None:
    a, b = replicas.start("a"), replicas.start("b")
    chat(a).handle(TG, "/induction")
    for action in ("next", "next", "false", "ack"):
        chat(a).induction_action(TG, action)
    policy = replicas.corpus / "stone-bay-school" / "social-media-policy.txt"
    policy.write_text(policy.read_text("utf-8") + "\n\n12. New rules\nStaff must not livestream lessons.\n", "utf-8")
    a.reindex()
    b.reindex()
    assert "has changed since you acknowledged it" in chat(b).handle(TG, "who is the DSL?").notice
    assert chat(a).handle(TG, "who is the DSL?").notice == ""
    assert chat(b).handle(TG, "who is the DSL?").notice == ""


def test_the_welcome_is_given_once_whichever_replica_sees_them_first(replicas: Replicas) -> None:
    """First contact was already decided by the database (chat_users' unique key); each process only
    remembers whom it has seen, which stays true: a guard, this passed before chat state moved."""
    a, b = replicas.start("a"), replicas.start("b")
    assert chat(a).handle(TG, "who is the DSL?").welcome.startswith("Welcome to policybot")
    assert chat(b).handle(TG, "who is the DSL?").welcome == ""
    assert chat(replicas.start("c")).handle(TG, "who is the DSL?").welcome == ""


def test_rate_buckets_are_shared_on_postgresql_and_kept_in_memory_on_sqlite(replicas: Replicas,
                                                                             tmp_path: Path) -> None:
    from bot.core.ratelimit import RateLimiter
    from bot.storage.rate_buckets import SqlRateLimiter
    from tests.conftest import built_runtime

    assert isinstance(replicas.start("a").chat.limiter, SqlRateLimiter)  # type: ignore[union-attr]
    with built_runtime(tmp_path / "one") as single:  # SQLite: one server, no write per question
        limiter = single.chat.limiter  # type: ignore[union-attr]
        assert isinstance(limiter, RateLimiter) and not isinstance(limiter, SqlRateLimiter)
