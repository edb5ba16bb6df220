"""The acknowledgement register as a printable PDF (A4, reportlab): for an inspector's file, one section per
induction policy version, naming who acknowledged it, when and where, and who is outstanding."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.admin.register import PLATFORMS, PolicyRegister

_STYLES = getSampleStyleSheet()
_CELL = _STYLES["BodyText"].clone("cell", fontSize=9, leading=11)
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")])


def render(org_name: str, registers: Sequence[PolicyRegister], generated: datetime) -> bytes:
    """The register as PDF bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{org_name}: induction acknowledgement register",
                            author="policybot")
    story: list[Flowable] = [
        Paragraph(escape(f"{org_name}: induction acknowledgement register"), _STYLES["Title"]),
        Paragraph(escape(f"Produced {generated:%-d %B %Y at %H:%M} UTC. Each policy is identified by its version "
                         "(content fingerprint and the policy's own date). Outstanding: members of the staff "
                         "directory who have not acknowledged the current version."), _STYLES["BodyText"]),
        Spacer(1, 6 * mm)]
    if not registers:
        story.append(Paragraph("No induction policies.", _STYLES["BodyText"]))
    for reg in registers:
        story.extend(_section(reg))
    doc.build(story, onFirstPage=_footer(org_name), onLaterPages=_footer(org_name))
    return buffer.getvalue()


def _section(reg: PolicyRegister) -> list[Flowable]:
    heading = Paragraph(escape(f"{reg.title} — version {reg.version}"), _STYLES["Heading2"])
    counts = Paragraph(escape(f"{len(reg.acknowledged)} acknowledged, {len(reg.outstanding)} outstanding"
                              + (f", {len(reg.unlisted)} by accounts not in the directory" if reg.unlisted else "")),
                       _STYLES["BodyText"])
    rows: list[list[object]] = [["Person", "Status", "When (UTC)", "Where"]]
    for name, when, channel in reg.acknowledged:
        rows.append(_row(name, "acknowledged", f"{when:%-d %b %Y %H:%M}", channel))
    older = {o[0]: o for o in reg.older}
    for name, when, channel in reg.older:
        rows.append(_row(name, "older version only", f"{when:%-d %b %Y}", channel))
    for name in reg.outstanding:
        if name not in older:
            rows.append(_row(name, "outstanding", "", ""))
    for name, when, channel in reg.unlisted:
        rows.append(_row(name, "acknowledged (not in directory)", f"{when:%-d %b %Y %H:%M}", channel))
    table = Table(rows, colWidths=[62 * mm, 45 * mm, 36 * mm, 31 * mm], repeatRows=1)
    table.setStyle(_GRID)
    return [KeepTogether([heading, counts, Spacer(1, 2 * mm)]), table, Spacer(1, 6 * mm)]


def _row(name: str, status: str, when: str, channel: str) -> list[object]:
    return [Paragraph(escape(name), _CELL), Paragraph(escape(status), _CELL), when, PLATFORMS.get(channel, channel)]


def _footer(org_name: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{org_name} · acknowledgement register")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()
    return draw
