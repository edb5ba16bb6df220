"""Slack text in and out, as pure functions over plain data: a Reply as Block Kit (answers, induction
steps) or escaped plain text (everything else), the App Home view, and a message's mrkdwn back into the
plain words the person typed.

Everything that does not come from this module — policy text, titles, contacts, the question — goes
through `safe()` before it reaches Slack:
- `&`, `<`, `>` are escaped, so `<!channel>`, `<@U999>` or `<script>` in a policy show literally and
  notify nobody;
- the formatting characters `* _ ~ \\`` are fenced with a zero-width space on both sides, so a policy's
  `*bold*` shows as typed. Slack starts bold only at a `*` that follows a space/punctuation (or the line
  start) and precedes a non-space: whether Slack counts the zero-width space as a space or as a letter,
  one side of the fence breaks the pattern. The quote stays a mrkdwn `>` quote, copy-pastes as the
  same visible characters, and screen readers skip the fences;
- a line that would start with `&gt;` (Slack renders it as a quote) gets a zero-width space first;
- mrkdwn text objects carry `verbatim: true`, so Slack does not auto-link names, channels or URLs.
Mentions (`<@U…>`) are built only from Contact.handles — the org file — and only for ids shaped like a
Slack user id; nothing typed by a user or written in a policy can become one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.adapters import plain_text
from bot.core.chat import Reply, step_text
from bot.core.compose import links, who
from bot.core.induction import InductionStep
from bot.core.models import Answer, Contact, Passage

Block = dict[str, Any]

ZWSP = "\u200b"
SECTION_LIMIT = 3000  # characters in one section's text (Slack rejects more)
CONTEXT_ELEMENTS = 10  # elements in one context block
MAX_BLOCKS = 50  # blocks in one message
TEXT_LIMIT = 3900  # the top-level `text`: Slack truncates long messages; fallback only for answers
ACTION_HELPFUL = "policybot_feedback_helpful"
ACTION_NOT_HELPFUL = "policybot_feedback_not_helpful"
ACTION_INDUCTION = "induction_"  # + the step button's action: "induction_next", "induction_ack", …
BUTTON_LABEL_LIMIT = 75  # characters in a button's label
CUT_NOTE = "Part of this answer didn't fit in one Slack message; ask a narrower question to see the rest."

_FORMATTING = re.compile(r"[*_~`]")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_TOKEN = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class SlackMessage:
    text: str  # always set: notifications, screen readers, clients without Block Kit
    blocks: tuple[Block, ...] = ()


def escape(text: str) -> str:
    """Slack's three control characters as entities (the only escaping Slack understands)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: str) -> str:
    """*text* shown literally in a mrkdwn field: escaped, formatting fenced (see the module docstring)."""
    fenced = _FORMATTING.sub(lambda m: f"{ZWSP}{m.group()}{ZWSP}", escape(text))
    return "\n".join(ZWSP + line if line.startswith("&gt;") else line for line in fenced.split("\n"))


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def render(reply: Reply) -> SlackMessage:
    """A Reply as one Slack message: Block Kit for answers and induction steps (an answer to a question
    asked during induction is followed by the step), escaped plain text for the rest."""
    # The fallback is what a notification previews: for an answer, the answer (and any urgent notice)
    # comes before the notice and the welcome; the blocks show them above the answer.
    step = step_text(reply.step) if reply.step is not None and reply.kind == "answer" else ""
    parts = (reply.text, reply.notice, reply.welcome, step) if reply.answer is not None else \
        (reply.notice, reply.welcome, reply.text)
    plain = "\n\n".join(part for part in parts if part)
    text = safe(_cut(plain, TEXT_LIMIT))
    if reply.kind == "induction" and reply.step is not None:
        lead = reply.text.removesuffix(step_text(reply.step)).strip() \
            if reply.text.endswith(step_text(reply.step)) else ""
        head = [_notice(reply.notice)] if reply.notice else []
        head += [*(_sections(safe(reply.welcome)) if reply.welcome else []), *(_sections(safe(lead)) if lead else [])]
        return SlackMessage(text=text, blocks=tuple(head + step_blocks(reply.step)))
    if reply.kind != "answer" or reply.answer is None:
        return SlackMessage(text=text)
    after = [{"type": "divider"}, *step_blocks(reply.step)] if reply.step is not None else []
    return SlackMessage(text=text, blocks=tuple(
        answer_blocks(reply.answer, reply.welcome, reply.notice, reserve=len(after)) + after))


