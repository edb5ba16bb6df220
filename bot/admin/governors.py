"""The termly report for governors, as a PDF (reportlab; charts with reportlab.graphics): questions asked
and answered, gaps SLT closed, policies overdue for review, induction completion and safeguarding concerns
raised. Counts only: no question's text and nobody's name is read into it, so it can go in a governors'
pack as it is.

`figures` reads the counts (plain data, testable without a PDF); `write_pdf` draws them; `for_runtime` does
both for a running server or command (the dashboard's button, `policybot governors-report`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.admin import queries
from bot.admin.terms import Term
from bot.core.compose import review_status
from bot.reading.documents import DocumentInfo
from bot.storage.tables import Acknowledgement, Concern, LogEntry, SltAnswer

INK, ACCENT, LIGHT, MUTED = colors.HexColor("#1d2433"), colors.HexColor("#2456a6"), colors.HexColor("#9db7e0"), \
    colors.HexColor("#5b6475")
CONCERN_STATUS = (("new", "not yet seen by the DSL"), ("seen", "seen"), ("followed_up", "followed up"))


@dataclass(frozen=True)
class Induction:
    policy: str
    acknowledged: int  # people who acknowledged the current version
    expected: int  # everyone expected to (the register's people)


@dataclass(frozen=True)
class Figures:
    org_name: str
    term: Term
    as_of: date  # the review dates and induction are as at this day (the term's last, or today)
    asked: int
    answered: int
    weeks: tuple[queries.Week, ...]
    channels: tuple[tuple[str, int], ...]
    gaps_closed: int  # SLT answers approved in the term
    questions_resolved: int  # questions those answers resolved
    still_open: int  # questions asked in the term, not answered, not resolved (flagged ones excluded)
    policies: int
    overdue: tuple[tuple[str, str], ...]  # (policy title, its review date as written)
    induction: tuple[Induction, ...]
    people: int
    people_complete: int  # acknowledged every induction policy's current version
    acknowledgements: int  # recorded in the term
    concerns: tuple[tuple[str, int], ...]  # (status, count) of concerns raised in the term

    @property
    def answered_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0

    @property
    def concerns_raised(self) -> int:
        return sum(n for _, n in self.concerns)


def figures(db: sessionmaker[Session], org: str, org_name: str, term: Term, today: date,
            documents: Iterable[DocumentInfo], registers: Sequence[Any]) -> Figures:
    """The counts for *org*'s *term*. *documents* are the policies in the school's scope (its own and its
    trust's); *registers* its induction register (bot.admin.register.PolicyRegister)."""
    start, end = _utc(term.start), _utc(term.end)
    period = queries.Filters(start, end)
    as_of = min(term.last_day, today)
    docs = [d for d in documents if not d.source.endswith("slt-answers.yaml")]
    with db() as session:
        weeks = queries.fill_weeks(queries.weekly(session, org, period), term.start, min(term.last_day, today))
        closed = session.scalar(select(func.count()).select_from(SltAnswer).where(
            SltAnswer.org == org, SltAnswer.approved_at >= start, SltAnswer.approved_at < end)) or 0
        resolved = session.scalar(select(func.count()).select_from(LogEntry).join(
            SltAnswer, SltAnswer.id == LogEntry.resolved_by).where(
            LogEntry.org == org, SltAnswer.approved_at >= start, SltAnswer.approved_at < end)) or 0
        still_open = session.scalar(queries._period(select(func.count()).select_from(LogEntry), org, period).where(
            LogEntry.answered.is_(False), LogEntry.flagged.is_(False), LogEntry.resolved_by.is_(None))) or 0
        channels = _grouped(session, select(LogEntry.channel, func.count()).where(
            LogEntry.org == org, LogEntry.asked_at >= start, LogEntry.asked_at < end).group_by(LogEntry.channel))
        concerns = _grouped(session, select(Concern.status, func.count()).where(
            Concern.org == org, Concern.raised_at >= start, Concern.raised_at < end).group_by(Concern.status))
        acks = session.scalar(select(func.count()).select_from(Acknowledgement).where(
            Acknowledgement.org == org, Acknowledgement.acknowledged_at >= start,
            Acknowledgement.acknowledged_at < end)) or 0
    induction, people, complete = _induction(registers)
    return Figures(
        org_name=org_name, term=term, as_of=as_of, asked=sum(w.asked for w in weeks),
        answered=sum(w.answered for w in weeks), weeks=tuple(weeks),
        channels=tuple(sorted(channels.items(), key=lambda c: (-c[1], c[0]))),
        gaps_closed=closed, questions_resolved=resolved, still_open=still_open, policies=len(docs),
        overdue=tuple(sorted((d.title, d.next_review_text or str(d.next_review)) for d in docs
                             if review_status(d, as_of) == "overdue")),
        induction=induction, people=people, people_complete=complete, acknowledgements=acks,
        concerns=tuple((s, concerns.get(s, 0)) for s, _ in CONCERN_STATUS))


def for_runtime(runtime: Any, org: str, term: Term) -> bytes:
    """The report's PDF for *org* from a running server's (or a command's) bot.runtime.Runtime."""
    scope = set(runtime.service.searcher.scope_orgs(org))
    docs = [d for d in runtime.service.documents.values() if d.org in scope]
    found = figures(runtime.db, org, runtime.orgs[org].name, term, runtime.clock().date(), docs,
                    runtime.register(org))
    out = io.BytesIO()
    write_pdf(found, out, made=runtime.clock())
    return out.getvalue()


def _grouped(session: Session, stmt: Any) -> dict[str, int]:
    return {key: count for key, count in session.execute(stmt)}


def _name(row: Any) -> str:
    """A person in a register row: the row itself, or its first field ((name, when, channel))."""
    return row if isinstance(row, str) else str(row[0])


def _induction(registers: Sequence[Any]) -> tuple[tuple[Induction, ...], int, int]:
    rows, everyone, behind = [], set(), set()
    for reg in registers:
        done = {_name(r) for r in reg.acknowledged}
        waiting = {_name(r) for r in reg.outstanding} - done
        rows.append(Induction(reg.title, len(done), len(done | waiting)))
        everyone |= done | waiting
        behind |= waiting
    return tuple(rows), len(everyone), len(everyone - behind)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


# --- The PDF ------------------------------------------------------------------------------------------


def write_pdf(f: Figures, out: BinaryIO, made: datetime | None = None) -> None:
    styles = _styles()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"{f.org_name}: report to governors, {f.term.label}",
                            author="policybot", subject="Staff policy questions, counts only")
    made_on = (made or datetime.now(timezone.utc)).date()
    story: list[Any] = [
        Paragraph(f"{_esc(f.org_name)}", styles["title"]),
        Paragraph(f"Report to governors, {f.term.label}", styles["subtitle"]),
        Paragraph(f"The term: {f.term.span}. Prepared on {made_on:%-d %B %Y}. Counts only: no question's "
                  "wording and nobody's name appear in this report.", styles["muted"]),
        Spacer(1, 5 * mm), _key_figures(f, styles), Spacer(1, 6 * mm),
        KeepTogether([Paragraph("Questions from staff, week by week", styles["h2"]), _weekly_chart(f)]),
        Spacer(1, 4 * mm), _channels(f, styles), Spacer(1, 4 * mm),
        KeepTogether([Paragraph("Induction: who has read and acknowledged each policy", styles["h2"]),
                      _induction_chart(f, styles)]),
        Spacer(1, 4 * mm), _overdue(f, styles), Spacer(1, 4 * mm), _concerns(f, styles),
        Spacer(1, 6 * mm), Paragraph(_definitions(f), styles["muted"]),
    ]
    doc.build(story, onFirstPage=_footer(f), onLaterPages=_footer(f))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], alignment=0, fontSize=20, leading=24, textColor=INK,
                                spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base["Heading2"], fontSize=13, leading=17, textColor=ACCENT,
                                   spaceBefore=0, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base["Heading3"], fontSize=12, leading=15, textColor=INK, spaceAfter=4),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13, textColor=INK),
        "muted": ParagraphStyle("muted", parent=base["BodyText"], fontSize=8.5, leading=11, textColor=MUTED),
        "big": ParagraphStyle("big", parent=base["BodyText"], fontName="Helvetica-Bold", fontSize=18, leading=21,
                              textColor=ACCENT),
    }


