"""Keep secrets out of third-party logs while an alert is being sent.

python-telegram-bot puts the bot token into its request URLs, and httpx logs every URL at INFO
("HTTP Request: POST https://api.telegram.org/bot<token>/sendMessage"); PTB itself logs the URL with
the token and each call's parameters (the alert text) at DEBUG. Turning those loggers down for the
whole process would also silence the Telegram adapter's own diagnostics, so instead a filter on them
acts only inside `quiet(...)` (a context variable, so other threads and tasks are unaffected): there it
drops records below WARNING and blanks the given secrets out of any record it lets through.

Everywhere else, `mask_secrets(...)` (called when a platform adapter or a sender is built) keeps tokens
out of every log record of the process, at every level and whatever logger made it: a log-record factory
blanks out of the message (args included), the exception text and the stack text anything shaped like a
Telegram bot token (`<digits>:<secret>`, as in …/bot<TOKEN>/getMe), a Slack token (xoxb-…, xapp-…) and
every secret registered with it (the Teams app password, the Slack signing secret, a webhook secret). A
record factory, not a filter: a logger's filter sees only the records made on that very logger, and a
handler's only the records reaching that handler. It also turns httpx and httpcore (one line per HTTP
request, URLs included) down to WARNING, unless the deployment set their level itself.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
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


# A Telegram bot token is "<bot id>:<35 characters>"; Slack's are xoxb-/xoxp-/xoxe-…/xapp-….
TOKEN_SHAPES = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{30,}|\bxox[a-z]-[A-Za-z0-9-]{6,}|\bxapp-[A-Za-z0-9-]{6,}")
MIN_SECRET_LENGTH = 10  # shorter "secrets" ("secret", "changeme") are no secret; blanking them would garble records
CHATTY_LOGGERS = ("httpx", "httpcore")
_registered: set[str] = set()
_by_length: tuple[str, ...] = ()
_lock = threading.Lock()
_previous_factory: Callable[..., logging.LogRecord] | None = None
_traceback_formatter = logging.Formatter()


def mask(text: str) -> str:
    """*text* with every token-shaped string and every registered secret blanked out."""
    for secret in _by_length:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return TOKEN_SHAPES.sub(REDACTED, text)


def mask_secrets(*secrets: str) -> None:
    """Keep *secrets* (and anything token-shaped) out of every log record from now on (idempotent)."""
    global _by_length, _previous_factory
    with _lock:
        _registered.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
        _by_length = tuple(sorted(_registered, key=len, reverse=True))  # a longer one may contain a shorter
        if _previous_factory is None:
            _previous_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_masking_factory)
    for name in CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # a level the deployment chose is left alone
            logger.setLevel(logging.WARNING)


def _masking_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    assert _previous_factory is not None
    record = _previous_factory(*args, **kwargs)
    _scrub(record)
    return record


def _scrub(record: logging.LogRecord) -> None:
    """Blank secrets out of *record*; a record with none is left exactly as it was made."""
    try:
        message = record.getMessage()
    except Exception:  # args that do not fit the message: logging reports that later; search both
        message = f"{record.msg} {record.args!r}"
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = _traceback_formatter.formatException(record.exc_info)
        masked = mask(text)
        if masked != text:  # the traceback is kept, as text, without the secret
            record.exc_info, record.exc_text = None, masked
    elif record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
