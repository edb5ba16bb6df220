"""`policybot staff import --org SLUG FILE.csv` and `policybot staff list --org SLUG`: the staff directory
the acknowledgement register names people from (bot.storage.staff)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli._shared import CorpusOpt, OrgOpt, _database, _fail, _orgs, _settings, app, out
from bot.config import Settings
from bot.errors import PolicybotError
from bot.reading.documents import Organisation
from bot.storage.staff import SqlStaff, StaffImportError, parse_csv

staff_app = typer.Typer(help="The staff directory (names for the acknowledgement register).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")

MAX_BYTES = 5_000_000  # a whole trust's MIS export is a few hundred kilobytes


def _org(slug: str, corpus: Path | None) -> tuple[Organisation, Settings]:
    settings = _settings(corpus, None)
    orgs = _orgs(settings.corpus_dir)
    if slug not in orgs:
        raise PolicybotError(f"unknown organisation '{slug}' (known: {', '.join(sorted(orgs))})")
    return orgs[slug], settings


def _read(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252, which older MIS
    exports use."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StaffImportError(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    if len(raw) > MAX_BYTES:
        raise StaffImportError(f"{path}: {len(raw):,} bytes is too large for a staff list")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@staff_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="CSV with name (or forename and surname), e-mail and role.")],
            org: OrgOpt,
            prune: Annotated[bool, typer.Option("--prune", help="Delete people who are not in this file, "
                                                "instead of marking them left.")] = False,
            corpus: CorpusOpt = None) -> None:
    """Import a staff list (what a school's MIS exports): upserted by e-mail; anyone from an earlier import
    missing from this one is marked left (their acknowledgements keep their name), or deleted with --prune."""
    try:
        organisation, settings = _org(org, corpus)
        rows = parse_csv(_read(file))
        with _database(settings) as db:
            staff = SqlStaff(db)
            staff.sync_org_file(org, organisation.staff)
            result = staff.import_rows(org, rows, prune=prune)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    gone = f"{result.pruned} deleted" if prune else f"{result.marked_left} marked left"
    out.print(f"{escape(organisation.name)}: {len(rows)} people read from {escape(str(file))}: {result.added} added, "
              f"{result.updated} updated, {result.unchanged} unchanged, {gone}", soft_wrap=True)


@staff_app.command("list")
def list_(org: OrgOpt,
          everyone: Annotated[bool, typer.Option("--all", help="Include people marked left.")] = False,
          corpus: CorpusOpt = None) -> None:
    """The staff directory: the org file's staff list and imports, with the chat accounts matched to each."""
    try:
        organisation, settings = _org(org, corpus)
        with _database(settings) as db:
            staff = SqlStaff(db)
            staff.sync_org_file(org, organisation.staff)
            members = staff.members(org, include_left=everyone)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    table = Table("name", "e-mail", "role", "from", "chat accounts", "status",
                  title=f"{organisation.name}: {len(members)} people")
    for m in members:
        table.add_row(escape(m.name), escape(m.email or ""), escape(m.role or ""),
                      "org file" if m.origin == "org_file" else "import", ", ".join(dict.fromkeys(m.platforms)),
                      f"left {m.left_at:%-d %b %Y}" if m.left_at else "current")
    out.print(table)
