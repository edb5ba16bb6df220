"""The Slack adapter end to end: signed requests into our server, replies into a fake Slack Web API."""

from __future__ import annotations

import json
import re
import time

import pytest

from bot.adapters.slack import ACKNOWLEDGED, THINKING
from bot.adapters.slack_blocks import ACTION_HELPFUL, ACTION_NOT_HELPFUL, ZWSP
from bot.core.chat import HELP, REFUSED, SORRY
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.payloads import (STONE, button_form, command_form, direct_message, event_callback,
                                           home_opened, mention, signed_headers)
from tests.conftest import logged_entries, seed_text
from tests.doubles.fake_slack_api import ApiCall

pytestmark = pytest.mark.integration

# The hashing embedder of the adapter runtime abstains on "can I accept a friend request from an ex-pupil
# on facebook?" (Stone Bay's policy does not name the DSL there either); this asks about the clause that does.
LEARNER_MESSAGE = "a learner messaged my personal social media account, who do I report it to?"


def plain(mrkdwn: str) -> str:
    """What a reader sees of our mrkdwn: fences removed, entities decoded."""
    return mrkdwn.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def quotes(call: ApiCall) -> list[str]:
    return [plain(line[2:]) for b in call.params.get("blocks", []) if b["type"] == "section"
            for line in b["text"]["text"].split("\n") if line.startswith("> ")]


def contexts(call: ApiCall) -> list[str]:
    return [e["text"] for b in call.params.get("blocks", []) if b["type"] == "context" for e in b["elements"]]


def button_value(call: ApiCall) -> str:
    [actions] = [b for b in call.params["blocks"] if b["type"] == "actions"]
    return str(actions["elements"][0]["value"])


def test_a_mention_is_answered_in_its_thread_with_the_policy_and_the_dsl(slack: SlackHarness) -> None:
    assert slack.event(mention(LEARNER_MESSAGE, ts="1700000000.000100"), "Ev1").status_code == 200
    [post] = slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C_STAFF" and post.params["thread_ts"] == "1700000000.000100"
    assert post.token.startswith("xoxb-")
    policy = " ".join(seed_text("stone-bay-school").split())
    assert quotes(post) and all(q in policy for q in quotes(post))
    assert any("report" in q and "DSL" in q for q in quotes(post))
    assert any(c.startswith("<@U0DSL> (Designated Safeguarding Lead") for c in contexts(post))
    assert "Social Media Policy" in plain(post.params["text"])  # the plain fallback
    [status] = slack.fake.calls_to("assistant.threads.setStatus")
    assert status.params == {"channel_id": "C_STAFF", "thread_ts": "1700000000.000100", "status": THINKING,
                             "team_id": "T_STONE"} or status.params["status"] == THINKING
    [entry] = logged_entries(slack.runtime.settings.database_url)
    assert entry.channel == "slack" and entry.org == "stone-bay-school" and entry.id == button_value(post)


def test_a_direct_message_is_answered_and_bots_edits_and_channels_are_ignored(slack: SlackHarness) -> None:
    ignored = [direct_message("edited", subtype="message_changed"), direct_message("from a bot", bot_id="B2"),
               {**direct_message("in a channel"), "channel_type": "channel"}]
    for n, event in enumerate(ignored):
        assert slack.event(event, f"EvIgnored{n}").status_code == 200
    slack.event(direct_message(LEARNER_MESSAGE, ts="1700000000.000200"), "EvDm")
    [post] = slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "D_ASKER" and "thread_ts" not in post.params  # a DM: no thread
    assert quotes(post) and any("U0DSL" in c for c in contexts(post))
    slack.event(direct_message("who has overall responsibility for online safety?", ts="1700000000.000300",
                               thread_ts="1700000000.000200"), "EvDmThread")
    posts = slack.fake.wait_for("chat.postMessage", count=2)
    assert posts[1].params["thread_ts"] == "1700000000.000200"
    time.sleep(0.3)
    assert len(slack.fake.calls_to("chat.postMessage")) == 2


def test_the_policy_command_is_acknowledged_then_answered_privately(slack: SlackHarness) -> None:
    response = slack.command(LEARNER_MESSAGE)
    assert response.status_code == 200 and response.json()["text"] == ACKNOWLEDGED
    [answer] = slack.fake.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is False
    assert quotes(answer) and any("U0DSL" in c for c in contexts(answer))
    slack.command("   ")  # no question: the help
    [_, help_] = slack.fake.wait_for("response_url", count=2)
    assert plain(help_.params["text"]) == HELP and "blocks" not in help_.params


