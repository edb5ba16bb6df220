"""Commands for whoever runs the bot and for SLT: serve, db upgrade, purge, report, slt password.
Registered on the main command line by bot.cli."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import early
from bot import runtime as runtime_mod
from bot import wiring
from bot.admin import auth
from bot.admin.register import write_csv as write_register_csv
from bot.admin.report import print_report, write_csv
from bot.config import Settings
from bot.cli import CorpusOpt, IndexOpt, _fail, _settings, app, err, out
from bot.errors import PolicybotError
from bot.reading.corpus import load_org
from bot.reading.documents import Organisation
from bot.startup import Startup
from bot.storage import retention
from bot.storage.database import current_revision, head_revision, make_engine, upgrade
from bot.storage.question_log import utc_now

OrgOpt = Annotated[str, typer.Option("--org", help="Organisation slug (its folder name in the corpus).")]
db_app = typer.Typer(help="The question log's database.", no_args_is_help=True)
slt_app = typer.Typer(help="SLT dashboard accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(slt_app, name="slt")


@app.command()
def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes on this port, each with "
                                                                  "its own runtime (PostgreSQL only).")] = 1,
          corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Start the server: web chat at /, Slack/Teams/Telegram when configured, SLT dashboard at /slt.
    It answers at once: /healthz says "starting" (503) while the index and model load, "ok" when ready."""
    import uvicorn

    from bot import serving
    from bot.server import build_app

    serving.configure_logging()
    settings = _settings(corpus, index)
    try:
        serving.check_workers(settings, workers)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    out.print(f"policybot starting on http://{host}:{port}/ (SLT dashboard: /slt; /healthz says when it is ready)"
              + (f" with {workers} workers" if workers > 1 else ""))
    # X-Forwarded-For is believed from the proxies POLICYBOT_TRUSTED_PROXIES names, and from nobody else
    # (the dashboard's per-client sign-in limits read the same setting).
    proxies = {"proxy_headers": bool(settings.trusted_proxies), "forwarded_allow_ips": settings.trusted_proxies or None}
    if workers > 1:  # each worker process imports the factory and builds its own runtime
        given = {k: str(v) for k, v in (("corpus_dir", corpus), ("index_dir", index)) if v is not None}
        os.environ.update(serving.worker_environment(settings, workers, given))
        uvicorn.run(serving.FACTORY, factory=True, workers=workers, host=host, port=port, log_level="info",
                    **proxies)
        return
    startup = Startup(settings, lambda: serving.ready(settings))
    bound = early.take()  # the port bound by bot.__main__ before the imports, answering "starting" meanwhile
    try:
        server = uvicorn.Server(uvicorn.Config(build_app(startup), host=host, port=port, log_level="info", **proxies))
        server.run(sockets=[bound] if bound is not None else None)
    finally:
        startup.close()


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


@app.command()
def report(org: OrgOpt, since: Annotated[Optional[str], typer.Option(help="From this date (YYYY-MM-DD); default 12 weeks ago.")] = None,
           csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Write every entry to this CSV file.")] = None,
           safeguarding: Annotated[bool, typer.Option("--safeguarding", help="Include safeguarding-flagged questions (for the DSL).")] = False,
           corpus: CorpusOpt = None) -> None:
    """SLT review of the question log: weekly counts, gaps, most-quoted clauses, not-helpful feedback."""
    settings = _settings(corpus, None)
    start = _since(since)
    try:
        orgs = _orgs(settings.corpus_dir)
        if org not in orgs:
            raise PolicybotError(f"unknown organisation '{org}' (known: {', '.join(sorted(orgs))})")
        with _database(settings) as db, db() as session:
            if csv_file is not None:
                with open(csv_file, "w", encoding="utf-8", newline="") as fh:
                    count = write_csv(session, org, start, safeguarding, fh)
                out.print(f"wrote {count} entries to {csv_file}")
            else:
                print_report(session, org, orgs[org].name, start, safeguarding, out)
    except (PolicybotError, OSError) as exc:
        raise _fail(exc) from exc


@app.command()
def acks(org: OrgOpt, csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Write the register to this CSV file.")] = None,
         corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """The induction acknowledgement register: per policy version, who acknowledged and who is outstanding."""
    settings = _settings(corpus, index)
    try:
        runtime = runtime_mod.build(settings)
        try:
            if org not in runtime.orgs:
                raise PolicybotError(f"unknown organisation '{org}' (known: {', '.join(sorted(runtime.orgs))})")
            registers = runtime.register(org)
        finally:
            runtime.close()
    except PolicybotError as exc:
        raise _fail(exc) from exc
    if csv_file is not None:
        with open(csv_file, "w", encoding="utf-8", newline="") as fh:
            write_register_csv(registers, fh)
        out.print(f"wrote the register of {len(registers)} policies to {csv_file}")
        return
    for reg in registers:
        out.print(f"\n[bold]{escape(reg.title)}[/bold] — version {escape(reg.version)}: "
                  f"{len(reg.acknowledged)} acknowledged, {len(reg.outstanding)} outstanding")
        table = Table("person", "status", "when", "channel")
        for name, when, channel in reg.acknowledged:
            table.add_row(escape(name), "acknowledged", f"{when:%-d %b %Y %H:%M}", channel)
        for name in reg.outstanding:
            older = next((o for o in reg.older if o[0] == name), None)
            table.add_row(escape(name), "older version only" if older else "outstanding",
                          f"{older[1]:%-d %b %Y}" if older else "", older[2] if older else "")
        out.print(table)


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


@contextmanager
def _database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The migrated database for one command; its connections are closed when the command ends."""
    db = wiring.open_database(settings)
    try:
        yield db
    finally:
        db.kw["bind"].dispose()


def _orgs(corpus_dir: Path) -> dict[str, Organisation]:
    if not corpus_dir.is_dir():
        raise PolicybotError(f"corpus folder not found: {corpus_dir}")
    return {p.name: load_org(p) for p in sorted(corpus_dir.iterdir()) if p.is_dir() and not p.name.startswith(".")}


def _since(raw: str | None) -> datetime:
    if raw is None:
        return utc_now() - timedelta(weeks=12)
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tzinfo=timezone.utc)
    except ValueError:
        err.print(f"[red]error:[/red] --since {escape(raw)!s} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
