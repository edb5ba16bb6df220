"""Keep secrets out of third-party logs while an alert is being sent.

python-telegram-bot puts the bot token into its request URLs, and httpx logs every URL at INFO
("HTTP Request: POST https://api.telegram.org/bot<token>/sendMessage"); PTB itself logs the URL with
the token and each call's parameters (the alert text) at DEBUG. Turning those loggers down for the
whole process would also silence the Telegram adapter's own diagnostics, so instead a filter on them
acts only inside `quiet(...)` (a context variable, so other threads and tasks are unaffected): there it
drops records below WARNING and blanks the given secrets out of any record it lets through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REDACTED = "[redacted]"
# The loggers themselves, not parents: a logger's filters see only the records logged on it.
NOISY_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
                 "httpcore.socks", "telegram.Bot", "telegram.request.BaseRequest", "telegram.request.HTTPXRequest")

_secrets: ContextVar[tuple[str, ...] | None] = ContextVar("policybot_alert_secrets", default=None)


class _QuietWhileAlerting(logging.Filter):
    """Outside `quiet`, passes everything; inside, drops chatter and redacts the secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secrets.get()
        if secrets is None:
            return True
        if record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        for secret in secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        record.exc_info, record.exc_text = None, None  # a traceback's locals and URLs could hold the token
        return True


_FILTER = _QuietWhileAlerting()


def install() -> None:
    """Attach the filter to the loggers that echo URLs or parameters (once, however often called)."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


@contextmanager
def quiet(*secrets: str) -> Iterator[None]:
    """Within this block (and tasks started from it), third-party chatter is dropped and *secrets* are
    redacted from what remains."""
    install()
    token = _secrets.set(tuple(s for s in secrets if s))
    try:
        yield
    finally:
        _secrets.reset(token)


def redact(text: str, *secrets: str) -> str:
    """*text* with every non-empty secret replaced (for exception messages we pass on)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text
