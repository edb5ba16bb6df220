"""Two replicas on one PostgreSQL behave as one bot (issue 13): migrated once when started together on an
empty database; a Slack event delivered to both, or again after a restart, answered once; one person's
rate limit counted across both; a walkthrough and an SLT answer carried from one to the other."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.database import head_revision
from tests.multi_replica.conftest import Cluster, ready_together
from tests.multi_replica.replicas import SCHOOL, SLT_EMAIL, SLT_PASSWORD, Replica

pytestmark = [pytest.mark.slow, pytest.mark.integration]

RATE_LIMITED = "You're asking faster than I can keep up"
SETTLE_S = 2.0  # after the last reply we wait for, how long a (wrong) second reply is given to turn up


def _event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:12].upper()


def _wait(check: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:.0f} s for {what or check}")


def _settle(cluster: Cluster, replica: Replica) -> None:
    """Let whatever *replica* is still doing finish: ask it something else and wait for that answer, then
    a little more (an event answered twice would be answered by now)."""
    ts = cluster.mention(replica, "who do I contact about social media?", _event_id(), user="U_SETTLE_" + uuid.uuid4().hex[:8])
    _wait(lambda: cluster.replies(ts), what="the settling question's answer")
    time.sleep(SETTLE_S)


# --- migrations: both come up on an empty database, migrated once ---------------------------------------

def test_started_together_on_an_empty_database_both_are_healthy_and_it_was_migrated_once(cluster: Cluster) -> None:
    url = cluster.new_database("empty_at_start")
    c, d = cluster.replica("c", POLICYBOT_DATABASE_URL=url), cluster.replica("d", POLICYBOT_DATABASE_URL=url)
    try:
        c.start()
        d.start()  # together, on the empty database: one migrates while the other waits, then finds it done
        health = ready_together(c, d)
        assert health["c"]["status"] == health["d"]["status"] == "ok"
        assert Cluster.scalar_at(url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
        first_migrations = [r.name for r in (c, d) if re.search(r"Running upgrade  -> 0001", r.log_text())]
        assert len(first_migrations) == 1, first_migrations
    finally:
        c.stop()
        d.stop()


# --- Slack delivery de-duplication ------------------------------------------------------------------------

def test_the_same_slack_event_sent_to_both_replicas_is_answered_and_logged_once(cluster: Cluster) -> None:
    before = cluster.log_rows()
    event_id = _event_id()
    ts = cluster.mention(cluster.a, "can I accept a friend request from a parent?", event_id, user="U_DUP")
    _wait(lambda: cluster.replies(ts), what="A's answer")
    cluster.mention(cluster.b, "can I accept a friend request from a parent?", event_id, user="U_DUP", ts=ts, retry=1)
    _settle(cluster, cluster.b)
    assert len(cluster.replies(ts)) == 1
    assert cluster.log_rows() - before == 2  # the question once, and the settling question


def test_an_event_answered_before_a_restart_is_not_answered_again_after_it(cluster: Cluster) -> None:
    event_id = _event_id()
    ts = cluster.mention(cluster.a, "may I post photos of pupils on my own instagram?", event_id, user="U_RESTART")
    _wait(lambda: cluster.replies(ts), what="A's answer")
    cluster.a.restart()
    before = cluster.log_rows()
    cluster.mention(cluster.a, "may I post photos of pupils on my own instagram?", event_id, user="U_RESTART",
                    ts=ts, retry=1)
    cluster.mention(cluster.b, "may I post photos of pupils on my own instagram?", event_id, user="U_RESTART",
                    ts=ts, retry=2)
    _settle(cluster, cluster.a)
    _settle(cluster, cluster.b)
    assert len(cluster.replies(ts)) == 1
    assert cluster.log_rows() - before == 2  # the two settling questions only


def test_one_replica_answers_an_event_once_however_often_it_is_delivered(cluster: Cluster) -> None:
    """The guard each replica has kept so far (in its memory): the control for the two tests above."""
    event_id = _event_id()
    ts = cluster.mention(cluster.b, "what should I do if a pupil follows me online?", event_id, user="U_ONE")
    _wait(lambda: cluster.replies(ts), what="B's answer")
    cluster.mention(cluster.b, "what should I do if a pupil follows me online?", event_id, user="U_ONE", ts=ts, retry=1)
    _settle(cluster, cluster.b)
    assert len(cluster.replies(ts)) == 1


# --- rate limits ------------------------------------------------------------------------------------------

def _ask_alternating(cluster: Cluster, user: str, count: int) -> list[bool]:
    """*count* questions from *user*, alternating A and B, each after the last one's answer; whether each
    answer was the rate limit's."""
    limited = []
    for n in range(count):
        replica = (cluster.a, cluster.b)[n % 2]
        ts = cluster.mention(replica, f"question {n}: can I message a parent from my own phone?", _event_id(),
                             user=user)
        [reply] = _wait(lambda: cluster.replies(ts), what=f"answer {n}")
        limited.append(RATE_LIMITED in str(reply.get("text", "")))
    return limited


