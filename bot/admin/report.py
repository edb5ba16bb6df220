"""`policybot report`: the SLT review as terminal tables, and the log as CSV."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from bot.admin import queries

CSV_HEADER = ("asked_at", "channel", "asker", "question", "answered", "safeguarding_flag", "document", "section",
              "helpful", "feedback_comment")


def write_csv(session: Session, org: str, since: datetime, include_flagged: bool, out: TextIO) -> int:
    """Every entry of *org* since *since*, oldest first; safeguarding-flagged ones only if asked for."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    count = 0
    for row in session.execute(queries.entries_for_csv(session, org, since, include_flagged)):
        writer.writerow([row[0].isoformat(), *(cell(v) for v in row[1:])])
        count += 1
    return count


def cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formulas when opened in a spreadsheet


def print_report(session: Session, org: str, name: str, since: datetime, include_flagged: bool,
                 console: Console) -> None:
    weeks = queries.weekly(session, org, since)
    t = queries.totals(session, org, since, weeks)
    rate = f"{t.answered / t.asked:.0%}" if t.asked else "–"
    console.print(f"[bold]{escape(name)}[/bold] — questions since {since:%-d %B %Y}: {t.asked} asked by "
                  f"{t.askers} people, {rate} answered, {t.flagged} safeguarding-flagged")
    per_week = Table("week of", "asked", "answered", "rate", title="Questions per week")
    for w in weeks:
        per_week.add_row(f"{w.week:%-d %b %Y}", str(w.asked), str(w.answered), f"{w.answered_rate:.0%}")
    console.print(per_week)
    gaps = Table("times", "unanswered question (similar ones grouped)", "last asked", title="Gaps to fill")
    for g in queries.open_gaps(session, org, since)[:20]:
        more = f" (+{g.count - 1} similar)" if g.count > 1 else ""
        gaps.add_row(str(g.count), escape(g.questions[0]) + more, f"{g.last_asked:%-d %b %Y}")
    console.print(gaps)
    clauses = Table("times", "document", "section", title="Most-quoted clauses")
    for c in queries.top_clauses(queries.quoted(session, org, since)):
        clauses.add_row(str(c.count), escape(c.label), escape(c.detail))
    console.print(clauses)
    comments = Table("asked", "question", "comment", "quoted", title="Answers marked not helpful")
    for note in queries.not_helpful(session, org, since):
        comments.add_row(f"{note.asked_at:%-d %b}", escape(note.question), escape(note.comment or ""),
                         escape(f"{note.top_document or ''} › {note.top_section or ''}"))
    console.print(comments)
    if include_flagged:
        flagged = Table("asked", "question", "why flagged", "channel", title="Safeguarding-flagged (DSL only)")
        for f in queries.flagged(session, org, since):
            flagged.add_row(f"{f.asked_at:%-d %b %H:%M}", escape(f.question), escape(f.reason or ""), f.channel)
        console.print(flagged)