def test_feedback_buttons_are_kept_against_the_answer_and_thanked_privately(slack: SlackHarness) -> None:
    slack.event(mention(LEARNER_MESSAGE), "EvQ")
    log_id = button_value(slack.fake.wait_for("chat.postMessage")[0])
    assert slack.click(ACTION_NOT_HELPFUL, log_id).status_code == 200
    [thanks] = slack.fake.wait_for("chat.postEphemeral")
    assert thanks.params["user"] == "U_ASKER" and thanks.params["channel"] == "C_STAFF"
    assert thanks.params["thread_ts"] == "1700000000.000100" and "Thanks" in thanks.params["text"]
    [entry] = logged_entries(slack.runtime.settings.database_url)
    assert entry.feedback is not None and entry.feedback.helpful is False
    slack.click(ACTION_HELPFUL, log_id)
    slack.fake.wait_for("chat.postEphemeral", count=2)
    [entry] = logged_entries(slack.runtime.settings.database_url)
    assert entry.feedback is not None and entry.feedback.helpful is True


def test_a_bare_mention_gets_the_help(slack: SlackHarness) -> None:
    slack.event(mention(""), "EvBare")
    [post] = slack.fake.wait_for("chat.postMessage")
    assert plain(post.params["text"]) == HELP and post.params["thread_ts"] == "1700000000.000100"


def test_opening_app_home_publishes_the_help(slack: SlackHarness) -> None:
    slack.event(home_opened(), "EvHome")
    [publish] = slack.fake.wait_for("views.publish")
    assert publish.params["user_id"] == "U_ASKER" and publish.params["view"]["type"] == "home"
    shown = [plain(b["text"]["text"]) for b in publish.params["view"]["blocks"] if b["type"] == "section"]
    assert shown == [HELP]


def test_requests_not_signed_by_slack_are_refused(slack: SlackHarness) -> None:
    assert slack.event(mention(LEARNER_MESSAGE), "EvForged", secret="not-the-secret").status_code == 401
    assert slack.event(mention(LEARNER_MESSAGE), "EvStale", timestamp=int(time.time()) - 6 * 60).status_code == 401
    assert slack.http.post("/slack/events", content=b"{}").status_code == 401
    time.sleep(0.3)
    assert slack.fake.calls_to("chat.postMessage") == []
    assert logged_entries(slack.runtime.settings.database_url) == []


def test_an_unknown_workspace_gets_a_polite_refusal_and_no_policy_text(slack: SlackHarness) -> None:
    slack.event(mention(LEARNER_MESSAGE, team="T_UNKNOWN"), "EvUnknown", team="T_UNKNOWN")
    [post] = slack.fake.wait_for("chat.postMessage")
    assert plain(post.params["text"]) == REFUSED and "blocks" not in post.params
    assert post.params["thread_ts"] == "1700000000.000100"
    assert "personal social media" not in json.dumps(post.params)


def test_a_retried_event_is_answered_once(slack: SlackHarness) -> None:
    """Slack signs each retry afresh (a retry 5 minutes on would fail the check otherwise): the event id,
    not the signature, is what makes it the same event."""
    event, now = mention(LEARNER_MESSAGE), int(time.time())
    assert slack.event(event, "EvRetry", timestamp=now - 2).status_code == 200
    # Slack thought the first was lost
    assert slack.event(event, "EvRetry", retry=1, timestamp=now - 1).status_code == 200
    slack.fake.wait_for("chat.postMessage")
    assert slack.event(event, "EvRetry", retry=2, timestamp=now).status_code == 200
    time.sleep(0.5)
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert len(logged_entries(slack.runtime.settings.database_url)) == 1
    assert slack.replays_remembered() == 3  # three differently signed requests: none was a replay


def test_a_replayed_policy_command_is_acknowledged_but_not_answered_or_logged(slack: SlackHarness) -> None:
    """A captured signed /policy request sent again within the 5 minutes the signature check accepts it
    (issue 12): the same bytes, the same headers."""
    body = command_form(LEARNER_MESSAGE, slack.fake.response_url("command"), STONE)
    headers = signed_headers(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 60)
    first = slack.http.post("/slack/events", content=body.encode(), headers=headers)
    assert first.status_code == 200 and first.json()["text"] == ACKNOWLEDGED
    slack.fake.wait_for("response_url")
    for _ in range(3):
        replay = slack.http.post("/slack/events", content=body.encode(), headers=headers)
        assert replay.status_code == 200 and replay.content == b""
    time.sleep(0.5)
    assert len(slack.fake.calls_to("response_url")) == 1
    assert len(logged_entries(slack.runtime.settings.database_url)) == 1
    # The same question asked again (signed afresh, as Slack would send it) is answered and logged.
    assert slack.command(LEARNER_MESSAGE).json()["text"] == ACKNOWLEDGED
    slack.fake.wait_for("response_url", count=2)
    assert len(logged_entries(slack.runtime.settings.database_url)) == 2