def _key_figures(f: Figures, styles: dict[str, ParagraphStyle]) -> Table:
    rate = f"{f.answered_rate:.0%}" if f.asked else "–"
    complete = f"{f.people_complete} of {f.people}" if f.people else "no induction policies"
    cells = [
        ("Questions asked", str(f.asked), f"{f.answered} answered from the school's policies"),
        ("Answered rate", rate, f"{f.asked - f.answered} not answered from the policies" if f.asked else
         "no questions were asked this term"),
        ("Gaps closed", str(f.gaps_closed), f"SLT answers approved, resolving {_n(f.questions_resolved, 'question')}; "
                                           f"{f.still_open} still open"),
        ("Policies overdue for review", str(len(f.overdue)), f"of {f.policies} policies, as at {f.as_of:%-d %B %Y}"),
        ("Induction complete", complete, f"people with every induction policy acknowledged; "
                                         f"{f.acknowledgements} acknowledgements this term"),
        ("Safeguarding concerns raised", str(f.concerns_raised),
         f"{dict(f.concerns).get('followed_up', 0)} followed up by the DSL"),
    ]
    rows = [[Paragraph(label, styles["body"]), Paragraph(_esc(value), styles["big"]), Paragraph(_esc(note), styles["muted"])]
            for label, value, note in cells]
    table = Table(rows, colWidths=[52 * mm, 38 * mm, 84 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.HexColor("#d9dee7")),
                               ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return table


def _weekly_chart(f: Figures) -> Drawing:
    d = Drawing(174 * mm, 68 * mm)
    chart = VerticalBarChart()
    # (type: ignore: types-reportlab declares the charts' geometry as int; reportlab takes any number of points)
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 156 * mm, 46 * mm  # type: ignore[assignment]
    weeks = f.weeks or (queries.Week(f.term.start, 0, 0),)
    chart.data = [[w.asked for w in weeks], [w.answered for w in weeks]]
    every = max(1, -(-len(weeks) // 9))
    chart.categoryAxis.categoryNames = [f"{w.week:%-d %b}" if i % every == 0 else "" for i, w in enumerate(weeks)]
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.fillColor = MUTED
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(4, max(w.asked for w in weeks))
    chart.valueAxis.valueStep = max(1, -(-chart.valueAxis.valueMax // 4))
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#d9dee7")
    chart.bars[0].fillColor, chart.bars[1].fillColor = LIGHT, ACCENT
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 0.5, 3  # type: ignore[assignment]
    legend = Legend()
    legend.x, legend.y, legend.fontSize, legend.alignment = 14 * mm, 66 * mm, 8, "right"  # type: ignore[assignment]
    legend.columnMaximum, legend.dx, legend.dy, legend.deltax = 1, 7, 7, 22 * mm  # type: ignore[assignment]
    legend.colorNamePairs = [(LIGHT, "asked"), (ACCENT, "answered from the policies")]
    d.add(chart)
    d.add(legend)
    return d


def _induction_chart(f: Figures, styles: dict[str, ParagraphStyle]) -> Any:
    if not f.induction:
        return Paragraph("The school has no induction policies set.", styles["body"])
    rows = list(reversed(f.induction))  # the chart draws from the bottom: first policy on top
    d = Drawing(174 * mm, (12 + 9 * len(rows)) * mm)
    chart = HorizontalBarChart()
    # (type: ignore: types-reportlab declares the charts' geometry as int; reportlab takes any number of points)
    chart.x, chart.y, chart.width, chart.height = 74 * mm, 6 * mm, 82 * mm, 9 * mm * len(rows)  # type: ignore[assignment]
    chart.data = [[100 * r.acknowledged / r.expected if r.expected else 0 for r in rows]]
    chart.categoryAxis.categoryNames = [_short(r.policy, 44) for r in rows]
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor, chart.bars.strokeColor = ACCENT, None
    d.add(chart)
    for i, r in enumerate(rows):  # the figure beside each bar
        y = chart.y + chart.height * (i + 0.5) / len(rows) - 3
        d.add(String(chart.x + chart.width + 3 * mm, y, f"{r.acknowledged} of {r.expected}", fontSize=8.5,
                     fillColor=INK))
    return d


def _channels(f: Figures, styles: dict[str, ParagraphStyle]) -> Any:
    if not f.channels:
        return Paragraph("No questions were asked this term.", styles["body"])
    text = ", ".join(f"{_channel(c)} {n}" for c, n in f.channels)
    return Paragraph(f"Where staff asked: {text}.", styles["body"])


def _overdue(f: Figures, styles: dict[str, ParagraphStyle]) -> Any:
    head = Paragraph(f"Policies overdue for review ({len(f.overdue)} of {f.policies})", styles["h2"])
    if not f.overdue:
        return KeepTogether([head, Paragraph(f"None: every policy with a review date is within it on "
                                             f"{f.as_of:%-d %B %Y}.", styles["body"])])
    rows = [["Policy", "Review was due"]] + [[Paragraph(_esc(t), styles["body"]), _esc(w)] for t, w in f.overdue]
    table = Table(rows, colWidths=[120 * mm, 54 * mm], repeatRows=1)
    table.setStyle(_table_style())
    return KeepTogether([head, table])


def _concerns(f: Figures, styles: dict[str, ParagraphStyle]) -> Any:
    head = Paragraph(f"Safeguarding concerns raised through the bot ({f.concerns_raised})", styles["h2"])
    rows = [["Where each stands now", "Concerns"]] + [[label, str(dict(f.concerns).get(s, 0))]
                                                      for s, label in CONCERN_STATUS]
    table = Table(rows, colWidths=[120 * mm, 54 * mm])
    table.setStyle(_table_style())
    note = Paragraph("Each was a question a member of staff asked that described a concern about a child or an "
                     "adult; the bot told them to speak to the DSL that day and told the DSL. Details stay with "
                     "the DSL.", styles["muted"])
    return KeepTogether([head, table, Spacer(1, 2 * mm), note])


def _table_style() -> TableStyle:
    return TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9), ("FONT", (0, 1), (-1, -1), "Helvetica", 10),
                       ("TEXTCOLOR", (0, 0), (-1, 0), MUTED), ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#d9dee7")),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _definitions(f: Figures) -> str:
    return ("How these are counted. A term runs autumn 1 September to 31 December, spring 1 January to Easter, "
            "summer Easter to 31 August. A question is answered when the bot quoted the school's policies; "
            "a gap is closed when SLT approve an answer to questions it could not answer. Review dates are those "
            f"written in each policy, as at {f.as_of:%-d %B %Y}; induction is as at the day this report was made.")


def _footer(f: Figures) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, f"{f.org_name} - report to governors, {f.term.label} - counts only")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()
    return draw


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _channel(name: str) -> str:
    return {"web": "web chat", "slack": "Slack", "teams": "Teams", "telegram": "Telegram"}.get(name, name)


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
