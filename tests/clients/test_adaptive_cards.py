"""Every Adaptive Card the bot sends, rendered by Microsoft's `adaptivecards` renderer in headless Chromium:
parsed against schema 1.5 (what Teams desktop supports) and validated with 0 warnings or errors, and
rendered as a person reads it — contacts with working mailto:/tel: links, no escaping backslashes, no
Markdown markers in headings.

The cards come from the real code path: ChatService replies over a small corpus (tests.clients.replies),
turned into Teams activities by bot.adapters.teams.render, as the adapter sends them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters import teams
from bot.adapters.teams_cards import answer_card, card_json, step_card
from bot.core.chat import step_text
from tests.admin.test_browser import chromium_page
from tests.clients import adaptive_cards
from tests.clients.replies import client_runtime, every_reply

pytestmark = [pytest.mark.slow, pytest.mark.integration,
              pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")]
CARD = "application/vnd.microsoft.card.adaptive"


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    """(what, card JSON) for every card in every reply, plus the card variants a reply alone does not
    show: a notice before an answer and before a step, and quotes shortened to fit."""
    out: list[tuple[str, dict[str, Any]]] = []
    with client_runtime(tmp_path_factory.mktemp("cards")) as rt:
        assert rt.chat is not None
        for what, reply in every_reply(rt.chat, "teams"):
            for n, message in enumerate(teams.render(reply)):
                sent = json.loads(message.model_dump_json(by_alias=True, exclude_none=True))
                out += [(f"{what} [{n}]", a["content"]) for a in sent.get("attachments") or []
                        if a.get("contentType") == CARD]
                if reply.answer is not None and reply.step is None:
                    notice = "'Online Safety Policy' has changed since you acknowledged it."
                    out.append((f"{what} with a notice", card_json(answer_card(reply.answer, reply.text,
                                                                               notice=notice))))
                    out.append((f"{what} shortened", card_json(answer_card(reply.answer, reply.text, 2500))))
                if reply.step is not None:
                    out.append((f"{what} step with a notice and a lead", card_json(step_card(
                        reply.step, step_text(reply.step), lead="Group session started.", notice="Changed."))))
    return out


def test_help_refusals_and_errors_go_as_plain_text(tmp_path: Path) -> None:
    """What is not an answer or a step (help, a refusal, an error, an unknown button) is sent as plain text
    (textFormat plain: nothing in it is Markdown), never as a card."""
    with client_runtime(tmp_path) as rt:
        assert rt.chat is not None
        plain = [(what, reply) for what, reply in every_reply(rt.chat, "teams") if reply.answer is None
                 and reply.step is None]
        assert {r.kind for _, r in plain} >= {"help", "refused", "error"}
        for what, reply in plain:
            for message in teams.render(reply):
                sent = json.loads(message.model_dump_json(by_alias=True, exclude_none=True))
                assert not sent.get("attachments") and sent["textFormat"] == "plain" and sent["text"], what


@pytest.fixture(scope="module")
def rendered(cards: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    if problem := adaptive_cards.missing():
        pytest.fail(problem)
    pages: Iterator[Any] = chromium_page()
    page = next(pages)
    try:
        results = adaptive_cards.render_all(page, [card for _, card in cards])
    finally:
        pages.close()
    return [(what, card, result) for (what, card), result in zip(cards, results)]


def test_every_kind_of_card_is_there(cards: list[tuple[str, dict[str, Any]]]) -> None:
    shown = json.dumps([c for _, c in cards], ensure_ascii=False)
    whats = " ".join(w for w, _ in cards)
    for kind in ("answer", "decline", "concern", "contacts", "induction: start", "after 'false'", "after 'ack'",
                 "a question during the walk", "shortened", "with a notice"):
        assert kind in whats, kind
    assert "Action.Execute" in shown and "Action.Submit" in shown and '"style": "attention"' in shown
    assert "mailto:dsl@elm.example" in shown and "tel:+441234567891;ext=12" in shown
    assert len(cards) >= 40


def test_microsoft_renderer_reports_nothing(rendered: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    problems = [(what, r["parse"], r["validation"]) for what, _, r in rendered if r["parse"] or r["validation"]]
    assert problems == []
    assert all(r["rendered"] and r["text"].strip() for _, _, r in rendered)
    assert rendered[0][2]["console"] == []


def test_cards_are_version_1_5_at_most(rendered: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    for what, card, result in rendered:
        declared = tuple(int(x) for x in card["version"].split("."))
        assert declared <= adaptive_cards.MAX_VERSION and tuple(result["version"]) == declared, what


def test_what_a_person_reads(rendered: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    """Links where a way to reach someone is known, nothing beside a name where none is, no backslash
    escapes and no '**' left in what is read, except inside a quoted clause (shown verbatim)."""
    for what, card, result in rendered:
        text = result["text"]
        assert "\\" not in text, (what, text)
        assert not re.search(r"(?m)^\s*—\s*$|:\s*—", text), (what, text)
        unquoted = re.sub(r"“[^”]*”", "", text)
        assert "**" not in unquoted, (what, unquoted)
        assert all(href.startswith(("mailto:", "tel:")) for href in result["links"]), (what, result["links"])
        if "Priya Shah (Designated Safeguarding Lead)" in text:
            assert {"mailto:dsl@elm.example", "tel:01234567890"} <= set(result["links"]), what
            assert "Priya Shah (Designated Safeguarding Lead): dsl@elm.example · 01234 567890" in text, what
        if "Tom Reed (SENCo)" in text:
            assert "tel:+441234567891;ext=12" in result["links"], what
        for line in text.splitlines():
            if line.startswith("Alison Grey (Headteacher)"):
                assert line == "Alison Grey (Headteacher)", (what, line)  # no way known: nothing beside it


def test_buttons_render_as_buttons(rendered: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    for what, card, result in rendered:
        titles = [a["title"] for a in card.get("actions") or []]
        assert result["buttons"] == titles, what


def test_a_broken_card_is_reported() -> None:
    """The check can fail: the renderer reports an unknown element type and a card newer than 1.5."""
    if problem := adaptive_cards.missing():
        pytest.fail(problem)
    bad = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "TextBlok", "text": "typo"}, {"type": "FactSet", "facts": []},
        {"type": "Table", "columns": [], "rows": []}]}
    newer = {"type": "AdaptiveCard", "version": "1.6", "body": [{"type": "TextBlock", "text": "x"}]}
    pages = chromium_page()
    page = next(pages)
    try:
        broken, too_new = adaptive_cards.render_all(page, [bad, newer])
    finally:
        pages.close()
    assert [e["event"] for e in broken["parse"]] == ["UnknownElementType"]
    assert [e["event"] for e in too_new["validation"]] == ["UnsupportedCardVersion"]
