"""An answer as an Adaptive Card 1.5 for Microsoft Teams: pure functions, `Answer` in, card out.

Why a card and not Teams' native AI citations: a citation's abstract is cut at 160 characters, and the
point of policybot is the verbatim clause; citations also carry no place for the contact, the urgent
safeguarding line or feedback tied to our log entry. A card shows the whole quote (TextBlock, wrapped),
its source, a FactSet of contacts and two Action.Execute buttons carrying {"log_id", "helpful"}.

TextBlocks and facts render a subset of Markdown, so every string from a policy, an org file or the
asker is escaped with `escape_md` before it goes in: `*bold*`, `[x](url)` and `<script>` show literally.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    Mention,
    MentionedEntity,
    TeamsCardProperties,
    TextBlock,
)

from bot.core.models import Answer, Contact, Passage

# Teams refuses a message over ~28 KB; the card is most of it, the activity envelope and summary the rest.
MAX_CARD_BYTES = 24_000
QUOTE_LIMITS = (None, 4000, 2000, 1000, 500, 250)  # tried in turn until the card fits
QUESTION_CHARS = 300
FALLBACK_CHARS = 2000
FEEDBACK_VERB = "feedback"

# ASCII punctuation that Markdown (CommonMark, and the Teams/Adaptive Card subset) may interpret; a
# backslash before ASCII punctuation is always an escape, so over-escaping is harmless.
_MD_SPECIAL = re.compile(r"([\\`*_~\[\](){}<>#|!&])")
_LIST_MARKER = re.compile(r"(?m)^(\s*)([-+=])")  # bullets, setext underlines / thematic breaks
_ORDERED_MARKER = re.compile(r"(?m)^(\s*\d+)([.)])")  # "1." or "1)" would start a numbered list
_SAFE_NAME = re.compile(r"^[^<>\\*_\[\]`]+$")  # names we can put inside an <at> mention unescaped


def escape_md(text: str) -> str:
    """*text* shown literally by a Markdown-rendering TextBlock: special characters backslash-escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _LIST_MARKER.sub(r"\1\\\2", text)
    return _ORDERED_MARKER.sub(r"\1\\\2", text)


def card_bytes(card: AdaptiveCard) -> int:
    return len(card.model_dump_json(exclude_none=True).encode("utf-8"))


def answer_card(answer: Answer, fallback: str = "", max_bytes: int = MAX_CARD_BYTES) -> AdaptiveCard:
    """The card for *answer*; quotes are shortened (and say so) only when the whole would not fit."""
    card = _card(answer, fallback, None)
    for limit in QUOTE_LIMITS[1:]:
        if card_bytes(card) <= max_bytes:
            break
        card = _card(answer, fallback, limit)
    while card_bytes(card) > max_bytes and len(answer.passages) > 1:
        answer = replace(answer, passages=answer.passages[:-1])  # last resort: fewer quotes
        card = _card(answer, fallback, QUOTE_LIMITS[-1])
    return card


def feedback_data(log_id: str, helpful: bool) -> dict[str, Any]:
    """What a feedback button sends back (and all it sends: an id, never text)."""
    return {"log_id": log_id, "helpful": helpful}


def parse_feedback(data: object) -> tuple[str, bool] | None:
    """(log_id, helpful) from a button's data, or None if it is not one of our feedback buttons."""
    if not isinstance(data, dict):
        return None
    log_id, helpful = data.get("log_id"), data.get("helpful")
    if not isinstance(log_id, str) or not log_id or not isinstance(helpful, bool):
        return None
    return log_id, helpful


def _card(answer: Answer, fallback: str, quote_limit: int | None) -> AdaptiveCard:
    body: list[CardElement] = []
    if answer.urgent:
        body.append(Container(style="attention", items=[
            TextBlock(text=escape_md(answer.urgent), wrap=True, weight="Bolder", color="Attention")]))
    if answer.question:
        body.append(TextBlock(text="You asked: " + escape_md(_cut(answer.question, QUESTION_CHARS)),
                              wrap=True, is_subtle=True, size="Small"))
    if answer.message:
        body.append(TextBlock(text=escape_md(answer.message), wrap=True, weight="Bolder"))
    body.extend(_quote(p, quote_limit) for p in answer.passages)
    body.extend(_contacts(answer.contacts))
    body.extend(TextBlock(text="⚠ " + escape_md(w), wrap=True, color="Warning") for w in answer.warnings)
    actions: list[Action] = []
    if answer.log_id:
        body.append(TextBlock(text="Was this helpful?", is_subtle=True, size="Small", separator=True))
        actions = [ExecuteAction(title="👍 Helpful", verb=FEEDBACK_VERB, style="positive",
                                 data=feedback_data(answer.log_id, True)),
                   ExecuteAction(title="👎 Not helpful", verb=FEEDBACK_VERB,
                                 data=feedback_data(answer.log_id, False))]
    mentions = _mentions(answer.contacts)
    return AdaptiveCard(version="1.5", body=body, actions=actions or None,
                        fallback_text=escape_md(_cut(fallback, FALLBACK_CHARS)) if fallback else None,
                        msteams=TeamsCardProperties(width="full", entities=mentions or None))


def _quote(passage: Passage, limit: int | None) -> Container:
    text = passage.text
    shortened = limit is not None and len(text) > limit
    if shortened:
        text = _cut(text, limit or 0)
    items: list[CardElement] = [TextBlock(text=escape_md(f"“{text}”"), wrap=True)]
    if shortened:
        items.append(TextBlock(text="(quote shortened to fit Teams: see the document for the whole clause)",
                               wrap=True, is_subtle=True, size="Small"))
    where = passage.document + (f" › {passage.section}" if passage.section else "")
    items.append(TextBlock(text=escape_md(where), wrap=True, is_subtle=True, size="Small"))
    if passage.approved:
        items.append(TextBlock(text=escape_md(passage.approved), wrap=True, is_subtle=True, size="Small",
                               color="Good"))
    return Container(style="emphasis", separator=True, spacing="Medium", items=items)


def _contacts(contacts: tuple[Contact, ...]) -> list[CardElement]:
    if not contacts:
        return []
    facts = [Fact(title=escape_md(f"{c.name} ({c.role})" if c.name else f"The {c.role}"),
                  value=escape_md(c.how or "—")) for c in contacts]
    elements: list[CardElement] = [TextBlock(text="Who to contact", weight="Bolder", separator=True),
                                   FactSet(facts=facts)]
    named = [c for c in contacts if _teams_id(c) and c.name and _SAFE_NAME.match(c.name)]
    if named:
        elements.append(TextBlock(text="In Teams: " + ", ".join(f"<at>{c.name}</at>" for c in named),
                                  wrap=True, size="Small"))
    return elements


def _mentions(contacts: tuple[Contact, ...]) -> list[Mention]:
    """Mention entities for contacts with a Teams id: their names become clickable (profile, chat)."""
    return [Mention(text=f"<at>{c.name}</at>", mentioned=MentionedEntity(id=_teams_id(c), name=c.name))
            for c in contacts if _teams_id(c) and c.name and _SAFE_NAME.match(c.name)]


def _teams_id(contact: Contact) -> str:
    return next((handle for platform, handle in contact.handles if platform == "teams"), "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def card_json(card: AdaptiveCard) -> dict[str, Any]:
    """The card as Teams receives it (what tests and size checks look at)."""
    result: dict[str, Any] = json.loads(card.model_dump_json(exclude_none=True))
    return result
