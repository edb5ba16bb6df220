"""`policybot db upgrade` and `policybot purge`: the question log's database, migrated and kept to each
organisation's retention period."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot.cli._shared import CorpusOpt, _database, _fail, _orgs, _settings, app, out
from bot.errors import PolicybotError
from bot.storage import retention
from bot.storage.database import current_revision, head_revision, make_engine, upgrade
from bot.storage.question_log import utc_now

db_app = typer.Typer(help="The question log's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (the server also does this when it starts)."""
    settings = _settings(None, None)
    engine = None
    try:
        engine = make_engine(settings.database_url)
        before = current_revision(engine)
        now = upgrade(engine)
    except (PolicybotError, SQLAlchemyError) as exc:
        raise _fail(exc) from exc
    finally:
        if engine is not None:
            engine.dispose()
    out.print(f"database at revision {now} (was {before or 'empty'}; newest is {head_revision()})")


@app.command()
def purge(corpus: CorpusOpt = None) -> None:
    """Delete question log entries older than each organisation's retention period."""
    settings = _settings(corpus, None)
    try:
        orgs = _orgs(settings.corpus_dir)
        with _database(settings) as db:
            deleted = retention.purge(db, {slug: o.retention_days for slug, o in orgs.items()}, utc_now())
    except PolicybotError as exc:
        raise _fail(exc) from exc
    if not deleted:
        out.print("nothing has expired")
    for org, count in sorted(deleted.items()):
        out.print(f"{org}: deleted {count} expired entries (recorded in the deletions log)")
