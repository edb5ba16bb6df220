"""`policybot index` (build and publish the search index) and `policybot orgs` (what is indexed)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from sqlalchemy.exc import SQLAlchemyError

from bot import wiring
from bot.cli._shared import CorpusOpt, IndexOpt, _fail, _settings, app, err, out
from bot.core import compose
from bot.errors import PolicybotError, StorageError

if TYPE_CHECKING:
    from bot.reading.documents import DocumentInfo


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
        docs: list[DocumentInfo | None] = [d for d in idx.documents if d.org == slug]
        for d in docs or [None]:
            n = sum(1 for c in idx.clauses if d and c.source == d.source)
            status = compose.review_status(d, today) if d else "no documents"
            table.add_row(slug, org.name, d.title if d else "-", str(n),
                          (d.next_review_text or "-") if d else "-", status)
    out.print(table)
    for p in idx.problems:
        err.print(f"[yellow]not indexed[/yellow] {escape(p.source)}: {escape(p.reason)}")
