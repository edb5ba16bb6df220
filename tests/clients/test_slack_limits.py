"""Every Slack message the bot sends checked against Slack's published Block Kit limits (tests.clients.
slack_limits cites each figure) and by slack_sdk's own block models: answers, declines, concerns,
contacts, help and errors, the induction walk, the App Home view, and answers long enough to be cut.

The messages come from the real code path: ChatService replies over a small corpus (tests.clients.replies)
through bot.adapters.slack_blocks.render, which is what the adapter posts.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.adapters import slack_blocks
from bot.core.chat import HELP
from tests.clients import slack_limits
from tests.clients.replies import client_runtime, every_reply

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, slack_blocks.SlackMessage]]:
    """(what, message) for every reply; and for each answer, the same answer with 30 copies of each quote
    repeated past 3,000 characters (more than 50 blocks' worth: cut with a note)."""
    out: list[tuple[str, slack_blocks.SlackMessage]] = []
    with client_runtime(tmp_path_factory.mktemp("slack")) as rt:
        assert rt.chat is not None
        for what, reply in every_reply(rt.chat, "slack"):
            out.append((what, slack_blocks.render(reply)))
            if reply.answer is not None and reply.answer.passages:
                long = tuple(replace(p, text=(p.text + " ") * (3500 // len(p.text) + 1))
                             for p in reply.answer.passages) * 30
                out.append((f"{what}, too long", slack_blocks.render(
                    replace(reply, answer=replace(reply.answer, passages=long)))))
    return out


def test_every_message_keeps_slacks_limits(messages: list[tuple[str, slack_blocks.SlackMessage]]) -> None:
    found = [(what, p) for what, m in messages for p in slack_limits.problems(m.text, m.blocks)]
    assert found == []


def test_the_home_view_keeps_slacks_limits() -> None:
    view = slack_blocks.home_view(HELP)
    assert slack_limits.problems(HELP, view["blocks"], slack_limits.SURFACE_BLOCKS) == []


def test_what_was_checked(messages: list[tuple[str, slack_blocks.SlackMessage]]) -> None:
    whats = " ".join(w for w, _ in messages)
    for kind in ("answer", "decline", "concern", "contacts", "help", "empty", "refused", "induction: start",
                 "after 'ack'", "too long"):
        assert kind in whats, kind
    cut = [m for w, m in messages if w.endswith("too long")]
    assert cut and all(slack_blocks.CUT_NOTE in str(m.blocks) for m in cut)
    assert any(len(m.blocks) == slack_limits.MESSAGE_BLOCKS for m in cut)  # filled to the limit, not past it
    shown = str([m.blocks for _, m in messages])
    assert "<mailto:dsl@elm.example|dsl@elm.example>, 01234 567890" in shown and "<@U0PRIYA>" in shown
    assert "policybot_feedback" in shown and "policybot_induction" in shown


@pytest.mark.parametrize("block, says", [
    ({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}, "at most 3000"),
    ({"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}, "at most 150"),
    ({"type": "header", "text": {"type": "mrkdwn", "text": "x"}}, "must be plain_text"),
    ({"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}, "1 to 10"),
    ({"type": "actions", "elements": [{"type": "button", "action_id": f"a{n}", "text": {
        "type": "plain_text", "text": "x"}} for n in range(26)]}, "1 to 25"),
    ({"type": "actions", "elements": [{"type": "button", "action_id": "a" * 256, "text": {
        "type": "plain_text", "text": "x"}}]}, "action_id over 255"),
    ({"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "v" * 2001, "text": {
        "type": "plain_text", "text": "x"}}]}, "value over 2000"),
    ({"type": "actions", "elements": [{"type": "button", "action_id": "a", "text": {
        "type": "plain_text", "text": "x" * 76}}]}, "at most 75"),
    ({"type": "actions", "elements": [{"type": "button", "action_id": "a", "text": {
        "type": "plain_text", "text": "x"}}] * 2}, "action_id repeated"),
    ({"type": "section", "text": {"type": "plain_text", "text": "x", "verbatim": True}}, "verbatim"),
    ({"type": "section", "text": {"type": "mrkdwn", "text": ""}}, "empty text"),
    ({"type": "tabel"}, "not one this checker knows")])
def test_the_checker_finds_what_slack_refuses(block: dict[str, object], says: str) -> None:
    found = slack_limits.problems("fallback", [block])
    assert any(says in p for p in found), found


def test_message_level_limits() -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert any("51 blocks" in p for p in slack_limits.problems("t", [section] * 51))
    assert any("no top-level text" in p for p in slack_limits.problems(" ", [section]))
    assert any("4001 characters" in p for p in slack_limits.problems("x" * 4001, [section]))
    assert slack_limits.problems("t", [section] * 50) == []
