"""`policybot report` (SLT review of the question log) and `policybot acks` (the induction
acknowledgement register)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from bot import runtime as runtime_mod
from bot.admin import register_pdf
from bot.admin.register import write_csv as write_register_csv
from bot.admin.report import print_report, write_csv
from bot.cli._shared import CorpusOpt, IndexOpt, OrgOpt, _database, _fail, _orgs, _settings, _since, app, out
from bot.errors import PolicybotError


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
         pdf_file: Annotated[Optional[Path], typer.Option("--pdf", help="Write the register as a printable PDF.")] = None,
         corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """The induction acknowledgement register: per policy version, who acknowledged and who is outstanding."""
    settings = _settings(corpus, index)
    try:
        runtime = runtime_mod.build(settings)
        try:
            if org not in runtime.orgs:
                raise PolicybotError(f"unknown organisation '{org}' (known: {', '.join(sorted(runtime.orgs))})")
            registers = runtime.register(org)
            name, now = runtime.orgs[org].name, runtime.clock()
        finally:
            runtime.close()
    except PolicybotError as exc:
        raise _fail(exc) from exc
    if pdf_file is not None:
        try:
            pdf_file.write_bytes(register_pdf.render(name, registers, now))
        except OSError as exc:
            raise _fail(PolicybotError(f"{pdf_file}: cannot be written ({exc.strerror})")) from exc
        out.print(f"wrote the register of {len(registers)} policies to {pdf_file}")
        if csv_file is None:
            return
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