def test_one_persons_questions_alternating_between_replicas_are_rate_limited_after_the_burst(cluster: Cluster) -> None:
    # burst 3, then one a minute (the cluster's settings): shared buckets allow three of six
    assert _ask_alternating(cluster, "U_RATE", 6) == [False, False, False, True, True, True]


def test_one_replica_rate_limits_after_the_burst(cluster: Cluster) -> None:
    """The control: one replica's own limit works; only sharing it is missing."""
    limited = []
    for n in range(4):
        ts = cluster.mention(cluster.a, f"question {n}: may I text a pupil?", _event_id(), user="U_RATE_ONE")
        [reply] = _wait(lambda: cluster.replies(ts), what=f"answer {n}")
        limited.append(RATE_LIMITED in str(reply.get("text", "")))
    assert limited == [False, False, False, True]


# --- the walkthrough, through the web chat ----------------------------------------------------------------

def _web(replica: Replica, cookie: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = httpx.post(f"{replica.url}{path}", json={"org": SCHOOL, **body}, headers={"Cookie": f"policybot_web={cookie}"},
                      timeout=60)
    assert resp.status_code == 200, (resp.status_code, resp.text)
    return dict(resp.json())


def _title(reply: dict[str, Any]) -> str:
    return str((reply.get("step") or {}).get("title", ""))


def test_a_walkthrough_started_on_a_carries_on_on_b(cluster: Cluster) -> None:
    cookie = uuid.uuid4().hex
    assert _title(_web(cluster.a, cookie, "/api/web/ask", {"question": "/induction"})).endswith("key point 1 of 2")
    assert _title(_web(cluster.b, cookie, "/api/web/induction", {"action": "next"})).endswith("key point 2 of 2")
    assert "True or false" in str(_web(cluster.a, cookie, "/api/web/induction", {"action": "next"}))


def test_a_walkthrough_on_one_replica_moves_on(cluster: Cluster) -> None:
    """The control: the same steps on one replica."""
    cookie = uuid.uuid4().hex
    assert _title(_web(cluster.a, cookie, "/api/web/ask", {"question": "/induction"})).endswith("key point 1 of 2")
    assert _title(_web(cluster.a, cookie, "/api/web/induction", {"action": "next"})).endswith("key point 2 of 2")


# --- an SLT answer given on A, quoted by B ----------------------------------------------------------------

def _set_slt_password(cluster: Cluster) -> None:
    from bot.admin import auth
    from bot.reading.corpus import load_org
    from bot.storage.database import make_engine

    engine = make_engine(cluster.database_url)
    try:
        auth.set_password(sessionmaker(engine, class_=Session), load_org(cluster.corpus / SCHOOL), SLT_EMAIL,
                          SLT_PASSWORD, datetime.now(timezone.utc))
    finally:
        engine.dispose()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _answer_on_dashboard(replica: Replica, entry: str, question: str, answer: str) -> None:
    with httpx.Client(base_url=replica.url, timeout=120) as dash:
        login = dash.post("/slt/login", data={"csrf": _csrf(dash.get("/slt/login").text), "org": SCHOOL,
                                              "email": SLT_EMAIL, "password": SLT_PASSWORD})
        assert login.status_code in (200, 303), login.text[-500:]
        done = dash.post("/slt/answer", data={"csrf": _csrf(dash.get("/slt/").text), "entry": [entry],
                                              "question": question, "answer": answer})
        assert done.status_code in (200, 303), done.text[-500:]
        assert "Saved" in dash.get("/slt/").text


def _quotes(replica: Replica, question: str, text: str) -> bool:
    reply = _web(replica, uuid.uuid4().hex, "/api/web/ask", {"question": question})
    return any(text in p["text"] for p in (reply.get("answer") or {}).get("passages", []))


def _slt_answer_then_ask(cluster: Cluster, asked_on: Replica, question: str, answer: str) -> bool:
    """SLT answer *question* on A's dashboard; whether *asked_on* quotes the answer within 20 s."""
    _set_slt_password(cluster)
    first = _web(cluster.a, uuid.uuid4().hex, "/api/web/ask", {"question": question})
    entry = first["answer"]["log_id"]
    _answer_on_dashboard(cluster.a, entry, question, answer)
    deadline = time.monotonic() + 20  # the "within 10 s", with room for busy cores
    while time.monotonic() < deadline:
        if _quotes(asked_on, question, answer):
            return True
        time.sleep(1)
    return False


def test_an_slt_answer_given_on_a_is_quoted_by_a(cluster: Cluster) -> None:
    """The control for the next test: the answer is saved and quoted where it was given."""
    assert _slt_answer_then_ask(cluster, cluster.a, "can I bring my dog to the staff room on fridays?",
                                "Dogs are not allowed in school buildings, including the staff room.")


def test_an_slt_answer_given_on_a_is_quoted_by_b(cluster: Cluster) -> None:
    assert _slt_answer_then_ask(cluster, cluster.b, "can I bring my bike into the staff room on mondays?",
                                "Bikes are not allowed in school buildings, including the staff room.")
