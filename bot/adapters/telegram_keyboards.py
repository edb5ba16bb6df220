"""What the Telegram adapter sends for a reply: its HTML messages (bot.adapters.telegram_format), each
with the inline keyboard that belongs under it — 👍 / 👎 under a logged answer, the induction step's
buttons under the step.

    answer                      → answer messages [feedback buttons on the last]
    answer asked during induction → … then the step's messages [step buttons on the last]
    induction                   → notice/welcome/lead + step [step buttons on the last]
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters import telegram_format as fmt
from bot.core.chat import Reply
from bot.core.induction import InductionStep

SHORT_LABEL = 16  # characters: buttons with labels this short share a row (Back, Next, True, False)
ROW = 3  # at most this many short buttons in a row

Outgoing = list[tuple[str, InlineKeyboardMarkup | None]]


def outgoing(reply: Reply) -> Outgoing:
    """The messages for *reply*, in order, each with its keyboard (or None)."""
    if reply.kind == "induction":
        return _last_gets(fmt.render(reply), induction_keyboard(reply.step) if reply.step else None)
    messages = _last_gets(fmt.render(reply), feedback_keyboard(reply))
    if reply.step is not None:  # a question asked during induction: the walk carries on below the answer
        messages += _last_gets(fmt.render_step(reply.step), induction_keyboard(reply.step))
    return messages


def feedback_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """👍 / 👎 under an answer that was logged (the callback data carries the log entry's id)."""
    log_id = reply.answer.log_id if reply.kind == "answer" and reply.answer else None
    if not log_id:
        return None
    good, bad = fmt.feedback_data(log_id, True), fmt.feedback_data(log_id, False)
    if good is None or bad is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton("👍 Helpful", callback_data=good),
                                  InlineKeyboardButton("👎 Not helpful", callback_data=bad)]])


def induction_keyboard(step: InductionStep) -> InlineKeyboardMarkup | None:
    """One button per step button ("in:<action>"): short labels side by side, long ones (the
    acknowledgement, "I have a question") on rows of their own so that Telegram does not cut them."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in step.buttons:
        data = fmt.induction_data(button.action)
        if data is None:
            continue
        key = InlineKeyboardButton(button.label, callback_data=data)
        short = len(button.label) <= SHORT_LABEL
        if short and rows and len(rows[-1]) < ROW and len(rows[-1][-1].text) <= SHORT_LABEL:
            rows[-1].append(key)
        else:
            rows.append([key])
    return InlineKeyboardMarkup(rows) if rows else None


def _last_gets(messages: list[str], keyboard: InlineKeyboardMarkup | None) -> Outgoing:
    return [(text, keyboard if n == len(messages) - 1 else None) for n, text in enumerate(messages)]
