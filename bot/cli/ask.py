"""`policybot ask` and `policybot chat`: questions answered from one organisation's policies, in the
terminal. Errors from the core are caught here and shown plainly."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.markup import escape

from bot.cli._shared import CorpusOpt, IndexOpt, _fail, _service, _settings, app, out
from bot.core import compose
from bot.core.models import Answer, Question
from bot.core.service import AnswerService
from bot.errors import QuestionError


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
