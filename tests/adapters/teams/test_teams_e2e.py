"""End to end through the real SDK: Activity JSON posted to /api/messages on our server; what reaches the
fake connector is what Teams would show."""

from __future__ import annotations

import re

import pytest

from bot.adapters import teams
from bot.core.chat import REFUSED
from bot.runtime import Runtime
from tests.adapters.teams.conftest import (
    ANSWERABLE, EXPECTED_QUOTE, HOSTILE_QUESTION, card_action, chat_of, dev_settings, message, sent_cards,
    serve, texts,
)
from tests.conftest import logged_entries
from tests.doubles.fake_teams_connector import FakeConnector

pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")]
SPECIALS = re.compile(r"(?<!\\)[*_\[\]<>`~]")  # a Markdown character left unescaped (teams_cards.escape_md)
OUR_LINK = re.compile(r"\[[^\]]*\]\((?:mailto|tel):[^)\s]+\)")  # a contact's e-mail or phone, as we link it


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def dev_adapter(runtime: Runtime) -> teams.TeamsAdapter:
    return teams.build(dev_settings(runtime), chat_of(runtime))


def test_a_mention_gets_typing_a_welcome_and_a_card_with_the_quote_and_the_dsl(
        adapter_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        response = client.post("/api/messages", json=message(connector, ANSWERABLE))
    assert response.status_code == 200
    sent = [r.body for r in connector.activities]
    assert [a["type"] for a in sent] == ["typing", "message", "message"]
    assert all(r.conversation == "a:personal-chat-1" for r in connector.activities)
    assert sent[1]["text"].startswith("Welcome to policybot for Stone Bay School")
    [card] = sent_cards(connector)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    shown = [unescape(t) for t in texts(card)]
    assert any(EXPECTED_QUOTE in t for t in shown)
    assert "Martyn Nash (Designated Safeguarding Lead (Head of Care)): [dsl@stonebay.example]" \
           "(mailto:dsl@stonebay.example)" in shown
    assert sent[2]["summary"] and "Stone Bay School" in sent[2]["summary"]
    [entry] = logged_entries(adapter_runtime.settings.database_url)
    assert entry.channel == "teams" and entry.org == "stone-bay-school"
    assert "<at>" not in entry.question and "policybot" not in entry.question  # the mention was stripped


def test_the_briefs_friend_request_question_is_declined_politely_with_a_contact(
        adapter_runtime: Runtime, connector: FakeConnector) -> None:
    """With the hashing embedder this question finds nothing good enough: the card says so, names someone
    to ask, and still offers feedback (the real model answers it; see tests/core)."""
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=message(connector, "can I accept a friend request from an ex-pupil "
                                                             "on facebook?"))
    [card] = sent_cards(connector)
    shown = [unescape(t) for t in texts(card)]
    assert any("don't cover this" in t for t in shown) and card["actions"]
    assert logged_entries(adapter_runtime.settings.database_url)[0].answered is False


def test_an_unknown_tenant_is_refused_without_policy_text(adapter_runtime: Runtime,
                                                          connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=message(connector, ANSWERABLE, tenant="tenant-elsewhere"))
    sent = [r.body for r in connector.activities]
    assert [a["type"] for a in sent] == ["typing", "message"]
    assert sent[1]["text"] == REFUSED and not sent[1].get("attachments")
    assert "social media" not in str(sent).lower()
    assert logged_entries(adapter_runtime.settings.database_url) == []


def test_feedback_buttons_are_kept_on_the_log_entry(adapter_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=message(connector, ANSWERABLE))
        [card] = sent_cards(connector)
        helpful, unhelpful = (a["data"] for a in card["actions"])
        assert helpful["helpful"] is True and unhelpful == {**helpful, "helpful": False}
        stranger = client.post("/api/messages", json=card_action(connector, helpful, tenant="tenant-elsewhere"))
        assert "don't recognise" in stranger.json()["value"]
        assert logged_entries(adapter_runtime.settings.database_url)[0].feedback is None
        response = client.post("/api/messages", json=card_action(connector, unhelpful))
    assert response.status_code == 200
    assert response.json() == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                               "value": "Thanks for telling us. The senior leadership team reviews answers "
                                        "marked not helpful."}
    [entry] = logged_entries(adapter_runtime.settings.database_url)
    assert entry.id == helpful["log_id"] and entry.feedback is not None and entry.feedback.helpful is False


