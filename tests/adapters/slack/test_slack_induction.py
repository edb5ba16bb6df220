"""Induction over Slack, end to end: /induction in a DM (and `/policy induction`), the steps as Block
Kit with one button per step button, a question asked on the way, the check, the acknowledgement in the
register; markup kept inert; strangers refused. Slack user U1 of T_STONE is Tess Teacher."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.slack_blocks import ACTION_HELPFUL, render, step_blocks
from bot.core.chat import REFUSED, Reply, step_text
from bot.core.induction import Button, InductionStep
from bot.core.models import Contact, Passage
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from tests.adapters.conftest import ANSWERABLE, EXPECTED_QUOTE
from tests.adapters.slack.conftest import harness, SlackHarness
from tests.adapters.slack.payloads import button_form, command_form, direct_message, mention
from tests.adapters.slack.test_slack_events import HOSTILE_QUESTION, _inert, _text_fields, contexts, plain, quotes
from tests.conftest import logged_entries
from tests.doubles.fake_slack_api import ApiCall, FakeSlackApi

pytestmark = pytest.mark.integration

TESS = "U1"
# Stone Bay's two automatic key points: a staff rule, then whom to report to (bot.core.induction_pack)
POINT_1 = "All members of staff are advised that their online conduct on social media can have an impact"
POINT_2 = "Any communication from learners and parents/carers received on personal social media accounts"


@pytest.fixture
def slack(induction_runtime: Runtime, fake_slack: FakeSlackApi) -> Iterator[SlackHarness]:
    with harness(induction_runtime, fake_slack) as h:
        yield h


def buttons(call: ApiCall) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of the induction buttons in a message."""
    return [(e["text"]["text"], e["action_id"], e["value"]) for b in call.params.get("blocks", [])
            if b["type"] == "actions" and b["block_id"] == "policybot_induction" for e in b["elements"]]


def sections(call: ApiCall) -> list[str]:
    return [plain(b["text"]["text"]) for b in call.params.get("blocks", []) if b["type"] == "section"]


def press(slack: SlackHarness, action: str, user: str = TESS, team: str = "T_STONE", **where: Any) -> None:
    where = {"channel": "D_ASKER", "thread_ts": None, **where}
    form = button_form(f"induction_{action}", action, slack.fake.response_url("button"), team=team, user=user,
                       block_id="policybot_induction", **where)
    assert slack.post(form, "application/x-www-form-urlencoded").status_code == 200


def next_post(slack: SlackHarness, count: int) -> ApiCall:
    return slack.fake.wait_for("chat.postMessage", count=count)[count - 1]


def test_a_walk_through_induction_in_a_dm_ends_in_the_register(slack: SlackHarness) -> None:
    slack.event(direct_message("/induction", user=TESS), "EvInd1")
    first = next_post(slack, 1)
    assert first.params["channel"] == "D_ASKER" and "thread_ts" not in first.params
    assert sections(first)[0].startswith("Welcome to policybot")
    assert "*Social Media Policy — key point 1 of 2*\nRead this, then press Next." in sections(first)
    assert quotes(first) and quotes(first)[0].startswith(POINT_1)
    assert contexts(first)[0].startswith("📄 Social Media Policy › 4. Staff use of social media › 4.1 Reputation")
    assert contexts(first)[1:] == ["*Who to contact:*", "Jane Hatwell (Headteacher)"]
    assert buttons(first) == [("Next", "induction_next", "next"), ("I have a question", "induction_ask", "ask")]

    press(slack, "next")
    second = next_post(slack, 2)
    assert second.params["channel"] == "D_ASKER" and "key point 2 of 2" in sections(second)[0]
    assert quotes(second)[0].startswith(POINT_2)
    assert [b[2] for b in buttons(second)] == ["back", "next", "ask"]

    press(slack, "ask")
    assert "Type your question" in sections(next_post(slack, 3))[0] and buttons(next_post(slack, 3)) == []
    slack.event(direct_message(ANSWERABLE, user=TESS, ts="1700000000.000500"), "EvInd2")
    both = next_post(slack, 4)
    assert any(EXPECTED_QUOTE in q for q in quotes(both))
    kinds = [b["type"] for b in both.params["blocks"]]
    feedback = next(i for i, b in enumerate(both.params["blocks"]) if b.get("block_id") == "policybot_feedback")
    assert kinds[feedback + 1] == "divider"
    assert "key point 2 of 2" in plain(both.params["blocks"][feedback + 2]["text"]["text"])
    assert kinds[-1] == "actions" and [b[2] for b in buttons(both)] == ["back", "next", "ask"]
    assert logged_entries(slack.runtime.settings.database_url)[-1].context == "induction"

    press(slack, "next")
    check = next_post(slack, 5)
    assert "quick check" in sections(check)[0] and [b[0] for b in buttons(check)] == ["Back", "True", "False"]
    press(slack, "false")
    ack = next_post(slack, 6)
    assert "Right:" in sections(ack)[0] and "acknowledgement" in sections(ack)[0]
    assert ("I have read and understood Social Media Policy", "induction_ack", "ack") in buttons(ack)
    press(slack, "ack")
    done = next_post(slack, 7)
    assert sections(done)[0].startswith("*Induction complete*") and buttons(done) == []
    [row] = SqlAcknowledgements(slack.runtime.db).for_org("stone-bay-school")
    assert (row.person_name, row.channel) == ("Tess Teacher", "slack")


