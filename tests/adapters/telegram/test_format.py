"""Telegram HTML rendering and splitting: pure functions, no network."""

from __future__ import annotations

import re

import pytest

from bot.adapters import telegram_format as fmt
from bot.core.chat import HELP, REFUSED, Reply
from bot.core.models import Answer, Contact, Passage
from tests.adapters.telegram.conftest import check_html

HOSTILE = "<script>alert(1)</script> <b>x</b> & *bold* <!channel> <@U999> &amp; </blockquote>"


def passage(text: str, **more: str) -> Passage:
    values = {"org": "stone-bay-school", "document": "Social Media Policy", "section": "4 › Contact with pupils",
              "source": "social-media-policy.txt", "score": 0.9, **more}
    return Passage(text=text, **values)  # type: ignore[arg-type]


def answer(*passages: Passage, **more: object) -> Answer:
    values: dict[str, object] = {"question": "q", "org": "stone-bay-school", "answered": True,
                                 "message": "Here is what your policy says:", "log_id": "a" * 32, **more}
    return Answer(passages=passages, **values)  # type: ignore[arg-type]


def test_answer_layout_urgent_first_then_welcome_quotes_sources_contacts_warnings() -> None:
    ans = answer(passage("Staff must not accept friend requests from ex-pupils.",
                         approved="SLT answer, approved by J Bloggs on 2026-11-01"),
                 urgent="Speak to the DSL today.", warnings=("This policy is past its review date.",),
                 contacts=(Contact("Designated Safeguarding Lead", "Martyn Nash", "dsl@stonebay.example"),))
    [message] = fmt.render(Reply("answer", "plain", answer=ans, welcome="Welcome to policybot."))
    assert message.index("<b>Speak to the DSL today.</b>") == 0
    assert message.index("Welcome to policybot.") < message.index("Here is what your policy says:")
    assert ("<blockquote expandable>Staff must not accept friend requests from ex-pupils.</blockquote>\n"
            "<i>Social Media Policy › 4 › Contact with pupils — SLT answer, approved by J Bloggs on 2026-11-01</i>"
            in message)
    # the address as text: Telegram itself makes an e-mail address (and a phone number) tappable
    assert "<b>Who to contact:</b> Martyn Nash (Designated Safeguarding Lead), dsl@stonebay.example" in message
    assert message.endswith("⚠️ This policy is past its review date.")
    check_html(message)


