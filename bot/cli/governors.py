"""`policybot governors-report`: the termly report for governors as a PDF (bot.admin.governors), the same
one the dashboard's button downloads. Counts only: no question text, no names."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot import runtime as runtime_mod
from bot.admin import governors, terms
from bot.cli._shared import CorpusOpt, IndexOpt, OrgOpt, _fail, _settings, app, out
from bot.errors import PolicybotError
from bot.storage.question_log import utc_now


@app.command("governors-report")
def governors_report(
        org: OrgOpt,
        term: Annotated[Optional[str], typer.Option(help="The term: autumn-2026, spring-2027, summer-2027 "
                                                         "(autumn Sep-Dec, spring Jan-Easter, summer Easter-Aug); "
                                                         "default this term.")] = None,
        output: Annotated[Optional[Path], typer.Option("-o", "--output", help="The PDF to write; default "
                                                       "governors-<org>-<term>.pdf here.")] = None,
        corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """The termly report for governors (PDF): questions, answered rate, gaps closed, policies overdue for
    review, induction completion, safeguarding concerns raised; counts only."""
    try:
        chosen = terms.parse(term) if term else terms.term_of(utc_now().date())
    except ValueError as exc:
        raise _fail(ValueError(f"--term: {exc}")) from exc
    target = output or Path(f"governors-{org}-{chosen.slug}.pdf")
    if target.is_dir():
        raise _fail(OSError(f"{target} is a folder; give the PDF's file name"))
    settings = _settings(corpus, index)
    try:
        runtime = runtime_mod.build(settings)
        try:
            if org not in runtime.orgs:
                raise PolicybotError(f"unknown organisation '{org}' (known: {', '.join(sorted(runtime.orgs))})")
            pdf = governors.for_runtime(runtime, org, chosen)
        finally:
            runtime.close()
        target.write_bytes(pdf)
    except (PolicybotError, OSError) as exc:
        raise _fail(exc) from exc
    out.print(f"wrote the governors' report for {chosen.label} ({chosen.span}) to {target}")
