"""Telegram HTML for a ChatService reply: pure functions over plain data, no SDK.

Every string that came from a document, an org file or a user is escaped with html.escape; the only
tags in a message are the ones written here (b, i, blockquote). An induction step is a message of its
own: title, what to do, the key point quoted with its source, who to contact (its buttons are the
adapter's, with callback data from `induction_data`). A reply longer than Telegram's 4096
characters is split between blocks, never inside a tag; a single block too long for one message (a very
long quote) is cut between words and each piece gets its own opening and closing tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bot.adapters import plain_text
from bot.core.chat import Reply, step_text
from bot.core.compose import describe
from bot.core.induction import InductionStep
from bot.core.models import Answer, Contact, Passage

MAX_UNITS = 4096  # Telegram's limit per message; measured here in UTF-16 code units over the HTML, which
# is never shorter than the text Telegram counts after parsing the entities, so the limit always holds.
FEEDBACK_PREFIX = "fb"
INDUCTION_PREFIX = "in"
MAX_CALLBACK_BYTES = 64
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")  # a Telegram @username (a numeric id is not shown)
MAX_CALLBACK_ANSWER = 200  # characters in the notification that answers a button press


@dataclass(frozen=True)
class Block:
    """One paragraph: our own tags around escaped text. *before* separates it from the previous block."""

    text: str  # raw, unescaped
    open: str = ""  # our markup only, e.g. "<b>"
    close: str = ""
    before: str = "\n\n"

    def html(self) -> str:
        return self.open + escape(self.text) + self.close


def escape(text: str) -> str:
    """Telegram HTML escaping: &, < and > (quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length as Telegram measures it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def render(reply: Reply, limit: int = MAX_UNITS) -> list[str]:
    """The reply as one or more Telegram HTML messages, each within *limit*."""
    return split(blocks(reply), limit)


def render_step(step: InductionStep, limit: int = MAX_UNITS) -> list[str]:
    """An induction step on its own (after an answer to a question asked during induction)."""
    return split(step_blocks(step), limit)


def blocks(reply: Reply) -> list[Block]:
    """Urgent first, then a notice (a policy changed since it was acknowledged), the welcome on first
    contact, then the answer, the induction step (after any lead-in) or the reply's plain text. The step
    that follows an answer is not here: it is a message of its own (render_step)."""
    answer = reply.answer if reply.kind == "answer" else None
    out: list[Block] = []
    if answer is not None and answer.urgent:
        out.append(Block(answer.urgent, "<b>", "</b>"))
    if reply.notice:
        out.append(Block(reply.notice, "ℹ️ "))
    if reply.welcome:
        out.append(Block(reply.welcome))
    if reply.kind == "induction" and reply.step is not None:
        lead = induction_lead(reply)
        return out + [Block(p) for p in (_paragraphs(lead) if lead else [])] + step_blocks(reply.step)
    if answer is None:
        out.extend(Block(paragraph) for paragraph in _paragraphs(reply.text))
        return out
    return out + answer_blocks(answer)


def answer_blocks(answer: Answer) -> list[Block]:
    out = [Block(answer.message)] if answer.message else []
    for passage in answer.passages:
        out.append(Block(passage.text, "<blockquote expandable>", "</blockquote>"))
        out.append(Block(source_line(passage), "<i>", "</i>", before="\n"))
    if answer.contacts:
        out.append(Block("; ".join(contact_text(c) for c in answer.contacts), "<b>Who to contact:</b> "))
    out.extend(Block(w, "⚠️ ", before="\n\n" if i == 0 else "\n") for i, w in enumerate(answer.warnings))
    return out


def step_blocks(step: InductionStep) -> list[Block]:
    """Title in bold, what to do, the key point quoted in full with its source, who to contact."""
    out = [Block(plain_text.heading(step.title), "<b>", "</b>"), Block(step.text, before="\n")]
    if step.passage is not None:
        out.append(Block(step.passage.text, "<blockquote>", "</blockquote>"))
        out.append(Block(source_line(step.passage), "<i>", "</i>", before="\n"))
    if step.contact is not None:
        out.append(Block(contact_text(step.contact), "<b>Who to contact:</b> "))
    return out


def induction_lead(reply: Reply) -> str:
    """What the reply says before its step ("Group induction session started: …"), or ""."""
    if reply.step is None:
        return ""
    step = step_text(reply.step)
    return reply.text.removesuffix(step).strip() if reply.text.endswith(step) else ""


def contact_text(contact: Contact) -> str:
    """'Name (role), e-mail, phone, @username' in plain words (the username when the org file gives one).

    No <a href="mailto:..."> and no tel: link: Telegram finds e-mail addresses, phone numbers and
    @usernames in a message's text itself and makes them tappable (its `email`, `phone_number` and
    `mention` entities), while a mailto: inline link has been shown by clients as "http://mailto..."
    (yagop/node-telegram-bot-api#295, a Telegram-side issue)."""
    handle = dict(contact.handles).get("telegram", "").lstrip("@")
    return describe(contact) + (f", @{handle}" if _USERNAME.fullmatch(handle) else "")


def source_line(passage: Passage) -> str:
    """'Document › Section', and the SLT approval label for an answer SLT wrote."""
    return plain_text.source(passage) + (f" — {passage.approved}" if passage.approved else "")


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [text]


def split(parts: list[Block], limit: int = MAX_UNITS) -> list[str]:
    """Pack blocks into messages of at most *limit* units, breaking only between blocks. A block that
    follows on a single newline (a quote's source line) moves to the next message together with the
    block before it, when the two fit there, rather than start a message on its own."""
    messages: list[str] = []
    current: list[tuple[str, str]] = []  # (separator before it, html)
    for block in (piece for part in parts for piece in _fit(part, limit)):
        part = (block.before, block.html())
        if current and units(_join([*current, part])) > limit:
            sticky = block.before == "\n" and len(current) > 1 and units(_join([current[-1], part])) <= limit
            carried = [current.pop()] if sticky else []
            messages.append(_join(current))
            current = carried
        current.append(part)
    if current:
        messages.append(_join(current))
    return messages


def _join(parts: list[tuple[str, str]]) -> str:
    """One message: the blocks with their separators (none before the first)."""
    return "".join(html if i == 0 else before + html for i, (before, html) in enumerate(parts))


def _fit(block: Block, limit: int) -> Iterator[Block]:
    """The block itself if it fits in one message, else pieces of it that do (cut between words)."""
    if units(block.html()) <= limit:
        yield block
        return
    budget = limit - units(block.open) - units(block.close)
    if budget < 16:
        raise ValueError(f"a limit of {limit} leaves no room for the text of a block")
    piece = ""
    for token in _tokens(block.text, budget):
        if piece and units(escape(piece + token)) > budget:
            yield replace(block, text=piece)
            block = replace(block, before="\n")
            piece = ""
        piece += token
    if piece:
        yield replace(block, text=piece)


def _tokens(text: str, budget: int) -> Iterator[str]:
    """Words with their trailing spaces; a word too long for a whole message is cut into slices."""
    for word in re.findall(r"\S+\s*|\s+", text):
        while units(escape(word)) > budget:
            cut = _longest_prefix(word, budget)
            yield word[:cut]
            word = word[cut:]
        if word:
            yield word


def _longest_prefix(word: str, budget: int) -> int:
    """How many characters of *word* fit in *budget* once escaped (at least one)."""
    used = 0
    for i, ch in enumerate(word):
        used += units(escape(ch))
        if used > budget:
            return max(1, i)
    return len(word)


def feedback_data(log_id: str, helpful: bool) -> str | None:
    """Callback data for a feedback button ("fb:1:<log id>"), or None if it would exceed 64 bytes."""
    data = f"{FEEDBACK_PREFIX}:{int(helpful)}:{log_id}"
    return data if len(data.encode()) <= MAX_CALLBACK_BYTES else None


def parse_feedback(data: str | None) -> tuple[str, bool] | None:
    """(log id, helpful) from a feedback button's callback data; None if it is not one of ours."""
    prefix, _, rest = (data or "").partition(":")
    flag, _, log_id = rest.partition(":")
    if prefix != FEEDBACK_PREFIX or flag not in ("0", "1") or not log_id:
        return None
    return log_id, flag == "1"


def induction_data(action: str) -> str | None:
    """Callback data for an induction button ("in:next"), or None if it would exceed 64 bytes."""
    data = f"{INDUCTION_PREFIX}:{action}"
    return data if action and len(data.encode()) <= MAX_CALLBACK_BYTES else None


def parse_induction(data: str | None) -> str | None:
    """The induction action in a button's callback data; None if it is not an induction button."""
    prefix, _, action = (data or "").partition(":")
    return action if prefix == INDUCTION_PREFIX and action else None


def callback_answer(text: str) -> str:
    """*text* for answerCallbackQuery (plain text, at most 200 characters): cut at a word if longer."""
    if len(text) <= MAX_CALLBACK_ANSWER:
        return text
    cut = text[: MAX_CALLBACK_ANSWER - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
