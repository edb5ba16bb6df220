"""Adaptive Card rendering: known answers, Markdown neutralised, the size limit kept."""

from __future__ import annotations

import json
import re

from bot.adapters.teams_cards import (
    MAX_CARD_BYTES, answer_card, card_bytes, card_json, escape_md, feedback_data, parse_feedback,
)
from bot.core.models import Answer, Contact, Passage

DSL = Contact("Designated Safeguarding Lead", "Martyn Nash", "dsl@stonebay.example",
              handles=(("slack", "U0DSL"), ("teams", "29:dsl-id")))
HEAD = Contact("Headteacher", None, None)
PASSAGE = Passage(text="Staff must not accept friend requests from pupils or ex-pupils.", org="stone-bay-school",
                  document="Social Media Policy", section="4. Staff use › 4.2 Contact", source="sm.txt", score=0.9)
SLT = Passage(text="Yes, ask the DSL first.", org="stone-bay-school", document="SLT answers", section="",
              source="slt.yaml", score=0.8, approved="SLT answer, approved by J. Hatwell on 2026-11-01")
ANSWER = Answer(question="can I friend an ex-pupil?", org="stone-bay-school", answered=True,
                passages=(PASSAGE, SLT), contacts=(DSL, HEAD), warnings=("'Social Media Policy' is overdue.",),
                message="Here is what Stone Bay School's policies say.", urgent="Tell the DSL today.",
                log_id="abc123")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_escaping_known_answers() -> None:
    assert escape_md("*bold* _it_ [x](http://evil) <script>") == \
        r"\*bold\* \_it\_ \[x\](http://evil) \<script\>"
    assert escape_md("a & b # c | d ~ e ` f ! g \\ h") == r"a & b # c | d \~ e \` f ! g \\ h"
    assert escape_md("&amp; &#60; # heading\n  ## sub") == "\\&amp; \\&#60; # heading\n  \\## sub"
    # ordinary punctuation gets no backslash: a renderer that shows escapes as typed shows none here
    assert escape_md("Martyn Nash (Designated Safeguarding Lead), Health & Safety | KS2!") == \
        "Martyn Nash (Designated Safeguarding Lead), Health & Safety | KS2!"
    assert escape_md("- one\n+ two\n1. three\n  2) four\n===") == "\\- one\n\\+ two\n1\\. three\n  2\\) four\n\\==="
    assert escape_md("Plain words, 4.2 and e-mail stay as they are.") == \
        "Plain words, 4.2 and e-mail stay as they are."
    hostile = "<b>bold</b> & <@U999> <!channel> **x** [a](javascript:x) &lt; # h"
    assert unescape(escape_md(hostile)) == hostile


def test_the_card_for_a_known_answer() -> None:
    card = card_json(answer_card(ANSWER, fallback="the plain text"))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["fallbackText"] == "the plain text"
    urgent, asked, message, quote, slt, who, dsl, head, mention, warning, ask_feedback = card["body"]
    assert urgent == {"type": "Container", "style": "attention", "items": [
        {"type": "TextBlock", "text": "Tell the DSL today.", "weight": "Bolder", "color": "Attention", "wrap": True}]}
    assert asked == {"type": "TextBlock", "text": "You asked: can I friend an ex-pupil?", "size": "Small",
                     "isSubtle": True, "wrap": True}
    assert message["text"] == "Here is what Stone Bay School's policies say." and message["wrap"] is True
    assert quote["type"] == "Container" and quote["style"] == "emphasis"
    text, source = quote["items"]
    assert text == {"type": "TextBlock", "text": f"“{PASSAGE.text}”", "wrap": True}
    assert source["isSubtle"] is True and source["text"] == "Social Media Policy › 4. Staff use › 4.2 Contact"
    assert [i["text"] for i in slt["items"]] == ["“Yes, ask the DSL first.”", "SLT answers",
                                                 "SLT answer, approved by J. Hatwell on 2026-11-01"]
    assert slt["items"][2]["color"] == "Good" and slt["items"][2]["isSubtle"] is True
    assert who["text"] == "Who to contact"
    assert dsl == {"type": "TextBlock", "spacing": "Small", "wrap": True, "text":
                   "Martyn Nash (Designated Safeguarding Lead): [dsl@stonebay.example](mailto:dsl@stonebay.example)"}
    assert head["text"] == "The Headteacher"  # nobody named, no way known: who, and nothing beside it
    assert mention["text"] == "In Teams: <at>Martyn Nash</at>"
    assert card["msteams"] == {"width": "full", "entities": [
        {"type": "mention", "text": "<at>Martyn Nash</at>", "mentioned": {"id": "29:dsl-id", "name": "Martyn Nash"}}]}
    assert warning["text"] == "⚠ 'Social Media Policy' is overdue." and warning["color"] == "Warning"
    assert ask_feedback["text"] == "Was this helpful?"
    assert card["actions"] == [
        {"type": "Action.Execute", "title": "👍 Helpful", "style": "positive", "verb": "feedback",
         "data": {"log_id": "abc123", "helpful": True}},
        {"type": "Action.Execute", "title": "👎 Not helpful", "verb": "feedback",
         "data": {"log_id": "abc123", "helpful": False}}]