def test_action_submit_feedback_from_older_clients_is_kept_too(adapter_runtime: Runtime,
                                                               connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=message(connector, ANSWERABLE))
        data = sent_cards(connector)[0]["actions"][0]["data"]
        client.post("/api/messages", json=message(connector, "", mention=False, value=data, msg_id="msg-2"))
    assert connector.activities[-1].body["text"] == "Thanks — glad it helped."
    feedback = logged_entries(adapter_runtime.settings.database_url)[0].feedback
    assert feedback is not None and feedback.helpful is True


def test_unknown_buttons_get_a_polite_message(adapter_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        response = client.post("/api/messages", json=card_action(connector, {"x": 1}, verb="launch"))
    assert response.json()["value"] == teams.UNKNOWN_BUTTON


@pytest.mark.parametrize("question", ["<script>alert(1)</script> *bold* [x](http://evil)", HOSTILE_QUESTION])
def test_markup_in_questions_and_policies_is_shown_literally(adapter_runtime: Runtime, connector: FakeConnector,
                                                             question: str) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=message(connector, question))
    [card] = sent_cards(connector)
    shown = texts(card)
    assert f"You asked: {question}" in [unescape(t) for t in shown]
    hostile = next(t for t in shown if "alert" in t and "Staff must report" in t)
    assert "<script>alert('x')</script>" in unescape(hostile) and "*bold*" in unescape(hostile)
    assert "<!channel>" in unescape(hostile) and "<@U999>" in unescape(hostile)
    for text in shown:
        if "<at>" not in text:  # our own mention of the DSL is the one tag we mean
            assert not SPECIALS.search(OUR_LINK.sub("", text)), text


def test_an_installation_is_greeted_with_the_help_text(adapter_runtime: Runtime, connector: FakeConnector) -> None:
    installed = {**message(connector, ""), "type": "installationUpdate", "action": "add"}
    del installed["text"], installed["entities"]
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        assert client.post("/api/messages", json=installed).status_code == 200
    [sent] = [r.body for r in connector.activities]
    assert sent["text"].startswith("Ask me about your school's policies")


def test_a_failure_gets_a_polite_reply_and_a_log_line(adapter_runtime: Runtime, connector: FakeConnector,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("index vanished")

    monkeypatch.setattr(chat_of(adapter_runtime), "handle", broken)
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        assert client.post("/api/messages", json=message(connector, ANSWERABLE)).status_code == 200
    assert connector.activities[-1].body["text"] == teams.SORRY
    assert any("could not answer" in r.message and r.exc_info for r in caplog.records)


def test_requests_that_are_not_activities_are_refused(adapter_runtime: Runtime, connector: FakeConnector) -> None:
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        assert client.post("/api/messages", content=b"{not json").status_code == 400
        assert client.post("/api/messages", json=["a list"]).status_code == 400
        assert client.post("/api/messages", content=b"x" * (teams.MAX_BODY_BYTES + 1)).status_code == 413
    assert connector.requests == []


def test_in_a_channel_the_answer_goes_to_the_thread_of_the_question(adapter_runtime: Runtime,
                                                                     connector: FakeConnector) -> None:
    thread = "19:staffroom@thread.tacv2;messageid=1700000000000"
    activity = message(connector, ANSWERABLE, conversation=thread)
    activity["conversation"]["conversationType"] = "channel"
    activity["channelData"]["channel"] = {"id": "19:staffroom@thread.tacv2"}
    with serve(adapter_runtime, dev_adapter(adapter_runtime)) as client:
        client.post("/api/messages", json=activity)
    assert [r.conversation for r in connector.activities] == [thread] * 3
    assert any(EXPECTED_QUOTE in t for t in texts(sent_cards(connector)[0]))
