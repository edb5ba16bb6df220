"""Keep what staff typed out of the log: the platform SDKs log whole payloads (a request body, a Socket
Mode envelope, an activity, an update), and with them questions, pupils' names and phone numbers. The
record keeps that it happened, not what was in it."""

from __future__ import annotations

import logging

WITHHELD = "(withheld)"


class WithholdPayloads(logging.Filter):
    """Cut each record's message after the first of *markers* (what follows is the payload):
    "Processing update Update(message=…)" is logged as "Processing update (withheld)"."""

    def __init__(self, *markers: str) -> None:
        super().__init__()
        self.markers = markers

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - args that do not fit: withhold them rather than guess
            message = str(record.msg)
        cuts = [i + len(m) for m in self.markers if (i := message.find(m)) >= 0]
        if cuts:
            record.msg, record.args = f"{message[:min(cuts)]} {WITHHELD}", ()
        return True


def withhold(logger_name: str, *markers: str) -> logging.Logger:
    """*logger_name*'s logger with a WithholdPayloads filter for *markers* (added once). A filter sees only
    the records made on its own logger, so each SDK logger that prints payloads gets one."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, WithholdPayloads) for f in logger.filters):
        logger.addFilter(WithholdPayloads(*markers))
    return logger
