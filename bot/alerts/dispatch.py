"""Fan one alert out to every recipient on every channel they can be reached on.

A safeguarding alert must get through on whatever still works: a dead mail server must not stop the
Slack DM, and one unknown Slack id must not stop the next deputy's. So the dispatcher never raises, and
its log lines name only the channel and the exception class: a token, the raiser's name or the alert
text in a log file would be a leak of its own.
"""

from __future__ import annotations

import logging

from bot.alerts.base import Sender
from bot.alerts.email_sender import EmailSender
from bot.alerts.message import Alert, Recipient, address_of
from bot.alerts.slack_sender import SlackSender
from bot.alerts.teams_sender import TeamsSender
from bot.alerts.telegram_sender import TelegramSender
from bot.config import Settings

log = logging.getLogger(__name__)


class Dispatcher:
    """The senders that are configured, in order (e-mail first when set: it reaches everyone with an
    address, including staff known only by a Teams handle)."""

    def __init__(self, senders: list[Sender]) -> None:
        self.senders = list(senders)

    def send(self, alert: Alert, recipients: list[Recipient]) -> list[str]:
        """What was delivered, as "channel:address" (each address once, even if a person is listed twice,
        e.g. as DSL and deputy). Never raises."""
        delivered: list[str] = []
        for recipient in recipients:
            for sender in self.senders:
                target = self._try(sender, recipient, alert, delivered)
                if target is not None:
                    delivered.append(target)
        if recipients and not delivered:
            log.warning("safeguarding alert reached nobody: %d recipient(s), channels %s",
                        len(recipients), [s.channel for s in self.senders])
        return delivered

    @staticmethod
    def _try(sender: Sender, recipient: Recipient, alert: Alert, done: list[str]) -> str | None:
        """One delivery: its "channel:address", or None when there was nothing to send or it was already
        done. A failure of any kind (a malformed recipient too) is logged, channel and exception class
        only, and is None."""
        try:
            target = f"{sender.channel}:{address_of(recipient, sender.channel)}"
            if target in done or sender.send(recipient, alert) is not True:
                return None
            return target
        except Exception as exc:  # noqa: BLE001 (one channel's failure must not stop the others)
            log.warning("safeguarding alert not delivered by %s: %s", sender.channel, exc.__class__.__name__)
            return None


def build_dispatcher(settings: Settings) -> Dispatcher:
    """A dispatcher with a sender for each channel whose settings are set: smtp_host, slack_bot_token,
    telegram_token, teams_app_id with teams_app_password. With none it still works and returns [] (the
    dashboard still shows the concern)."""
    senders: list[Sender] = []
    email = _email_sender(settings)
    if email is not None:
        senders.append(email)
    slack_token = settings.slack_bot_token.get_secret_value()
    if slack_token:
        senders.append(SlackSender(slack_token, settings.slack_api_url))
    telegram_token = settings.telegram_token.get_secret_value()
    if telegram_token:
        senders.append(TelegramSender(telegram_token, settings.telegram_api_url))
    teams_password = settings.teams_app_password.get_secret_value()
    if settings.teams_app_id and teams_password:
        senders.append(TeamsSender(settings.teams_app_id, teams_password, settings.teams_tenant_id,
                                   settings.teams_service_url))
    return Dispatcher(senders)


def _email_sender(settings: Settings) -> EmailSender | None:
    """The e-mail sender when smtp_host is set. The From address is smtp_from, else smtp_user when it is
    an address; with neither, mail servers would refuse every message, so e-mail is off and the log
    says why once, at start-up, rather than on every alert."""
    if not settings.smtp_host:
        return None
    sender_address = settings.smtp_from or (settings.smtp_user if "@" in settings.smtp_user else "")
    if not sender_address:
        log.warning("smtp_host is set but smtp_from is empty: safeguarding alerts will not be e-mailed")
        return None
    return EmailSender(settings.smtp_host, settings.smtp_port, sender_address, user=settings.smtp_user,
                       password=settings.smtp_password.get_secret_value(), starttls=settings.smtp_starttls)
