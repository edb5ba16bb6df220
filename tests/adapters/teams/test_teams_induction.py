"""Induction in Teams, end to end through the real SDK: "/induction" typed to the bot, each step an Adaptive
Card with Action.Submit buttons ({"induction": action}), presses posted back as Teams posts them (a message
activity carrying the button's data as its value), the acknowledgement recorded against the person's name."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from bot import runtime as runtime_mod
from bot.adapters import teams
from bot.adapters.teams_cards import card_json, parse_induction, step_card
from bot.core.chat import REFUSED
from bot.core.induction import MOVED_ON, Button, InductionStep
from bot.core.models import Passage
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from tests.adapters.teams.conftest import ANSWERABLE, USER, chat_of, dev_settings, message, sent_cards, serve, texts
from tests.admin.conftest import NOW
from tests.conftest import CORPUS, add_hostile_policy, logged_entries, map_platforms, settings_for
from tests.doubles.fake_teams_connector import FakeConnector
from tests.doubles.hash_embedder import HashEmbedder

pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")]
SPECIALS = re.compile(r"(?<!\\)[*_\[\]<>`~]")  # a Markdown character left unescaped (teams_cards.escape_md)
SOCIAL_MEDIA = {"file": "social-media-policy.txt",
                "statements": [{"text": "I may accept a friend request from a current pupil.", "true": False}]}
_ids = count(100)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _runtime(tmp_path: Path, policies: list[dict[str, Any]]) -> Runtime:
    """The adapter tests' corpus (as tests/adapters/conftest.py builds it) with an induction pack for Stone
    Bay School and the test sender (USER's Entra object id) on its staff list."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    map_platforms(corpus)
    add_hostile_policy(corpus)
    path = corpus / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["induction"] = {"max_points": 2, "policies": policies}
    spec["staff"] = [{"name": "Tess Teacher", "teams": USER["aadObjectId"]}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return runtime_mod.build(settings_for(corpus, tmp_path / "index", tmp_path / "var"), emb=HashEmbedder(),
                             clock=lambda: NOW)


@pytest.fixture
def induction_runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = _runtime(tmp_path, [SOCIAL_MEDIA])
    yield rt
    rt.close()


@pytest.fixture
def hostile_runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = _runtime(tmp_path, [{"file": "markup-test-policy.txt"}, SOCIAL_MEDIA])
    yield rt
    rt.close()


def dev_adapter(runtime: Runtime) -> teams.TeamsAdapter:
    return teams.build(dev_settings(runtime), chat_of(runtime))


def say(client: TestClient, connector: FakeConnector, text: str, **kw: Any) -> None:
    assert client.post("/api/messages", json=message(connector, text, msg_id=f"msg-{next(_ids)}", **kw)
                       ).status_code == 200


def press(client: TestClient, connector: FakeConnector, data: dict[str, Any], card: str | None = None,
          **kw: Any) -> None:
    """An Action.Submit press: Teams posts a message activity with no text and the button's data as value,
    replying to the message that holds the card (*card*, its activity id; None: a client that gives none)."""
    activity = message(connector, "", mention=False, value=data, msg_id=f"msg-{next(_ids)}", **kw)
    if card is not None:
        activity["replyToId"] = card
    assert client.post("/api/messages", json=activity).status_code == 200


def card_ids(connector: FakeConnector) -> list[str]:
    """The activity ids the fake connector gave the cards the bot sent, in order."""
    return [f"activity-{n}" for n, r in enumerate(connector.activities, 1)
            if any(a.get("contentType") == "application/vnd.microsoft.card.adaptive"
                   for a in (r.body or {}).get("attachments") or [])]


def updated_cards(connector: FakeConnector) -> list[tuple[str, dict[str, Any]]]:
    """(activity id, card) of every card the bot updated in place, in order."""
    return [(r.path.rsplit("/", 1)[-1], a["content"]) for r in connector.updates
            for a in (r.body or {}).get("attachments") or []]


def last_card(connector: FakeConnector) -> dict[str, Any]:
    return sent_cards(connector)[-1]


def shown(card: dict[str, Any]) -> list[str]:
    return [unescape(t) for t in texts(card)]


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    [action] = [a for a in card.get("actions") or [] if a["title"] == title]
    assert action["type"] == "Action.Submit"
    data: dict[str, Any] = action["data"]
    return data


def test_the_whole_walk_ends_in_an_acknowledgement_in_the_register(induction_runtime: Runtime,
                                                                   connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")
        first = last_card(connector)
        assert shown(first)[0] == "Social Media Policy — key point 1 of 2"
        assert first["body"][0]["weight"] == "Bolder"
        quote = next(b for b in first["body"] if b["type"] == "Container")
        assert quote["items"][0]["text"].startswith("“") and "Social Media Policy" in quote["items"][-1]["text"]
        assert quote["items"][-1]["isSubtle"] is True
        assert button(first, "Next") == {"induction": "next", "step": button(first, "Next")["step"]}
        assert button(first, "I have a question")["induction"] == "ask"
        assert "Who to contact" in shown(first)

        press(client, connector, button(first, "Next"))
        second = last_card(connector)
        assert shown(second)[0] == "Social Media Policy — key point 2 of 2"
        assert button(second, "Back")["induction"] == "back"

        press(client, connector, button(second, "I have a question"))
        assert any("Type your question" in t for t in shown(last_card(connector)))
        before = len(sent_cards(connector))
        say(client, connector, ANSWERABLE)
        answer, again = sent_cards(connector)[before:]
        assert any("Any communication from learners" in t for t in shown(answer))
        assert [a["type"] for a in answer["actions"]] == ["Action.Execute"] * 2  # feedback stays on the answer
        assert shown(again)[0] == "Social Media Policy — key point 2 of 2"
        assert logged_entries(induction_runtime.settings.database_url)[-1].context == "induction"

        press(client, connector, button(again, "Next"))
        check = last_card(connector)
        assert shown(check)[0] == "Social Media Policy — quick check"
        assert "I may accept a friend request from a current pupil." in shown(check)[1]
        press(client, connector, button(check, "False"))
        ack = last_card(connector)
        assert "acknowledgement" in shown(ack)[0] and shown(ack)[1].startswith("Right:")
        press(client, connector, button(ack, "I have read and understood Social Media Policy"))
        done = last_card(connector)
    assert shown(done)[0] == "Induction complete" and not done.get("actions")
    [row] = SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school")
    assert (row.person_name, row.channel) == ("Tess Teacher", "teams")
    assert row.version_hash == induction_runtime.service.documents[row.source].sha256


def test_the_first_command_brings_the_welcome_and_the_mention_is_stripped(induction_runtime: Runtime,
                                                                          connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")  # sent as "<at>policybot</at> /induction"
    sent = [r.body for r in connector.activities]
    assert [a["type"] for a in sent] == ["typing", "message", "message"]
    assert sent[1]["text"].startswith("Welcome to policybot")
    assert sent[2]["summary"] == "Social Media Policy — key point 1 of 2"
    assert "key point 1 of 2" in sent_cards(connector)[0]["fallbackText"]


def test_a_stranger_tenant_pressing_an_induction_button_is_refused(induction_runtime: Runtime,
                                                                   connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        press(client, connector, {"induction": "ack"}, tenant="tenant-elsewhere")
        say(client, connector, "/induction", tenant="tenant-elsewhere")
    replies = [r.body for r in connector.activities if r.body["type"] == "message"]
    assert [r["text"] for r in replies] == [REFUSED, REFUSED]
    assert not any(r.get("attachments") for r in replies) and "social media" not in str(replies).lower()
    assert SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school") == []


def test_malformed_induction_data_gets_the_unknown_button_message(induction_runtime: Runtime,
                                                                  connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        press(client, connector, {"induction": ["next"]})
        press(client, connector, {"induction": "x" * 500})
    assert [r.body["text"] for r in connector.activities] == [teams.UNKNOWN_BUTTON] * 2
    assert parse_induction({"induction": "next"}) == "next" and parse_induction("next") is None


def test_a_group_session_says_so_above_the_step_and_ends_in_plain_text(induction_runtime: Runtime,
                                                                       connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction session")
        card = last_card(connector)
        say(client, connector, "/induction end")
    assert shown(card)[0].startswith("Group induction session started")
    assert shown(card)[1] == "Social Media Policy — key point 1 of 2"
    assert connector.activities[-1].body["text"] == "Group induction session ended."


def test_a_changed_policy_notice_comes_first_on_the_next_answer(induction_runtime: Runtime,
                                                                 connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")
        for action in ("next", "next", "false", "ack"):
            press(client, connector, {"induction": action})
        assert SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school")
        policy = induction_runtime.settings.corpus_dir / "stone-bay-school" / "social-media-policy.txt"
        policy.write_text(policy.read_text("utf-8") + "\n\n12. New rules\nStaff must not livestream lessons.\n",
                          "utf-8")
        induction_runtime.reindex()
        say(client, connector, ANSWERABLE)
        card = last_card(connector)
    first = card["body"][0]
    assert first["type"] == "TextBlock" and first["color"] == "Warning"
    assert "Social Media Policy has changed since you acknowledged it" in unescape(first["text"])
    assert any("Any communication from learners" in t for t in shown(card))


def test_markup_in_an_induction_quote_is_shown_literally(hostile_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(hostile_runtime, dev_adapter(hostile_runtime)) as client:
        say(client, connector, "/induction")
    card = last_card(connector)
    assert shown(card)[0].startswith("Markup Test Policy — key point 1")
    hostile = next(t for t in texts(card) if "Staff must report" in t)
    assert "<script>alert('x')</script>" in unescape(hostile) and "*bold*" in unescape(hostile)
    assert "<!channel>" in unescape(hostile) and "<@U999>" in unescape(hostile)
    for text in texts(card):
        if "<at>" not in text and "](mailto:" not in text:  # our own mention and links are the markup we mean
            assert not SPECIALS.search(text), text


def test_a_step_card_escapes_its_title_text_and_source_and_fits() -> None:
    passage = Passage(text="Never *post* [x](http://evil) " + "long " * 20_000, org="o", document="<b>Doc</b>",
                      section="1. _Rules_", source="o/d.txt", score=1.0)
    step = InductionStep("<i>T</i> — key point 1 of 1", "Read *this*.", passage=passage,
                         buttons=(Button("Next", "next"),))
    card = card_json(step_card(step, "fallback"))
    assert len(str(card).encode()) < 30_000
    body = texts(card)
    assert body[0] == r"\<i\>T\</i\> — key point 1 of 1" and body[1] == r"Read \*this\*."
    assert r"\<b\>Doc\</b\> › 1. Rules" in body  # a heading's own Markdown is not shown (bot.adapters.plain_text)
    assert any("quote shortened" in t for t in body)
    assert card["actions"] == [{"type": "Action.Submit", "title": "Next", "data": {"induction": "next"}}]
    tokened = card_json(step_card(InductionStep("T", "x", buttons=(Button("Next", "next"),), token="3.0.1")))
    assert tokened["actions"][0]["data"] == {"induction": "next", "step": "3.0.1"}


def test_a_press_updates_its_card_in_place_and_an_older_cards_buttons_change_nothing(
        induction_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")
        [first] = sent_cards(connector)
        [first_id] = card_ids(connector)
        press(client, connector, button(first, "Next"), card=first_id)
        assert len(sent_cards(connector)) == 1  # no new card: the pressed one became the next step
        [(updated_id, second)] = updated_cards(connector)
        assert updated_id == first_id and shown(second)[0] == "Social Media Policy — key point 2 of 2"
        assert connector.updates[0].conversation == "a:personal-chat-1"

        # The old card as the person still sees it (a client that has not refreshed, or a second device)
        before = len(connector.activities)
        press(client, connector, button(first, "Next"), card=first_id)
        [moved_on] = [r.body for r in connector.activities[before:]]
        assert moved_on["text"] == MOVED_ON.text and not moved_on.get("attachments")
        assert len(connector.updates) == 1  # the card is not touched by the stale press

        press(client, connector, button(second, "Next"), card=first_id)  # the walk is where it was: 2 -> check
        check = updated_cards(connector)[-1][1]
        assert shown(check)[0] == "Social Media Policy — quick check"
        stale_ack = {"induction": "ack", "step": button(second, "Next")["step"]}
        press(client, connector, stale_ack, card=first_id)  # an acknowledgement no card shows now
        assert SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school") == []
        press(client, connector, button(check, "False"), card=first_id)
        ack = updated_cards(connector)[-1][1]
        press(client, connector, button(ack, "I have read and understood Social Media Policy"), card=first_id)
        done = updated_cards(connector)[-1][1]
    assert shown(done)[0] == "Induction complete" and not done.get("actions")
    assert len(sent_cards(connector)) == 1 and len(updated_cards(connector)) == 4
    [row] = SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school")
    assert row.person_name == "Tess Teacher"


def test_a_card_that_cannot_be_updated_is_followed_by_a_new_one(induction_runtime: Runtime,
                                                                connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")
        [first] = sent_cards(connector)
        [first_id] = card_ids(connector)
        connector.missing.add(first_id)  # the message was deleted
        press(client, connector, button(first, "Next"), card=first_id)
    assert len(connector.updates) == 1  # tried in place first
    assert shown(last_card(connector))[0] == "Social Media Policy — key point 2 of 2"
    assert len(sent_cards(connector)) == 2


def test_a_question_asked_from_a_card_turns_it_into_the_prompt_and_the_walk_carries_on_below(
        induction_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(induction_runtime, dev_adapter(induction_runtime)) as client:
        say(client, connector, "/induction")
        [first] = sent_cards(connector)
        [first_id] = card_ids(connector)
        press(client, connector, button(first, "I have a question"), card=first_id)
        prompt = updated_cards(connector)[-1][1]
        assert any("Type your question" in t for t in shown(prompt)) and not prompt.get("actions")
        say(client, connector, ANSWERABLE)
        answer, again = sent_cards(connector)[1:]
        assert shown(again)[0] == "Social Media Policy — key point 1 of 2"
        before = len(connector.activities)
        press(client, connector, button(first, "Next"), card=first_id)  # the card from before the question
        assert connector.activities[before].body["text"] == MOVED_ON.text
        press(client, connector, button(again, "Next"), card=card_ids(connector)[-1])
    assert shown(updated_cards(connector)[-1][1])[0] == "Social Media Policy — key point 2 of 2"
