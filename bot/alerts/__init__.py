"""Tell a school's Designated Safeguarding Lead and deputies at once that a concern was raised.

    dispatcher = build_dispatcher(settings)
    delivered = dispatcher.send(alert, recipients)   # e.g. ["slack:U0DSL", "email:dsl@school.example"]

Channels: e-mail (smtp_host), a Slack DM (slack_bot_token) and a Telegram DM (telegram_token); every
recipient is told on every channel they have an address on, so one channel being down still leaves
the others. The alert says that a concern was raised, when, where, by whom, about whom and why, with a
dashboard link; never the question itself (see bot.alerts.message).

Teams is not a channel here: a bot can only message someone proactively in Teams with a stored
conversation reference (from an earlier message of theirs), which policybot does not keep. Recipients
known only by a Teams handle are reached by e-mail when they have an address, and otherwise not at all
(Dispatcher.send then returns no entry for them, and the concern waits on the dashboard).

Importing this package loads no chat SDK: Slack's and Telegram's are imported by their senders when
they are used.
"""

from bot.alerts.base import AlertError, Sender
from bot.alerts.dispatch import Dispatcher, build_dispatcher
from bot.alerts.email_sender import EmailSender
from bot.alerts.message import Alert, Recipient, alert_text
from bot.alerts.slack_sender import SlackSender
from bot.alerts.telegram_sender import TelegramSender

__all__ = ["Alert", "AlertError", "Dispatcher", "EmailSender", "Recipient", "Sender", "SlackSender",
           "TelegramSender", "alert_text", "build_dispatcher"]
