"""Block Kit rendering and text parsing: pure functions, known answers."""

from __future__ import annotations

import pytest

from bot.adapters.slack_blocks import (ACTION_HELPFUL, ACTION_NOT_HELPFUL, CUT_NOTE, MAX_BLOCKS, SECTION_LIMIT,
                                       TEXT_LIMIT, ZWSP, contact_text, escape, home_view, incoming_text, render, safe)
from bot.core.chat import Reply
from bot.core.models import Answer, Contact, Passage

Z = ZWSP
DSL = Contact(role="Designated Safeguarding Lead", name="Martyn Nash", how="dsl@stonebay.example",
              handles=(("teams", "29:x"), ("slack", "U0DSL")))
HEAD = Contact(role="Headteacher", name="Jane Hatwell")


def passage(text: str, document: str = "Social Media Policy", section: str = "4. Staff use",
            approved: str = "") -> Passage:
    return Passage(text=text, org="stone-bay-school", document=document, section=section, source="sm.txt", score=0.9,
                   approved=approved)


def answer(**more: object) -> Answer:
    values: dict[str, object] = {"question": "q", "org": "stone-bay-school", "answered": True,
                                 "message": "Here is what Stone Bay School's policies say.", "log_id": "a" * 32}
    return Answer(**{**values, **more})  # type: ignore[arg-type]


def md(text: str) -> dict[str, object]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def texts(blocks: object) -> list[str]:
    """Every `text` string in a block tree."""
    if isinstance(blocks, dict):
        return [v for k, v in blocks.items() if k == "text" and isinstance(v, str)] + \
            [t for v in blocks.values() for t in texts(v)]
    if isinstance(blocks, (list, tuple)):
        return [t for v in blocks for t in texts(v)]
    return []


def test_escape_and_safe_show_markup_literally() -> None:
    assert escape("a < b > c & d") == "a &lt; b &gt; c &amp; d"
    assert safe("<!channel> *bold* & <@U999>") == f"&lt;!channel&gt; {Z}*{Z}bold{Z}*{Z} &amp; &lt;@U999&gt;"
    assert safe("_it_ ~s~ `c`") == f"{Z}_{Z}it{Z}_{Z} {Z}~{Z}s{Z}~{Z} {Z}`{Z}c{Z}`{Z}"
    assert safe("> not a quote\nline") == f"{Z}&gt; not a quote\nline"


