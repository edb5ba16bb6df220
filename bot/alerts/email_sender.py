"""Alerts by e-mail through the school's SMTP server (smtplib, no extra dependency)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.alerts.base import AlertError
from bot.alerts.message import Alert, Recipient, address_of, alert_text, subject_of

TIMEOUT_S = 10.0  # an alert must not hang the worker that sends it behind a dead mail server


class EmailSender:
    """One message per recipient (nobody sees who else was told), marked urgent. STARTTLS is required
    when *starttls* is set: a server that does not offer it is a failure, never a silent plain-text
    send; login happens only when a user is given."""

    channel = "email"

    def __init__(self, host: str, port: int, sender_address: str, user: str = "", password: str = "",
                 starttls: bool = True) -> None:
        self._host = host
        self._port = port
        self._from = sender_address
        self._user = user
        self._password = password
        self._starttls = starttls

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        address = address_of(recipient, self.channel)
        if address is None:
            return False
        try:
            self._deliver(self._message(address, alert))
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise AlertError(f"e-mail not sent ({exc.__class__.__name__})") from None
        return True

    def _message(self, address: str, alert: Alert) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = address
        message["Subject"] = subject_of(alert)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._domain())
        message["Importance"] = "high"
        message["X-Priority"] = "1"
        message.set_content(alert_text(alert))
        return message

    def _domain(self) -> str | None:
        """The From address's domain for the Message-ID (spam filters distrust a foreign one)."""
        if "@" not in self._from:
            return None
        return self._from.rpartition("@")[2].strip(" >") or None

    def _deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_S) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._user:
                smtp.login(self._user, self._password)
            smtp.send_message(message)
