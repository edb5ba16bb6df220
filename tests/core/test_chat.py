"""The conversation layer: access by organisation, help, welcome, rate limit, polite errors, join codes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.core.chat import ChatService, Sender
from bot.core.ratelimit import RateLimiter
from bot.runtime import Runtime
from tests.admin.conftest import NOW
from tests.conftest import CORPUS, map_platforms, built_runtime

SLACK_STONE = Sender("slack", "U1", workspace="T_STONE", display_name="Sam")
TELEGRAM_ALLOWED = Sender("telegram", "4242", workspace="4242")


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, map_platforms) as rt:
        yield rt


def chat_of(rt: Runtime) -> ChatService:
    assert rt.chat is not None
    return rt.chat


def test_mapped_workspaces_get_their_own_school_and_others_are_refused(runtime: Runtime) -> None:
    chat = chat_of(runtime)
    reply = chat.handle(SLACK_STONE, "can I accept a friend request from an ex-pupil on facebook?")
    assert reply.kind == "answer" and reply.org == "stone-bay-school" and reply.answer is not None
    assert all(p.org == "stone-bay-school" for p in reply.answer.passages)
    assert reply.welcome.startswith("Welcome to policybot for Stone Bay School")
    assert chat.handle(SLACK_STONE, "who is the DSL?").welcome == ""  # only the first time
    other = chat.handle(Sender("slack", "U1", workspace="T_NEXT"), "who is the DSL?")
    assert other.org == "next-steps-ed"
    for stranger in (Sender("slack", "U9", workspace="T_UNKNOWN"), Sender("telegram", "777", workspace="777"),
                     Sender("teams", "x", workspace="tenant-unknown"), Sender("web", "w", org_hint="")):
        refused = chat.handle(stranger, "what does the social media policy say about facebook?")
        assert refused.kind == "refused" and refused.answer is None and "policy" not in refused.text.lower().replace(
            "policybot", "")


def test_help_needs_no_access_and_bad_questions_get_clear_errors(runtime: Runtime) -> None:
    chat = chat_of(runtime)
    assert chat.handle(Sender("slack", "U9", workspace="T_UNKNOWN"), "/help").kind == "help"
    empty = chat.handle(TELEGRAM_ALLOWED, "   ")
    assert empty.kind == "error" and "empty" in empty.text


def test_rate_limit_is_per_person_and_friendly(runtime: Runtime) -> None:
    chat = ChatService(lambda: runtime.service, runtime.access, RateLimiter(per_minute=2, burst=2))  # type: ignore[arg-type]
    kinds = [chat.handle(SLACK_STONE, f"who is the DSL? {n}").kind for n in range(3)]
    assert kinds == ["answer", "answer", "rate_limited"]
    assert "try again in" in chat.handle(SLACK_STONE, "who is the DSL?").text
    assert chat.handle(Sender("slack", "U2", workspace="T_STONE"), "who is the DSL?").kind == "answer"


def test_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=1, clock=lambda: now[0])
    assert limiter.wait_seconds("a") == 0 and limiter.wait_seconds("a") == pytest.approx(10.0)
    now[0] = 10.0
    assert limiter.wait_seconds("a") == 0


def test_telegram_join_codes_work_once_and_expire(runtime: Runtime) -> None:
    chat, access = chat_of(runtime), runtime.access
    assert access is not None
    newcomer = Sender("telegram", "555", workspace="555")
    assert chat.handle(newcomer, "who is the DSL?").kind == "refused"
    code = access.issue("stone-bay-school", days=7)
    joined = chat.join(newcomer, code.lower())
    assert joined.kind == "joined" and joined.org == "stone-bay-school"
    assert chat.handle(newcomer, "who is the DSL?").org == "stone-bay-school"
    in_a_group = Sender("telegram", "555", workspace="-100777")  # the same person, in a staff group chat
    assert chat.handle(in_a_group, "who is the DSL?").org == "stone-bay-school"
    assert chat.join(Sender("telegram", "556", workspace="556"), code).kind == "refused"  # used
    stale = access.issue("stone-bay-school", days=1)
    access.clock = lambda: NOW + timedelta(days=2)
    assert chat.join(Sender("telegram", "557", workspace="557"), stale).kind == "refused"  # expired


def test_feedback_through_chat_is_refused_for_strangers(runtime: Runtime) -> None:
    chat = chat_of(runtime)
    reply = chat.handle(SLACK_STONE, "can I accept a friend request from an ex-pupil on facebook?")
    assert reply.answer is not None and reply.answer.log_id
    assert chat.feedback(SLACK_STONE, reply.answer.log_id, False, "unclear").kind == "feedback"
    assert chat.feedback(Sender("slack", "U9", workspace="T_UNKNOWN"), reply.answer.log_id, True).kind == "refused"


def _claim_stone_bays_workspace(corpus: Path) -> None:
    map_platforms(corpus)
    path = corpus / "model-trust" / "org.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["platforms"] = {"slack_teams": ["T_STONE", "T_MODEL"]}
    path.write_text(yaml.safe_dump(spec))


def test_a_workspace_two_schools_claim_is_refused_and_reported_while_the_rest_is_served(tmp_path: Path) -> None:
    from bot.reading.corpus import load_corpus

    shutil.copytree(CORPUS, tmp_path / "corpus")
    _claim_stone_bays_workspace(tmp_path / "corpus")
    corpus = load_corpus(tmp_path / "corpus")
    assert len(corpus.orgs) == 5  # nobody stops being served
    clashes = [p for p in corpus.problems if "T_STONE is also mapped" in p.reason]
    assert {p.source for p in clashes} == {"stone-bay-school/org.yaml", "model-trust/org.yaml"}
    assert ("slack_teams", "T_STONE") not in corpus.orgs["stone-bay-school"].platform_ids
    assert ("slack_teams", "T_STONE") not in corpus.orgs["model-trust"].platform_ids
    assert ("teams_tenants", "tenant-stone") in corpus.orgs["stone-bay-school"].platform_ids
    assert ("slack_teams", "T_MODEL") in corpus.orgs["model-trust"].platform_ids


def test_people_of_a_claimed_twice_workspace_get_neither_school(tmp_path: Path) -> None:
    with built_runtime(tmp_path, _claim_stone_bays_workspace) as rt:
        chat = chat_of(rt)
        refused = chat.handle(SLACK_STONE, "can I accept a friend request from an ex-pupil on facebook?")
        assert refused.kind == "refused" and refused.answer is None
        served = chat.handle(Sender("teams", "x", workspace="tenant-stone"), "who is the DSL?")
        assert served.kind == "answer" and served.org == "stone-bay-school"
        assert chat.handle(Sender("slack", "U2", workspace="T_MODEL"), "who is the DSL?").org == "model-trust"