def test_a_known_answer_renders_to_known_blocks() -> None:
    reply = Reply("answer", "plain *fallback* <b>", answer=answer(
        passages=(passage("Staff must *not* add learners.\nReport it to the DSL."),
                  passage("Ask the SLT first.", document="SLT answers", section="",
                          approved="SLT answer, approved by Jane Hatwell on 2026-11-01")),
        contacts=(DSL, HEAD), warnings=("'Social Media Policy' was due for review by October 2024.",)))
    message = render(reply)
    assert message.text == f"plain {Z}*{Z}fallback{Z}*{Z} &lt;b&gt;"
    assert list(message.blocks) == [
        {"type": "section", "text": md("Here is what Stone Bay School's policies say.")},
        {"type": "section", "text": md(f"> Staff must {Z}*{Z}not{Z}*{Z} add learners.\n> Report it to the DSL.")},
        {"type": "context", "elements": [md("📄 Social Media Policy › 4. Staff use")]},
        {"type": "section", "text": md("> Ask the SLT first.")},
        {"type": "context", "elements": [md("📄 SLT answers  ·  ✅ SLT answer, approved by Jane Hatwell on 2026-11-01")]},
        {"type": "context", "elements": [md("*Who to contact:*"),
                                         md("<@U0DSL> (Designated Safeguarding Lead), <mailto:dsl@stonebay.example|dsl@stonebay.example>"),
                                         md("Jane Hatwell (Headteacher)")]},
        {"type": "context", "elements": [md("⚠️ 'Social Media Policy' was due for review by October 2024.")]},
        {"type": "actions", "block_id": "policybot_feedback", "elements": [
            {"type": "button", "action_id": ACTION_HELPFUL, "value": "a" * 32,
             "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True}},
            {"type": "button", "action_id": ACTION_NOT_HELPFUL, "value": "a" * 32,
             "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True}}]},
    ]


def test_urgent_comes_first_then_the_welcome() -> None:
    reply = Reply("answer", "URGENT\nanswer", welcome="Welcome to policybot.",
                  answer=answer(urgent="Speak to the DSL today.", log_id=None))
    blocks = render(reply).blocks
    assert [b["text"]["text"] for b in blocks[:3]] == ["⚠️ *Speak to the DSL today.*", "Welcome to policybot.",
                                                      "Here is what Stone Bay School's policies say."]
    assert not any(b["type"] == "actions" for b in blocks)  # nothing logged: no buttons
    assert render(reply).text == "URGENT\nanswer\n\nWelcome to policybot."
    assert render(Reply("answer", "answer", welcome="Welcome.", answer=answer())).text == "answer\n\nWelcome."
    assert render(Reply("joined", "You're in.", welcome="Welcome.")).text == "Welcome.\n\nYou're in."


@pytest.mark.parametrize("kind", ["help", "refused", "error", "rate_limited", "feedback"])
def test_other_replies_are_escaped_plain_text(kind: str) -> None:
    message = render(Reply(kind, "Too long: <b>&</b> *x*", welcome="Hi <there>"))  # type: ignore[arg-type]
    assert message.blocks == ()
    assert message.text == f"Hi &lt;there&gt;\n\nToo long: &lt;b&gt;&amp;&lt;/b&gt; {Z}*{Z}x{Z}*{Z}"


def test_a_long_fallback_is_cut_short_before_escaping() -> None:
    text = render(Reply("error", "a" * 5000)).text
    assert len(text) == TEXT_LIMIT and text.endswith("…")


def test_mentions_only_from_well_formed_org_file_ids() -> None:
    assert contact_text(DSL) == "<@U0DSL> (Designated Safeguarding Lead), <mailto:dsl@stonebay.example|dsl@stonebay.example>"
    forged = Contact(role="DSL", name="Eve <@U999>", handles=(("slack", "U1> <!channel"),))
    assert contact_text(forged) == "Eve &lt;@U999&gt; (DSL)"
    assert contact_text(Contact(role="Headteacher", name=None, how="01234 567890")) == "the Headteacher, 01234 567890"


def test_a_long_quote_is_split_into_sections_within_slacks_limit() -> None:
    text = " ".join(f"w{n}&*" for n in range(2500))  # ~17,000 characters once escaped and fenced
    blocks = render(Reply("answer", "x", answer=answer(passages=(passage(text),)))).blocks
    quotes = [b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(">")]
    assert len(quotes) > 4 and all(len(q) <= SECTION_LIMIT for q in quotes)
    assert all(line.startswith("> ") for q in quotes for line in q.split("\n"))
    shown = " ".join(line[2:] for q in quotes for line in q.split("\n"))
    assert shown == safe(text)  # nothing lost or broken (no entity or fence split)


def test_too_many_passages_are_cut_with_a_note_keeping_contacts_and_buttons() -> None:
    many = tuple(passage(f"Clause {n}.") for n in range(40))
    blocks = render(Reply("answer", "x", answer=answer(passages=many, contacts=(DSL,), warnings=("old",)))).blocks
    assert MAX_BLOCKS - 2 <= len(blocks) <= MAX_BLOCKS
    assert [b["type"] for b in blocks[-3:]] == ["context", "context", "actions"]
    assert blocks[-4]["elements"][0]["text"] == CUT_NOTE
    shown = blocks[1:-4]  # whole passages only: each quote with its source line
    assert [b["type"] for b in shown] == ["section", "context"] * (len(shown) // 2)
    huge = render(Reply("answer", "x", answer=answer(passages=(passage("word " * 40_000),)))).blocks
    assert len(huge) <= MAX_BLOCKS and huge[-2]["elements"][0]["text"] == CUT_NOTE


def test_contexts_keep_to_ten_elements_and_3000_characters() -> None:
    blocks = render(Reply("answer", "x", answer=answer(warnings=tuple("w" * 5000 for _ in range(12))))).blocks
    [warnings] = [b for b in blocks if b["type"] == "context"]
    assert len(warnings["elements"]) == 10 and all(len(e["text"]) <= SECTION_LIMIT for e in warnings["elements"])


def test_incoming_text_is_what_the_person_typed() -> None:
    raw = ("<@UBOT> can I &lt;b&gt;friend&lt;/b&gt; a pupil? &amp;lt; <!channel> <#C1|staff> <@U2> "
           "<https://x.example|site>")
    assert incoming_text(raw, "UBOT") == "can I <b>friend</b> a pupil? &lt; @channel #staff @U2 site"
    assert incoming_text("  <https://x.example>  ") == "https://x.example"


def test_home_view_carries_the_help_escaped() -> None:
    view = home_view("Ask me <anything> & *more*")
    assert view["type"] == "home"
    assert f"Ask me &lt;anything&gt; &amp; {Z}*{Z}more{Z}*{Z}" in texts(view)
