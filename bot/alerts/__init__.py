"""Tell a school's Designated Safeguarding Lead and deputies at once that a concern was raised.

    dispatcher = build_dispatcher(settings)
    delivered = dispatcher.send(alert, recipients)   # e.g. ["slack:U0DSL", "email:dsl@school.example"]

Channels: e-mail (smtp_host), a Slack DM (slack_bot_token), a Teams DM (teams_app_id with
teams_app_password) and a Telegram DM (telegram_token); every
recipient is told on every channel they have an address on, so one channel being down still leaves
the others. The alert says that a concern was raised, when, where, by whom, about whom and why, with a
dashboard link; never the question itself (see bot.alerts.message).

A Teams DM opens the one-to-one conversation through the Bot Framework connector (a proactive message:
the bot must be installed for the person, as it is when the school deploys the app to its staff), in the
school's mapped tenant.

Importing this package loads no chat SDK: Slack's and Telegram's are imported by their senders when
they are used; Teams is reached over plain HTTP.
"""

from bot.alerts.base import AlertError, Sender
from bot.alerts.dispatch import Dispatcher, build_dispatcher
from bot.alerts.email_sender import EmailSender
from bot.alerts.message import Alert, Recipient, alert_text
from bot.alerts.slack_sender import SlackSender
from bot.alerts.teams_sender import TENANT_HANDLE, TeamsSender
from bot.alerts.telegram_sender import TelegramSender

__all__ = ["TENANT_HANDLE", "Alert", "AlertError", "Dispatcher", "EmailSender", "Recipient", "Sender",
           "SlackSender", "TeamsSender", "TelegramSender", "alert_text", "build_dispatcher"]
