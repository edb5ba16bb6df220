"""`policybot invite --org SLUG`: a one-time join code binding a member of staff's Telegram account to an
organisation."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from bot.cli._shared import CorpusOpt, OrgOpt, _database, _fail, _orgs, _settings, app, err, out
from bot.config import Settings
from bot.errors import PolicybotError
from bot.storage.access import SqlAccess

BotOpt = Annotated[Optional[str], typer.Option(
    "--bot", help="The bot's @username, for the t.me link (default: asked from Telegram when "
                  "POLICYBOT_TELEGRAM_TOKEN is set).")]


@app.command()
def invite(org: OrgOpt, bot: BotOpt = None, corpus: CorpusOpt = None) -> None:
    """A one-time Telegram join code for a member of staff (valid for POLICYBOT_INVITE_DAYS days)."""
    settings = _settings(corpus, None)
    try:
        orgs = _orgs(settings.corpus_dir)
        if org not in orgs:
            raise PolicybotError(f"unknown organisation '{org}' (known: {', '.join(sorted(orgs))})")
        with _database(settings) as db:
            code = SqlAccess(db, lambda: orgs).issue(org, settings.invite_days)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    username = (bot or "").lstrip("@") or _ask_username(settings)
    out.print(f"Join code for {escape(orgs[org].name)}: [bold]{code}[/bold] "
              f"(works once, for {settings.invite_days} days)", soft_wrap=True)
    if username:
        out.print(f"Send this link to the member of staff: https://t.me/{username}?start={code}", soft_wrap=True)
    else:
        out.print(f"The member of staff sends the bot this message: /start {code}", soft_wrap=True)


def _ask_username(settings: Settings) -> str | None:
    from bot.adapters.telegram import bot_username  # imported here: other commands don't need PTB

    name = bot_username(settings)
    if name is None and settings.telegram_token.get_secret_value():
        err.print("[yellow]could not reach Telegram for the bot's name; use --bot NAME for a link[/yellow]")
    return name