def test_an_answer_without_a_log_entry_has_no_buttons_and_no_urgent_box() -> None:
    quiet = Answer(question="q", org="o", answered=False, message="Sorry, nothing found.")
    card = card_json(answer_card(quiet))
    assert "actions" not in card and "fallbackText" not in card
    assert [b["text"] for b in card["body"]] == ["You asked: q", "Sorry, nothing found."]


def test_huge_quotes_are_shortened_to_fit_teams_and_say_so() -> None:
    long = Passage(text="Staff must <report> *this* " * 400, org="o", document="D", section="S", source="s",
                   score=1.0)
    big = Answer(question="q", org="o", answered=True, passages=(long,) * 10, message="m", log_id="x")
    card = answer_card(big, fallback="f" * 50_000)
    assert card_bytes(card) <= MAX_CARD_BYTES
    data = card_json(card)
    notes = [i["text"] for c in data["body"] if c["type"] == "Container" for i in c["items"]]
    assert any("quote shortened" in n for n in notes) and data["actions"]
    assert len(json.dumps({"type": "message", "attachments": [data]}).encode()) < 28_000


def test_feedback_data_round_trips_and_anything_else_is_ignored() -> None:
    assert parse_feedback(feedback_data("abc", False)) == ("abc", False)
    for junk in (None, "abc", {"log_id": "abc"}, {"log_id": "", "helpful": True}, {"log_id": 1, "helpful": True},
                 {"log_id": "abc", "helpful": "yes"}):
        assert parse_feedback(junk) is None


def test_contacts_show_every_way_to_reach_them_as_links() -> None:
    jo = Contact("SENCo", "Jo O'Neil-Smith", email="jo_s@oak.example", phone="+44 (0)1234 567890 ext 12")
    card = card_json(answer_card(Answer(question="q", org="o", answered=True, contacts=(jo, HEAD), message="m")))
    texts = [b["text"] for b in card["body"]]
    assert texts[-2:] == ["Jo O'Neil-Smith (SENCo): [jo\\_s@oak.example](mailto:jo_s@oak.example) · "
                          "[+44 (0)1234 567890 ext 12](tel:+441234567890;ext=12)", "The Headteacher"]
    assert "—" not in json.dumps(card, ensure_ascii=False)


def test_fallback_text_is_plain_and_headings_carry_no_markdown() -> None:
    passage = Passage(text="Staff **must not** share passwords.", org="o", document="*Online* Safety Policy",
                      section="3. Conduct › When using social media, staff **must not**", source="s.md", score=1.0)
    answer = Answer(question="q", org="o", answered=True, passages=(passage,), contacts=(DSL,), message="m")
    fallback = "Who to contact: Martyn Nash (Designated Safeguarding Lead), dsl@stonebay.example [1] *x*"
    card = card_json(answer_card(answer, fallback=fallback))
    assert card["fallbackText"] == fallback  # plain text: no backslash anywhere
    quote, source = card["body"][2]["items"]
    assert source["text"] == "Online Safety Policy › 3. Conduct › When using social media, staff must not"
    assert quote["text"] == r"“Staff \*\*must not\*\* share passwords.”"  # the quote itself stays verbatim
