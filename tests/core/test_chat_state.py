"""The chat state's interfaces and their in-memory implementations (bot.core.chat_state), and how the
walkthrough uses them: a press that loses a race is applied again to the new position, and an
acknowledgement that cannot be recorded leaves the walkthrough where it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.chat import UNRECORDED, ChatService
from bot.core.chat_state import MemoryNudges, MemoryRooms, MemoryWalks, WalkState
from bot.core.induction import Induction
from bot.errors import StorageError
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from tests.conftest import built_runtime
from tests.core.test_induction import TG, _configure

WALK = WalkState("oak", (("oak/a.txt", "1" * 64),))


def test_memory_walks_change_by_compare_and_set() -> None:
    walks = MemoryWalks()
    assert walks.get("p") is None and walks.swap("p", 0, WALK) is None and not walks.end("p", 0)
    first = walks.put("p", WALK)
    assert first.version == 1 and walks.get("p") == first
    moved = walks.swap("p", 1, WalkState("oak", WALK.plan, step=1))
    assert moved is not None and moved.version == 2
    assert walks.swap("p", 1, WalkState("oak", WALK.plan, step=7)) is None  # stale: someone moved first
    assert walks.put("p", WALK).version == 3  # restarted: the version still goes up
    assert not walks.end("p", 2) and walks.end("p", 3) and walks.get("p") is None
    walks.put("q", WALK)
    walks.drop("q")
    assert walks.get("q") is None


def test_memory_rooms_and_nudges() -> None:
    rooms = MemoryRooms()
    rooms.open("slack:T1", "s1")
    assert rooms.session_of("slack:T1") == "s1" and rooms.close("slack:T1") == "s1" and rooms.close("slack:T1") is None
    nudges = MemoryNudges()
    nudges.remind(["a", "b"])
    assert nudges.take_reminder("a") and not nudges.take_reminder("a") and not nudges.take_reminder("c")
    assert nudges.first_showing("a", "changed") and not nudges.first_showing("a", "changed")
    assert nudges.first_showing("b", "changed")


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, _configure) as rt:
        yield rt


class RacingWalks(MemoryWalks):
    """Another server presses Next just before this one's first compare-and-set."""

    def __init__(self) -> None:
        super().__init__()
        self.raced = False

    def swap(self, person: str, expected: int, state: WalkState) -> WalkState | None:
        if not self.raced:
            self.raced = True
            other = self.get(person)
            assert other is not None
            super().swap(person, expected, WalkState(other.org, other.plan, step=other.step + 1, version=other.version))
        return super().swap(person, expected, state)


def test_a_press_that_loses_a_race_is_applied_to_the_new_position(runtime: Runtime) -> None:
    walks = RacingWalks()
    induction = Induction(lambda: runtime.service, SqlAcknowledgements(runtime.db), walks)
    assert "key point 1 of 2" in induction.start(TG.key, "stone-bay-school").title
    step = induction.act(TG.key, "next", "Tess", "telegram")  # the other server's Next, then this one
    assert walks.raced and "quick check" in step.title
    stored = walks.get(TG.key)
    assert stored is not None and stored.step == 2


class FailingAcks(SqlAcknowledgements):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.down = True

    def record(self, *args: Any, **kwargs: Any) -> None:
        if self.down:
            raise StorageError("the acknowledgement could not be recorded (OperationalError)")
        super().record(*args, **kwargs)


def test_an_acknowledgement_not_recorded_leaves_the_walkthrough_at_it(runtime: Runtime) -> None:
    acks = FailingAcks(runtime.db)
    induction = Induction(lambda: runtime.service, acks)
    assert runtime.access is not None
    chat = ChatService(lambda: runtime.service, runtime.access, runtime.chat.limiter, induction)  # type: ignore[union-attr]
    chat.handle(TG, "/induction")
    for action in ("next", "next", "false"):
        chat.induction_action(TG, action)
    failed = chat.induction_action(TG, "ack")
    assert (failed.kind, failed.text) == ("error", UNRECORDED)
    assert acks.for_org("stone-bay-school") == []
    acks.down = False
    done = chat.induction_action(TG, "ack")  # pressed again once the database is back
    assert done.step is not None and done.step.title == "Induction complete"
    assert len(acks.for_org("stone-bay-school")) == 1


def test_a_walkthrough_whose_policy_changed_meanwhile_starts_that_policy_again(runtime: Runtime) -> None:
    assert runtime.chat is not None
    runtime.chat.handle(TG, "/induction")
    runtime.chat.induction_action(TG, "next")
    policy = runtime.settings.corpus_dir / "stone-bay-school" / "social-media-policy.txt"
    policy.write_text(policy.read_text("utf-8") + "\n\n12. New rules\nStaff must not livestream lessons.\n", "utf-8")
    runtime.reindex()
    reply = runtime.chat.induction_action(TG, "next")  # a press meant for the old version's step
    assert reply.step is not None and "key point 1 of 2" in reply.step.title
    assert "policies have changed since you started" in reply.step.text



def test_the_retention_chore_purges_a_walkthrough_left_for_a_month(runtime: Runtime) -> None:
    from datetime import timedelta

    from tests.conftest import RUNTIME_NOW

    assert runtime.chat is not None and runtime.chat.induction is not None
    runtime.chat.handle(TG, "/induction")
    runtime.purge()
    assert runtime.chat.induction.active(TG.key)  # touched today: kept
    runtime.clock = lambda: RUNTIME_NOW + timedelta(days=31)
    runtime.purge()
    assert not runtime.chat.induction.active(TG.key)
    assert "Type /induction to start" in runtime.chat.induction_action(TG, "next").text