def answer_blocks(answer: Answer, welcome: str = "", notice: str = "", reserve: int = 0) -> list[Block]:
    """The answer's blocks, in reading order, within Slack's limits (less *reserve* blocks for what
    follows): a live safeguarding concern first (even before a notice or a welcome), then the notice,
    the welcome, the lead-in and the passages; passages are cut from the end (with a note) before
    anything else, so contacts, warnings and buttons always show."""
    head: list[Block] = []
    if answer.urgent:
        head += _sections("\n".join(f"⚠️ *{line.strip()}*" if line.strip() else "" for line in
                                    safe(answer.urgent).split("\n")))
    if notice:
        head.append(_notice(notice))
    if welcome:
        head += _sections(safe(welcome))
    if answer.message:
        head += _sections(safe(answer.message))
    tail = [*_contact_blocks(answer.contacts), *_warning_blocks(answer.warnings), *_feedback_blocks(answer)]
    budget = MAX_BLOCKS - reserve - len(head) - len(tail)
    return head + _fit([passage_blocks(p) for p in answer.passages], budget) + tail


def step_blocks(step: InductionStep) -> list[Block]:
    """An induction step: the title in bold and what to do, the key point quoted and its source exactly
    as an answer's passage, who to contact, and one button per step button."""
    blocks = _sections(f"*{safe(plain_text.heading(step.title))}*\n{safe(step.text)}")
    if step.passage is not None:
        blocks += passage_blocks(step.passage)
    if step.contact is not None:
        blocks += _contact_blocks((step.contact,))
    if step.buttons:
        blocks.append({"type": "actions", "block_id": "policybot_induction", "elements": [
            {"type": "button", "action_id": ACTION_INDUCTION + b.action, "value": b.action,
             "text": {"type": "plain_text", "text": _cut(b.label, BUTTON_LABEL_LIMIT), "emoji": True},
             **({"style": "primary"} if b.action in ("next", "ack") else {})} for b in step.buttons]})
    return blocks


def _fit(groups: list[list[Block]], budget: int) -> list[Block]:
    """Whole passages while they fit in *budget* blocks; if some do not, as many as fit with room for
    a note saying so (the first passage cut short only if even it alone is too long)."""
    if sum(len(g) for g in groups) <= budget:
        return [b for g in groups for b in g]
    body: list[Block] = []
    for group in groups:
        if len(body) + len(group) > budget - 1:
            body = body or group[:budget - 1]
            break
        body += group
    return body + [_context([CUT_NOTE])]


def passage_blocks(passage: Passage) -> list[Block]:
    """The verbatim quote as `>` lines (split over sections when long), then where it comes from."""
    lines = ["> " + line if line.strip() else ">" for line in safe(passage.text).split("\n")]
    where = f"📄 {safe(plain_text.source(passage))}"
    if passage.approved:
        where += f"  ·  ✅ {safe(passage.approved)}"
    return [*_quote_sections(lines), _context([where])]


def contact_text(contact: Contact) -> str:
    """A mention when the org file gives this person's Slack id, else their name and role; then their
    e-mail as a mailto: link and their phone number, when known (nothing more when neither is)."""
    slack_id = next((uid for platform, uid in contact.handles if platform == "slack"), "")
    person = f"<@{slack_id}> ({safe(contact.role)})" if _SLACK_USER_ID.fullmatch(slack_id) else safe(who(contact))
    # Slack links only web and mailto: addresses; a tel: link is not made clickable, so a number stays words.
    ways = [f"<{uri}|{safe(shown)}>" if uri.startswith("mailto:") else safe(shown) for shown, uri in links(contact)]
    return ", ".join([person, *ways])


