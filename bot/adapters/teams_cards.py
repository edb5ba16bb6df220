"""Answers and induction steps as Adaptive Cards 1.5 for Microsoft Teams: pure functions, card out.

Why a card and not Teams' native AI citations: a citation's abstract is cut at 160 characters, and the
point of policybot is the verbatim clause; citations also carry no place for the contact, the urgent
safeguarding line or feedback tied to our log entry. A card shows the whole quote (TextBlock, wrapped),
its source, who to contact and two Action.Execute buttons carrying {"log_id", "helpful"}.

An induction step (`step_card`) is its title, text, the key point quoted exactly as an answer's quotes
are, the contact, and one Action.Submit per step button carrying {"induction": action}; Teams posts that
back as a message activity whose value `parse_induction` reads.

TextBlocks and facts render a subset of Markdown, so every string from a policy, an org file or the
asker is escaped with `escape_md` before it goes in: `*bold*`, `[x](url)` and `<script>` show literally.
Only what that subset could take as markup is escaped: a renderer that shows a backslash escape as typed
then shows few of them, and never in ordinary punctuation ("Martyn Nash (DSL)"). The fallback text is
plain text (notifications, clients without cards): nothing in it is escaped. A source line is a label, not
a quote: its headings are shown without their Markdown (`plain_text.source`).

Contacts: each person on a line of their own, with their e-mail (mailto:) and phone (tel:) as links when
the org file or the policy gives them, and an @mention when the org file gives their Teams id; when no way
to reach them is known, just who they are.
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
    Mention,
    MentionedEntity,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
)

from bot.adapters import plain_text
from bot.core.compose import links, who
from bot.core.induction import InductionStep
from bot.core.models import Answer, Contact, Passage

# Teams refuses a message over ~28 KB; the card is most of it, the activity envelope and summary the rest.
MAX_CARD_BYTES = 24_000
QUOTE_LIMITS = (None, 4000, 2000, 1000, 500, 250)  # tried in turn until the card fits
QUESTION_CHARS = 300
FALLBACK_CHARS = 2000
FEEDBACK_VERB = "feedback"
INDUCTION_KEY = "induction"  # the key of an induction button's data
STEP_KEY = "step"  # and the step it was shown on (bot.core.induction.step_token)
MAX_ACTION_CHARS = 32

# What Markdown (CommonMark, and the Teams/Adaptive Card subset) may take as markup: emphasis, code,
# links, HTML, an entity, a heading. Parentheses need no escape once brackets have one, "|" makes no table
# in a single line, "!" no image without "[".
_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>])|(&(?=#?\w+;))|(?m:^(\s*)(#))")
_LIST_MARKER = re.compile(r"(?m)^(\s*)([-+=])")  # bullets, setext underlines / thematic breaks
_ORDERED_MARKER = re.compile(r"(?m)^(\s*\d+)([.)])")  # "1." or "1)" would start a numbered list
_SAFE_NAME = re.compile(r"^[^<>\\*_\[\]`]+$")  # names we can put inside an <at> mention unescaped


def escape_md(text: str) -> str:
    """*text* shown literally by a Markdown-rendering TextBlock: special characters backslash-escaped."""
    text = _MD_SPECIAL.sub(_escaped, text)
    text = _LIST_MARKER.sub(r"\1\\\2", text)
    return _ORDERED_MARKER.sub(r"\1\\\2", text)


def _escaped(m: re.Match[str]) -> str:
    return (m.group(3) or "") + "\\" + (m.group(1) or m.group(2) or m.group(4))


def card_bytes(card: AdaptiveCard) -> int:
    return len(card.model_dump_json(exclude_none=True).encode("utf-8"))


def answer_card(answer: Answer, fallback: str = "", max_bytes: int = MAX_CARD_BYTES, *,
                notice: str = "") -> AdaptiveCard:
    """The card for *answer* (after *notice*, if any); quotes are shortened (and say so) only when the
    whole would not fit."""
    card = _card(answer, fallback, None, notice)
    for limit in QUOTE_LIMITS[1:]:
        if card_bytes(card) <= max_bytes:
            break
        card = _card(answer, fallback, limit, notice)
    while card_bytes(card) > max_bytes and len(answer.passages) > 1:
        answer = replace(answer, passages=answer.passages[:-1])  # last resort: fewer quotes
        card = _card(answer, fallback, QUOTE_LIMITS[-1], notice)
    return card


def step_card(step: InductionStep, fallback: str = "", max_bytes: int = MAX_CARD_BYTES, *, lead: str = "",
              notice: str = "") -> AdaptiveCard:
    """The card for one induction step: *notice*, then *lead* (e.g. "session started"), the step, its
    buttons. The quote is shortened only when the whole would not fit, as in answers."""
    card = _step(step, fallback, lead, notice, None)
    for limit in QUOTE_LIMITS[1:]:
        if card_bytes(card) <= max_bytes:
            break
        card = _step(step, fallback, lead, notice, limit)
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


def induction_data(action: str, token: str = "") -> dict[str, Any]:
    """What an induction button sends back: the action name ("next", "ack", ...) and the step it is on."""
    return {INDUCTION_KEY: action, STEP_KEY: token} if token else {INDUCTION_KEY: action}


def is_induction(data: object) -> bool:
    """Whether *data* came from an induction button (valid or not)."""
    return isinstance(data, dict) and INDUCTION_KEY in data


def parse_induction(data: object) -> str | None:
    """The action of an induction button's data, or None if it is not a well-formed one."""
    if not isinstance(data, dict):
        return None
    action = data.get(INDUCTION_KEY)
    if not isinstance(action, str) or not action or len(action) > MAX_ACTION_CHARS:
        return None
    return action


