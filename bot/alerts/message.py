"""What an alert says, and to whom: the data the rest of the bot hands to the dispatcher, and the one
wording every channel sends.

The wording deliberately never carries the question itself: a staff member's words about a child travel
through Slack, Telegram and e-mail servers the school does not control, so the alert only says *that* a
concern was raised (when, where, by whom, about whom, why it was flagged) and links to the dashboard,
where the question is read behind a login and marked as seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

_CHANNELS = {"slack": "Slack", "teams": "Microsoft Teams", "telegram": "Telegram", "web": "the web chat"}
_ABOUT = {"child": "a child",
          "staff": "an adult who works with children",
          "head": "the headteacher"}


@dataclass(frozen=True)
class Alert:
    """One safeguarding concern to tell the DSL and deputies about (no question text, on purpose)."""

    org_name: str
    concern_id: str
    raised_at: datetime  # aware UTC (a naive value is read as UTC)
    channel: str  # where it was raised: "slack", "teams", "telegram", "web"
    raiser: str  # who raised it, e.g. "Jo Bloggs (slack:T1:U9)"; may be ""
    about: str  # "child" | "staff" | "head"
    reason: str  # e.g. "self-harm or suicide risk"
    link: str  # dashboard link to the concern, "" when no public_url
    repeat: int = 0  # 0 = first alert; n = raised again, the n-th time, because nobody marked it seen


@dataclass(frozen=True)
class Recipient:
    """A DSL or deputy: an e-mail address and/or chat handles such as ("slack", "U123")."""

    name: str
    email: str | None
    handles: tuple[tuple[str, str], ...] = ()


def address_of(recipient: Recipient, channel: str) -> str | None:
    """The recipient's address on *channel* ("email" or a chat platform), or None when they have none.
    With several handles on one platform the first is used: one person, one message per channel."""
    if channel == "email":
        return (recipient.email or "").strip() or None
    for platform, handle in recipient.handles:
        if platform == channel and handle.strip():
            return handle.strip()
    return None


def uk_time(moment: datetime) -> str:
    """E.g. "Saturday 21 November 2026 at 10:00 GMT": staff read times in UK local time, and the zone
    name makes the summer-time hour unambiguous."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    local = aware.astimezone(UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M %Z}"


def subject_of(alert: Alert) -> str:
    """A one-line summary (the e-mail subject), on one line whatever the org file holds."""
    prefix = "Reminder: " if alert.repeat > 0 else ""
    return " ".join(f"{prefix}Safeguarding concern raised at {alert.org_name}".split())


def alert_text(alert: Alert) -> str:
    """The message every channel sends, as plain text (each sender escapes it for its platform)."""
    lines = [_reminder_line(alert.repeat)] if alert.repeat > 0 else []
    lines += [
        f"A safeguarding concern was raised at {alert.org_name}.",
        f"When: {uk_time(alert.raised_at)} (UK time)",
        f"Raised via: {_CHANNELS.get(alert.channel, alert.channel or 'not known')}",
        f"Raised by: {alert.raiser or 'not known'}",
        f"About: {_ABOUT.get(alert.about, 'not stated')}",
        f"Why it was flagged: {alert.reason or 'not stated'}",
        f"Open it: {alert.link}" if alert.link else "Open it on the policybot dashboard (Concerns).",
        "The question itself is not included in this message: read it on the dashboard and mark it as seen.",
    ]
    return "\n".join(lines)


def _reminder_line(repeat: int) -> str:
    """Why this alert comes again: nobody has marked the concern as seen."""
    return (f"REMINDER ({_ordinal(repeat + 1)} alert): this concern has not been marked as seen yet, "
            "so it is being raised again.")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