def test_a_replayed_event_or_button_is_not_handled_twice(slack: SlackHarness) -> None:
    event_body = json.dumps(event_callback(mention(LEARNER_MESSAGE), "EvReplayed"))
    event_headers = signed_headers(event_body, "application/json")
    for _ in range(2):
        assert slack.http.post("/slack/events", content=event_body.encode(), headers=event_headers).status_code == 200
    log_id = button_value(slack.fake.wait_for("chat.postMessage")[0])
    click = button_form(ACTION_NOT_HELPFUL, log_id, slack.fake.response_url("button"))
    click_headers = signed_headers(click, "application/x-www-form-urlencoded")
    for _ in range(2):
        assert slack.http.post("/slack/events", content=click.encode(), headers=click_headers).status_code == 200
    slack.fake.wait_for("chat.postEphemeral")
    time.sleep(0.5)
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 1


def test_forged_requests_are_not_remembered(slack: SlackHarness) -> None:
    """Only requests that pass the signature check are remembered: forged ones cannot fill the memory."""
    for n in range(20):
        assert slack.event(mention(LEARNER_MESSAGE), f"EvForged{n}", secret="not-the-secret").status_code == 401
    assert slack.replays_remembered() == 0
    assert slack.event(mention(LEARNER_MESSAGE), "EvSigned").status_code == 200
    assert slack.replays_remembered() == 1


# As Slack delivers it: what the person typed is entity-escaped, their @channel is a live token.
HOSTILE_QUESTION = ("<!channel> &lt;script&gt;alert(1)&lt;/script&gt; *bold* what do I do with a script alert "
                    "message that says channel?")
OUR_FORMATTING = {"*Who to contact:*"}


def test_markup_in_questions_and_policies_reaches_slack_inert(slack: SlackHarness) -> None:
    slack.event(mention(HOSTILE_QUESTION), "EvHostile")
    [post] = slack.fake.wait_for("chat.postMessage")
    slack.command(HOSTILE_QUESTION.replace("<!channel>", "<!here>"))
    [private] = slack.fake.wait_for("response_url")
    for call in (post, private):
        # the hostile clause is quoted, and reads exactly as written ...
        assert any("<script>alert('x')</script>" in q and "*bold* or _italic_ or <b>bold</b> & other <@U999>" in q
                   for q in quotes(call))
        # ... but nothing in it is live anywhere: no mention, tag, entity or formatting of its own
        fields = _text_fields(call.params)
        assert len(fields) > 5
        for text in fields:
            assert _inert(text), text
    entry = logged_entries(slack.runtime.settings.database_url)[0]
    assert "<script>alert(1)</script>" in entry.question and "&lt;" not in entry.question  # logged as typed


def _inert(text: str) -> bool:
    """No Slack markup in *text* but ours: `>` quote markers, the org file's <@U0DSL> and the DSL's e-mail
    as a mailto: link, our own labels."""
    if text in OUR_FORMATTING:
        return True
    ours = text.replace("<@U0DSL>", "").replace("<mailto:dsl@stonebay.example|dsl@stonebay.example>", "")
    bare = "\n".join(line[1:] if line.startswith(">") else line for line in ours.split("\n"))
    if "<" in bare or ">" in bare or re.search(r"&(?!amp;|lt;|gt;)", bare):
        return False
    fences = [bare[max(0, i - 1):i + 2] for i, ch in enumerate(bare) if ch in "*_~`"]
    return all(f[0] == ZWSP and f[-1] == ZWSP and len(f) == 3 for f in fences)


def _text_fields(params: dict[str, object]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(params)
    return found


def test_a_failure_inside_the_adapter_gets_a_polite_reply(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("boom")
    assert slack.runtime.chat is not None
    monkeypatch.setattr(slack.runtime.chat, "handle", broken)
    slack.event(mention(LEARNER_MESSAGE), "EvBroken")
    [post] = slack.fake.wait_for("chat.postMessage")
    assert post.params["text"] == SORRY and post.params["thread_ts"] == "1700000000.000100"
    slack.command(LEARNER_MESSAGE)
    [private] = slack.fake.wait_for("response_url")
    assert private.params["text"] == SORRY and private.params["response_type"] == "ephemeral"
    assert "boom" in caplog.text


def test_a_request_that_fails_the_signature_check_is_logged_without_its_body(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    question = "Amelia Jones 07700 900123 told me something"
    assert slack.event(mention(question), "EvForgedLog", secret="not-the-secret").status_code == 401
    assert "Invalid request signature" in caplog.text  # that it happened is kept
    assert "Amelia" not in caplog.text and "07700" not in caplog.text


def test_malformed_requests_before_the_signature_check_are_refused_not_errors(slack: SlackHarness) -> None:
    headers = {"content-type": "application/json", "x-slack-signature": "v0=abc"}
    bad_timestamp = slack.http.post("/slack/events", content=b"{}", headers={**headers, "x-slack-request-timestamp": "abc"})
    not_utf8 = slack.http.post("/slack/events", content=b"\xff\xfe{", headers={**headers,
                                                                           "x-slack-request-timestamp": str(int(time.time()))})
    assert bad_timestamp.status_code == 401 and not_utf8.status_code == 401
