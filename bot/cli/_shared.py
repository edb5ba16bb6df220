"""What every command module shares: the one Typer app, the two consoles, the common options and helpers.

Command modules (bot/cli/*.py) import this module and the rest of `bot`, never each other; bot/cli/__init__.py
imports them so that their commands are registered on `app`. This module imports no command module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Optional, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session, sessionmaker

from bot import wiring
from bot.config import Settings
from bot.core.service import AnswerService
from bot.errors import PolicybotError
from bot.reading.corpus import load_org
from bot.reading.documents import Organisation
from bot.storage.question_log import utc_now

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="policybot: answers staff questions from their own school's policies.")
out = Console()
err = Console(stderr=True)

CorpusOpt = Annotated[Optional[Path], typer.Option("--corpus", help="Corpus folder (one folder per organisation).")]
IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder.")]
OrgOpt = Annotated[str, typer.Option("--org", help="Organisation slug (its folder name in the corpus).")]

PROGRESS_DELAY = 3.0  # seconds a model load lasts on a terminal before its bar is drawn


def _quiet_progress_bars(stream: TextIO | None = None) -> None:
    """The libraries' own progress bars (transformers' "Loading weights", sentence-transformers'
    "Batches", huggingface_hub's) only for a person watching a long load: none at all when stderr is not
    a terminal (a script, a log, a pipe), and on a terminal only once a load has lasted PROGRESS_DELAY
    seconds. Our own bar (`policybot index`, rich) is not affected. tqdm and huggingface_hub read these
    variables when they are imported, which is when a model is first loaded (not when bot.cli is
    imported); settings already in the environment are kept."""
    stream = stream if stream is not None else sys.stderr
    try:
        watched = stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # no stderr (pythonw), or a closed one
        watched = False
    if watched:
        os.environ.setdefault("TQDM_DELAY", str(PROGRESS_DELAY))
        return
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers.utils.logging" in sys.modules:  # imported already (in-process callers, tests)
        sys.modules["transformers.utils.logging"].disable_progress_bar()


def _settings(corpus: Path | None, index: Path | None) -> Settings:
    overrides: dict[str, Any] = {k: v for k, v in (("corpus_dir", corpus), ("index_dir", index)) if v is not None}
    return Settings(**overrides)


def _fail(exc: Exception) -> typer.Exit:
    """Show the error plainly on stderr; raise the returned Exit (status 2)."""
    err.print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(2)


def _service(settings: Settings) -> AnswerService:
    """The answer service over an up-to-date index (rebuilt from the cache if the corpus changed)."""
    try:
        emb = wiring.embedder(settings)
        return wiring.logged_service(settings, emb)
    except PolicybotError as exc:
        raise _fail(exc) from exc


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
    """--since YYYY-MM-DD as a UTC datetime; 12 weeks ago when not given."""
    if raw is None:
        return utc_now() - timedelta(weeks=12)
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tzinfo=timezone.utc)
    except ValueError:
        err.print(f"[red]error:[/red] --since {escape(raw)!s} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