def _step(step: InductionStep, fallback: str, lead: str, notice: str, quote_limit: int | None) -> AdaptiveCard:
    body = _notice(notice)
    if lead:
        body.append(TextBlock(text=escape_md(lead), wrap=True, is_subtle=True))
    body.append(TextBlock(text=escape_md(plain_text.heading(step.title)), wrap=True, weight="Bolder",
                          size="Medium"))
    if step.text:
        body.append(TextBlock(text=escape_md(step.text), wrap=True))
    if step.passage is not None:
        body.append(_quote(step.passage, quote_limit))
    contacts = (step.contact,) if step.contact is not None else ()
    body.extend(_contacts(contacts))
    # Action titles are plain text in Teams (no Markdown), so labels go in as they are.
    actions: list[Action] = [SubmitAction(title=b.label, data=induction_data(b.action, step.token))
                             for b in step.buttons]
    mentions = _mentions(contacts)
    return AdaptiveCard(version="1.5", body=body, actions=actions or None,
                        fallback_text=_cut(fallback, FALLBACK_CHARS) if fallback else None,
                        msteams=TeamsCardProperties(width="full", entities=mentions or None))


def _notice(notice: str) -> list[CardElement]:
    """A notice shown before everything else (e.g. a policy they acknowledged has changed)."""
    if not notice:
        return []
    return [TextBlock(text=escape_md(notice), wrap=True, weight="Bolder", color="Warning")]


def _card(answer: Answer, fallback: str, quote_limit: int | None, notice: str = "") -> AdaptiveCard:
    body = _notice(notice)
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
                        fallback_text=_cut(fallback, FALLBACK_CHARS) if fallback else None,
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
    items.append(TextBlock(text=escape_md(plain_text.source(passage)), wrap=True, is_subtle=True, size="Small"))
    if passage.approved:
        items.append(TextBlock(text=escape_md(passage.approved), wrap=True, is_subtle=True, size="Small",
                               color="Good"))
    return Container(style="emphasis", separator=True, spacing="Medium", items=items)


def _contacts(contacts: tuple[Contact, ...]) -> list[CardElement]:
    if not contacts:
        return []
    elements: list[CardElement] = [TextBlock(text="Who to contact", weight="Bolder", separator=True)]
    elements.extend(TextBlock(text=contact_markdown(c), wrap=True, spacing="Small") for c in contacts)
    named = [c for c in contacts if _teams_id(c) and c.name and _SAFE_NAME.match(c.name)]
    if named:
        elements.append(TextBlock(text="In Teams: " + ", ".join(f"<at>{c.name}</at>" for c in named),
                                  wrap=True, size="Small"))
    return elements


def contact_markdown(contact: Contact) -> str:
    """'Martyn Nash (Designated Safeguarding Lead): [dsl@x.example](mailto:…) · [01234 567890](tel:…)';
    who they are alone when no way to reach them is known."""
    # A link's text is inline (no list or heading can start there): only inline markup is escaped.
    ways = [f"[{_MD_SPECIAL.sub(_escaped, shown)}]({uri})" if uri else escape_md(shown) for shown, uri in links(contact)]
    name = escape_md(who(contact))
    name = name[0].upper() + name[1:]
    return name + (": " + " · ".join(ways) if ways else "")


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
