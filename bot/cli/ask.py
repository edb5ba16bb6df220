"""Command line: index, ask, orgs, chat (and, from bot.cli_admin, serve, db, purge, report, slt). Errors from the core are caught here and shown plainly."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from sqlalchemy.exc import SQLAlchemyError

from bot import wiring
from bot.config import Settings
from bot.core import compose
from bot.core.models import Answer, Question
from bot.core.service import AnswerService
from bot.errors import PolicybotError, QuestionError, StorageError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="policybot: answers staff questions from their own school's policies.")
out = Console()
err = Console(stderr=True)

CorpusOpt = Annotated[Optional[Path], typer.Option("--corpus", help="Corpus folder (one folder per organisation).")]
IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder.")]


def _settings(corpus: Path | None, index: Path | None) -> Settings:
    overrides = {k: v for k, v in (("corpus_dir", corpus), ("index_dir", index)) if v is not None}
    return Settings(**overrides)  # type: ignore[arg-type]


def _service(settings: Settings) -> AnswerService:
    """The answer service over an up-to-date index (rebuilt from the cache if the corpus changed)."""
    try:
        emb = wiring.embedder(settings)
        return wiring.logged_service(settings, emb)
    except PolicybotError as exc:
        raise _fail(exc) from exc


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(2)


@app.command()
def index(corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Build or update the search index (only changed clauses are embedded again)."""
    settings = _settings(corpus, index)
    columns = (TextColumn("embedding clauses"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("embed", total=None)
            done = wiring.build_index(settings, progress=lambda n, total: bar.update(task, completed=n,
                                                                                     total=total))
    except PolicybotError as exc:
        raise _fail(exc) from exc
    except SQLAlchemyError as exc:  # the SLT answers and the published versions are in the database
        raise _fail(StorageError(f"the database cannot be reached, so nothing was published "
                                 f"({exc.__class__.__name__})")) from exc
    report = done.report
    for problem in report.problems:
        err.print(f"[yellow]skipped[/yellow] {escape(problem.source)}: {escape(problem.reason)}")
    published = "published as version" if done.new else "unchanged: already published as version"
    out.print(f"Indexed {report.clauses} clauses into {settings.index_dir} "
              f"({report.embedded} embedded, {report.reused} from cache); {published} {done.version}.")


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(help="The question. With --json and no question, "
                                                           "questions are read from stdin, one per line.")] = None,
    org: Annotated[str, typer.Option("--org", help="Organisation slug, e.g. stone-bay-school.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer.")] = False,
    top: Annotated[Optional[int], typer.Option("--top", min=1, max=100, help="Passages to return (up to 100, for evaluation).")] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
) -> None:
    """Answer a question from one organisation's policies."""
    if not org:
        raise _fail(ValueError("--org is required (see `policybot orgs`)"))
    service = _service(_settings(corpus, index))
    if org not in service.orgs:
        raise _fail(ValueError(f"unknown organisation '{org}' (known: {', '.join(sorted(service.orgs))})"))
    if question is None:
        if not as_json:
            raise _fail(ValueError("give a question, or use --json to read questions from stdin"))
        for line in _stdin_lines():
            print(json.dumps(_answer_json(service, line, org, top), ensure_ascii=False), flush=True)
        return
    try:
        answer = service.answer(Question(text=question, org=org), top_k=top)
    except QuestionError as exc:
        raise _fail(exc) from exc
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        _print_answer(answer)


def _stdin_lines() -> list[str]:
    """Questions from stdin: bytes decoded leniently (garbage becomes U+FFFD, which the service drops)."""
    data = sys.stdin.buffer.read()
    return data.decode("utf-8", errors="replace").splitlines()


def _answer_json(service: AnswerService, line: str, org: str, top: int | None) -> dict[str, object]:
    try:
        return service.answer(Question(text=line, org=org), top_k=top).to_json()
    except QuestionError as exc:  # one bad line must not cost the others their answers
        blank = Answer(question=line, org=org, answered=False).to_json()
        return {**blank, "error": str(exc)}


def _print_answer(answer: Answer) -> None:
    style = "green" if answer.answered else "yellow"
    if answer.urgent:
        out.print(f"[bold red]{escape(answer.urgent)}[/bold red]\n")
    out.print(f"[bold {style}]{escape(answer.message)}[/bold {style}]")
    for i, p in enumerate(answer.passages, 1):
        out.print(f"\n[bold]{i}.[/bold] [italic]\u201c{escape(p.text)}\u201d[/italic]")
        where = f"{p.document}" + (f" \u203a {p.section}" if p.section else "")
        out.print(f"   [dim]{escape(where)} ({escape(p.source)})[/dim]")
        if p.approved:
            out.print(f"   [dim]{escape(p.approved)}[/dim]")
    if answer.contacts:
        out.print("\n[bold]Who to contact:[/bold] " + "; ".join(escape(compose.describe(c)) for c in answer.contacts))
    for w in answer.warnings:
        out.print(f"[red]\u26a0 {escape(w)}[/red]")


@app.command()
def orgs(corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Organisations, their documents, clause counts and review status."""
    settings = _settings(corpus, index)
    try:
        idx = wiring.ensure_index(settings, wiring.embedder(settings))
    except PolicybotError as exc:
        raise _fail(exc) from exc
    today = settings.today or date.today()
    table = Table("name", "document", "clauses", "next review", "status")
    table.columns.insert(0, Column("organisation", no_wrap=True))
    for slug, org in sorted(idx.orgs.items()):
        docs = [d for d in idx.documents if d.org == slug]
        for d in docs or [None]:
            n = sum(1 for c in idx.clauses if d and c.source == d.source)
            status = compose.review_status(d, today) if d else "no documents"
            table.add_row(slug, org.name, d.title if d else "-", str(n),
                          (d.next_review_text or "-") if d else "-", status)
    out.print(table)
    for p in idx.problems:
        err.print(f"[yellow]not indexed[/yellow] {escape(p.source)}: {escape(p.reason)}")


@app.command()
def chat(org: Annotated[str, typer.Option("--org", help="Organisation slug.")] = "",
         corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Ask questions in the terminal (Ctrl-D to leave)."""
    service = _service(_settings(corpus, index))
    slugs = sorted(service.orgs)
    while org not in service.orgs:
        out.print("Organisations: " + ", ".join(slugs))
        org = typer.prompt("Which organisation are you from?", default=slugs[0])
    out.print(f"[bold]policybot[/bold] for {escape(service.orgs[org].name)}. Ask a question; Ctrl-D to leave.")
    while True:
        try:
            text = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        try:
            _print_answer(service.answer(Question(text=text, org=org, channel="terminal")))
        except QuestionError as exc:
            out.print(f"[yellow]{escape(str(exc))}[/yellow]")


def main() -> None:
    from bot import cli_admin  # noqa: F401  (registers serve, db, purge, report, slt)
    from bot import cli_invite  # noqa: F401  (registers invite)
    from bot import cli_teams  # noqa: F401  (registers teams-package)

    app()