@pytest.mark.parametrize("command, text", [("/policy", "induction"), ("/induction", "")])
def test_the_policy_command_starts_induction_privately_and_buttons_answer_there(slack: SlackHarness, command: str,
                                                                                text: str) -> None:
    form = command_form(text, slack.fake.response_url("command"), user=TESS, command=command)
    response = slack.post(form, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    [first] = slack.fake.wait_for("response_url")
    assert first.params["response_type"] == "ephemeral" and any("key point 1 of 2" in s for s in sections(first))
    assert [b[2] for b in buttons(first)] == ["next", "ask"]
    press(slack, "next", channel="C_STAFF", ephemeral=True)
    second = slack.fake.wait_for("response_url", count=2)[1]
    assert second.params["response_type"] == "ephemeral" and "key point 2 of 2" in sections(second)[0]
    assert slack.fake.calls_to("chat.postMessage") == []


def test_a_step_after_a_mention_goes_on_in_its_thread(slack: SlackHarness) -> None:
    slack.event(mention("/induction", user=TESS, ts="1700000000.000100"), "EvIndThread")
    assert next_post(slack, 1).params["thread_ts"] == "1700000000.000100"
    press(slack, "next", channel="C_STAFF", thread_ts="1700000000.000100")
    second = next_post(slack, 2)
    assert (second.params["channel"], second.params["thread_ts"]) == ("C_STAFF", "1700000000.000100")


def test_a_stranger_pressing_an_induction_button_is_refused_privately(slack: SlackHarness) -> None:
    press(slack, "ack", user="U_OUTSIDER", team="T_UNKNOWN", channel="C_STAFF", thread_ts="1700000000.000100")
    [refusal] = slack.fake.wait_for("chat.postEphemeral")
    assert plain(refusal.params["text"]) == REFUSED and refusal.params["user"] == "U_OUTSIDER"
    time.sleep(0.3)
    assert slack.fake.calls_to("chat.postMessage") == []
    assert SqlAcknowledgements(slack.runtime.db).for_org("stone-bay-school") == []


def test_markup_in_a_step_and_in_a_question_asked_during_induction_reaches_slack_inert(slack: SlackHarness) -> None:
    path = Path(slack.runtime.settings.corpus_dir) / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["induction"]["policies"].insert(0, {"file": "markup-test-policy.txt"})
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    slack.runtime.reindex()
    slack.event(direct_message("/induction", user=TESS), "EvHostileStep")
    step = next_post(slack, 1)
    press(slack, "ask")
    next_post(slack, 2)
    slack.event(direct_message(HOSTILE_QUESTION, user=TESS, ts="1700000000.000600"), "EvHostileQ")
    answer = next_post(slack, 3)
    for call in (step, answer):
        assert any("<script>alert('x')</script>" in q and "*bold* or _italic_ or <b>bold</b> & other <@U999>" in q
                   for q in quotes(call))
        assert any("Markup Test Policy — key point 1 of 1" in s for s in sections(call))
        for text in _text_fields(call.params):
            title = text.startswith("*Markup Test Policy") or text.startswith("*Social Media Policy")
            text = re.sub(r"<mailto:[\w.@+-]+\|[\w.@+-]+>", "", text)  # our link to the org file's e-mail
            assert _inert(text.replace("*", "", 2) if title else text), text
    assert "<@U0DSL>" in json.dumps(step.params["blocks"])  # the contact: a mention from the org file only


def test_step_blocks_escape_like_answers_and_keep_the_notice_first() -> None:
    passage = Passage("Never <!here> *share*", "o", "Doc <x>", "1. & more", "o/doc.txt", 1.0)
    step = InductionStep("<b>Doc</b> — key point 1 of 1", "Read & press Next.", passage,
                         Contact("DSL", "Ann", handles=(("slack", "U0ANN"),)),
                         (Button("Next", "next"), Button("I have read and understood " + "x" * 80, "ack")))
    blocks = step_blocks(step)
    assert blocks[0]["text"]["text"].startswith("*&lt;b&gt;Doc&lt;/b&gt; — key point 1 of 1*\nRead &amp; press")
    assert "> Never &lt;!here&gt; \u200b*\u200bshare\u200b*\u200b" in blocks[1]["text"]["text"]
    assert blocks[2]["elements"][0]["text"] == "📄 Doc &lt;x&gt; › 1. &amp; more"
    assert blocks[3]["elements"][1]["text"] == "<@U0ANN> (DSL)"
    [first, ack] = blocks[4]["elements"]
    assert (first["action_id"], first["value"], ack["action_id"]) == ("induction_next", "next", "induction_ack")
    assert len(ack["text"]["text"]) <= 75
    message = render(Reply("induction", "Started. " + step_text(step), step=step, notice="<Doc> has changed."))
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert texts[:2] == ["ℹ️ &lt;Doc&gt; has changed.", "Started."]
    assert ACTION_HELPFUL not in json.dumps(message.blocks)


def test_a_notice_comes_before_the_answer(slack: SlackHarness) -> None:
    assert slack.runtime.chat is not None
    slack.runtime.chat.remind([f"slack:T_STONE:{TESS}"])
    slack.event(direct_message(ANSWERABLE, user=TESS), "EvNotice")
    shown = sections(next_post(slack, 1))
    assert shown[0].startswith("ℹ️ Your senior leadership team asks you to complete your induction")
    assert shown[1].startswith("Welcome") and any(EXPECTED_QUOTE in s for s in shown[2:])
