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
from bot.core.induction import Button, InductionStep
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


def press(client: TestClient, connector: FakeConnector, data: dict[str, Any], **kw: Any) -> None:
    """An Action.Submit press: Teams posts a message activity with no text and the button's data as value."""
    say(client, connector, "", mention=False, value=data, **kw)


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
        assert button(first, "Next") == {"induction": "next"}
        assert button(first, "I have a question") == {"induction": "ask"}
        assert "Who to contact" in shown(first)

        press(client, connector, button(first, "Next"))
        second = last_card(connector)
        assert shown(second)[0] == "Social Media Policy — key point 2 of 2"
        assert button(second, "Back") == {"induction": "back"}

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