def test_every_retrieved_string_is_escaped() -> None:
    ans = answer(passage(HOSTILE, document=HOSTILE, section=HOSTILE, approved=HOSTILE), message=HOSTILE,
                 urgent=HOSTILE, warnings=(HOSTILE,), contacts=(Contact(HOSTILE, HOSTILE, HOSTILE),))
    [message] = fmt.render(Reply("answer", "plain", answer=ans, welcome=HOSTILE))
    tags, text = check_html(message)
    assert tags == {"b", "i", "blockquote"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message and "<script>" not in message
    assert "&amp;amp;" in message  # an entity in the source is shown literally, not decoded
    assert text.count(HOSTILE) == 9  # urgent, welcome, message, quote, approval, role, name, how, warning
    # the document and the section are headings: shown without their Markdown, everything else escaped
    assert text.count(HOSTILE.replace("*bold*", "bold")) == 2


@pytest.mark.parametrize("reply", [Reply("help", HELP), Reply("refused", REFUSED),
                                   Reply("error", HOSTILE), Reply("joined", "You're in. " + HELP, welcome=HOSTILE)])
def test_other_replies_are_plain_escaped_text(reply: Reply) -> None:
    [message] = fmt.render(reply)
    tags, text = check_html(message)
    assert tags == set()
    assert reply.text in text and reply.welcome in text


def test_a_10000_character_answer_splits_between_blocks_never_inside_a_tag() -> None:
    passages = [passage(f"Clause {n}: " + "Staff must report concerns & keep <records>. " * 25) for n in range(9)]
    ans = answer(*passages, warnings=("Past its review date.",),
                 contacts=(Contact("Designated Safeguarding Lead", "Martyn Nash"),))
    total = sum(len(p.text) for p in passages)
    assert total >= 10_000
    messages = fmt.render(Reply("answer", "plain", answer=ans))
    assert len(messages) >= 3
    for message in messages:
        assert fmt.units(message) <= fmt.MAX_UNITS
        check_html(message)
        assert message.count("<blockquote expandable>") == message.count("</blockquote>")
    joined = "\n\n".join(messages)
    for p in passages:  # every quote whole, in order, each followed by its source
        assert f"<blockquote expandable>{fmt.escape(p.text)}</blockquote>\n<i>" in joined
    starts = [joined.index(fmt.escape(p.text)) for p in passages]
    assert starts == sorted(starts)
    assert messages[-1].endswith("⚠️ Past its review date.")


def test_a_single_quote_longer_than_a_message_is_cut_between_words_with_its_tags_repeated() -> None:
    text = " ".join(f"word{n}&<x>" for n in range(1500)) + " " + "é" * 5000 + " 🙂" * 3000
    messages = fmt.render(Reply("answer", "plain", answer=answer(passage(text))))
    assert len(messages) >= 4
    shown = []
    for message in messages:
        assert fmt.units(message) <= fmt.MAX_UNITS
        check_html(message)
        shown.extend(re.findall(r"<blockquote expandable>(.*?)</blockquote>", message, flags=re.S))
    assert fmt.escape(text) == "".join(shown)  # nothing lost, nothing doubled, no entity cut in two


def test_split_honours_a_small_limit() -> None:
    blocks = [fmt.Block("x" * 30, "<b>", "</b>"), fmt.Block("y" * 30), fmt.Block("z & " * 20, "<i>", "</i>")]
    messages = fmt.split(blocks, limit=40)
    assert all(fmt.units(m) <= 40 for m in messages)
    assert messages[0] == "<b>" + "x" * 30 + "</b>"
    assert [check_html(m)[0] for m in messages][-1] == {"i"}


def test_feedback_callback_data_round_trips_within_64_bytes() -> None:
    data = fmt.feedback_data("f" * 32, helpful=False)
    assert data == "fb:0:" + "f" * 32 and len(data.encode()) <= 64
    assert fmt.parse_feedback(data) == ("f" * 32, False)
    assert fmt.parse_feedback(fmt.feedback_data("abc", True)) == ("abc", True)
    assert fmt.feedback_data("x" * 64, True) is None
    assert fmt.parse_feedback("fb:2:abc") is None and fmt.parse_feedback("other") is None
    assert fmt.parse_feedback(None) is None and fmt.parse_feedback("fb:1:") is None


def test_a_source_line_moves_with_its_quote_rather_than_start_a_message_alone() -> None:
    blocks = [fmt.Block("a" * 50), fmt.Block("q" * 40, "<blockquote expandable>", "</blockquote>"),
              fmt.Block("Policy › 1", "<i>", "</i>", before="\n")]
    first, second = fmt.split(blocks, limit=100)
    assert first == "a" * 50
    assert second == "<blockquote expandable>" + "q" * 40 + "</blockquote>\n<i>Policy › 1</i>"


def test_callback_answers_fit_telegrams_200_characters() -> None:
    assert fmt.callback_answer("Thanks — glad it helped.") == "Thanks — glad it helped."
    assert fmt.callback_answer(REFUSED) == REFUSED
    long = REFUSED + " " + HELP
    cut = fmt.callback_answer(long)
    assert len(cut) <= 200 and cut.endswith("…") and long.startswith(cut[:-1]) and cut[-2] != " "
    assert len(fmt.callback_answer("x" * 500)) == 200


def test_a_contacts_telegram_username_is_shown_for_telegram_to_link() -> None:
    named = Contact("Designated Safeguarding Lead", "Martyn Nash", "dsl@stonebay.example",
                    handles=(("slack", "U0DSL"), ("telegram", "@martyn_nash")))
    assert fmt.contact_text(named) == "Martyn Nash (Designated Safeguarding Lead), dsl@stonebay.example, @martyn_nash"
    for odd in ("12345678", "<b>x</b>", "ab"):
        assert fmt.contact_text(Contact("DSL", "M", handles=(("telegram", odd),))) == "M (DSL)"