def home_view(help_text: str) -> Block:
    """The App Home tab: what policybot does and the three ways to ask."""
    ways = ("Ask me in a direct message, mention me in a channel (I answer in the thread), or type "
            "`/policy` and your question (only you see the answer).")
    return {"type": "home", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "policybot"}},
        *_sections(safe(help_text)),
        _context([ways]),
    ]}


def incoming_text(raw: str, bot_user_id: str | None = None) -> str:
    """A Slack message's text as the words typed: the bot's own mention removed, other mentions and
    links reduced to their label, entities decoded, whitespace collapsed."""
    def label(match: re.Match[str]) -> str:
        target, _, shown = match.group(1).partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return " "
        if shown:
            return {"#": "#", "@": "@"}.get(target[:1], "") + shown
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target
    text = _TOKEN.sub(label, raw).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _contact_blocks(contacts: tuple[Contact, ...]) -> list[Block]:
    if not contacts:
        return []
    return [_context(["*Who to contact:*", *(contact_text(c) for c in contacts)])]


def _notice(notice: str) -> Block:
    return {"type": "section", "text": mrkdwn(_cut("ℹ️ " + safe(notice), SECTION_LIMIT))}


def _warning_blocks(warnings: tuple[str, ...]) -> list[Block]:
    return [_context([f"⚠️ {safe(w)}" for w in warnings])] if warnings else []


def _feedback_blocks(answer: Answer) -> list[Block]:
    if not answer.log_id:
        return []
    buttons = [(ACTION_HELPFUL, "👍 Helpful"), (ACTION_NOT_HELPFUL, "👎 Not helpful")]
    return [{"type": "actions", "block_id": "policybot_feedback", "elements": [
        {"type": "button", "action_id": action, "value": answer.log_id,
         "text": {"type": "plain_text", "text": label, "emoji": True}} for action, label in buttons]}]


def _context(texts: list[str]) -> Block:
    return {"type": "context", "elements": [mrkdwn(_cut(t, SECTION_LIMIT)) for t in texts[:CONTEXT_ELEMENTS]]}


def _sections(text: str) -> list[Block]:
    return [{"type": "section", "text": mrkdwn(chunk)} for chunk in _chunks(text, SECTION_LIMIT)]


def _quote_sections(lines: list[str]) -> list[Block]:
    """Quote lines packed into sections of at most SECTION_LIMIT characters; an over-long line is
    split at spaces and every piece keeps its `> `."""
    pieces = [piece if n == 0 else "> " + piece
              for line in lines for n, piece in enumerate(_chunks(line, SECTION_LIMIT - 2))]
    sections: list[str] = []
    for piece in pieces:
        if sections and len(sections[-1]) + 1 + len(piece) <= SECTION_LIMIT:
            sections[-1] += "\n" + piece
        else:
            sections.append(piece)
    return [{"type": "section", "text": mrkdwn(s)} for s in sections]


def _chunks(text: str, limit: int) -> list[str]:
    """*text* in pieces of at most *limit* characters, split at a line break or space where possible,
    never inside an entity or a formatting fence."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut <= 0:
            cut = _safe_cut(text, limit) or limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip(" \n")
    return [*pieces, text]


def _safe_cut(text: str, limit: int) -> int:
    cut = limit
    amp = text.rfind("&", 0, cut)
    if amp >= 0 and ";" not in text[amp:cut]:
        cut = amp
    while cut > 1 and (text[cut - 1] == ZWSP or _FORMATTING.match(text[cut - 1])):
        cut -= 1
    return cut


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:_safe_cut(text, limit - 1)] + "…"
