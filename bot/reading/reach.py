"""How to reach a person outside the policy: e-mail addresses, phone numbers and chat handles, checked
(an org file's bad value is refused with the reason), found beside a name in a policy's text, and made
into links (mailto:, tel:) that work.

Pure functions over strings; nothing here knows a chat platform's SDK.
"""

from __future__ import annotations

import re

# One address: a local part and a domain with a dot; no spaces, no second @, nothing a mailto: link would
# need escaped (a "?" or "&" would start or split its query).
EMAIL = re.compile(r"[A-Za-z0-9._+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
# A phone number as people write one: digits with spaces, dashes, dots or brackets, an optional leading +
# and an optional extension ("ext 204"); 7 to 15 digits before the extension (E.164 allows 15).
PHONE = re.compile(r"(?:\+|\b)(?:\d[\d ().-]{5,20}\d)(?:\s*(?:ext\.?|x)\s*\d{1,5})?\b"
                   r"|\(0\d{2,5}\)[\d .-]{5,12}\d\b")
_EXTENSION = re.compile(r"\s*(?:ext\.?|x)\s*(\d{1,5})$", re.IGNORECASE)
SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,20}")  # a Slack member id ("U01ABCDEF"), what a mention needs
# A Teams user: the Bot Framework id ("29:1AbC...") or the Entra object id (a GUID), "8:orgid:<guid>".
TEAMS_ID = re.compile(r"29:[A-Za-z0-9_-]{1,200}|(?:8:orgid:)?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
TELEGRAM = re.compile(r"@?[A-Za-z][A-Za-z0-9_]{4,31}|\d{1,15}")  # an @username, or a numeric user id


def problem(kind: str, value: str) -> str | None:
    """Why *value* is not a usable *kind* ("email", "phone", "slack", "teams", "telegram"), or None."""
    if not value:
        return None
    if kind == "email" and not EMAIL.fullmatch(value):
        return f"{value!r} is not an e-mail address (name@school.example)"
    if kind == "phone" and not (PHONE.fullmatch(value) and 7 <= _digit_count(value) <= 15):
        return f"{value!r} is not a phone number (digits, spaces and + - ( ) only, 7 to 15 digits)"
    if kind == "slack" and not SLACK_ID.fullmatch(value):
        return f"{value!r} is not a Slack member id (U or W then capitals and digits, e.g. U01ABCDEF)"
    if kind == "teams" and not TEAMS_ID.fullmatch(value):
        return f"{value!r} is not a Teams user id (29:... or the Entra object id, a GUID)"
    if kind == "telegram" and not TELEGRAM.fullmatch(value):
        return f"{value!r} is not a Telegram @username (5-32 letters, digits, _) or numeric user id"
    return None


def _digit_count(phone: str) -> int:
    return sum(ch.isdigit() for ch in _EXTENSION.sub("", phone))


def mailto(email: str) -> str:
    return "mailto:" + email


def tel(phone: str) -> str:
    """A tel: URI (RFC 3966) for a number as written: '01234 567 890 ext 12' -> 'tel:01234567890;ext=12'."""
    ext = _EXTENSION.search(phone)
    number = _EXTENSION.sub("", phone)
    if number.strip().startswith("+"):
        number = number.replace("(0)", "")  # "+44 (0)1234": the trunk 0 is not dialled from abroad
    digits = ("+" if number.strip().startswith("+") else "") + "".join(ch for ch in number if ch.isdigit())
    return "tel:" + digits + (f";ext={ext.group(1)}" if ext else "")


def telegram_username(handle: str) -> str:
    """The @username of a Telegram handle without its @, or "" for a numeric id (which no link can show)."""
    bare = handle.lstrip("@")
    return bare if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", bare) else ""


def found_in(text: str) -> tuple[str | None, str | None]:
    """The first e-mail address and phone number written in *text* (a contact line or table row)."""
    email = EMAIL.search(text)
    phone = next((m.group(0).strip() for m in PHONE.finditer(EMAIL.sub(" ", text))
                  if 9 <= _digit_count(m.group(0)) <= 15 and not _looks_like_a_date(m.group(0))), None)
    return (email.group(0).rstrip(".") if email else None), phone


def _looks_like_a_date(text: str) -> bool:
    """'12.03.2024', '2023-2024', '01/09/2023': digits a phone number pattern would also take."""
    return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|(?:19|20)\d{2}\s*-\s*(?:19|20)?\d{2}", text.strip()))
