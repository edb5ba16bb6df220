"""`policybot slt ...`: SLT dashboard accounts (password) and the SLT answers kept in the database
(answers, withdraw)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot import wiring
from bot.admin import auth
from bot.cli._shared import CorpusOpt, IndexOpt, OrgOpt, _database, _fail, _settings, app, out
from bot.errors import PolicybotError
from bot.reading.corpus import load_org
from bot.storage.question_log import utc_now

slt_app = typer.Typer(help="SLT dashboard accounts.", no_args_is_help=True)
app.add_typer(slt_app, name="slt")


@slt_app.command("password")
def slt_password(org: OrgOpt, email: Annotated[str, typer.Option(help="The member's e-mail, as in org.yaml `slt:`.")],
                 password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
                 corpus: CorpusOpt = None) -> None:
    """Set (or reset) an SLT member's dashboard password."""
    settings = _settings(corpus, None)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        organisation = load_org(settings.corpus_dir / org)
        with _database(settings) as db:
            auth.set_password(db, organisation, email, password, utc_now())
    except PolicybotError as exc:
        raise _fail(exc) from exc
    out.print(f"password set for {escape(email)} ({escape(organisation.name)})")


@slt_app.command("answers")
def slt_answers(org: OrgOpt, corpus: CorpusOpt = None) -> None:
    """The organisation's SLT answers (kept in the database): id, who approved each and when, the question."""
    from bot.storage import slt_store

    settings = _settings(corpus, None)
    with _database(settings) as db:
        answers = slt_store.by_org(db).get(org, [])
    table = Table("id", "approved by", "on", "question")
    for a in answers:
        table.add_row(a.id, escape(a.approved_by), f"{a.approved_at:%-d %b %Y}", escape(a.question))
    out.print(table)


@slt_app.command("withdraw")
def slt_withdraw(org: OrgOpt, answer_id: Annotated[str, typer.Argument(help="The answer's id (`policybot slt answers`).")],
                 corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Withdraw an SLT answer: deleted from the database (its questions open again) and a new index
    published without it, which every running server swaps in."""
    from bot.storage import slt_store

    settings = _settings(corpus, index)
    with _database(settings) as db:
        if not slt_store.withdraw(db, org, answer_id):
            raise _fail(PolicybotError(f"{org} has no SLT answer {answer_id!r} (see `policybot slt answers`)"))
    try:
        done = wiring.build_index(settings)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    out.print(f"withdrawn; index version {done.version} published without it")
