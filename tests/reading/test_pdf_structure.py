"""The PDF reader's structure: footnote marks, heading levels from the outline, text that is no heading,
columns of short lines, tables (captions, highlights, continued tables) and paragraphs over page breaks.

Each PDF is made here with fpdf2, line by line at fixed positions (points from the top-left), so each test
knows exactly which blocks come back.
"""

from __future__ import annotations

from fpdf import FPDF

from bot.reading.blocks import Block
from bot.reading.readers import pdf


def new_pdf() -> FPDF:
    doc = FPDF(unit="pt", format="A4")  # 595 x 842 points
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_font("Helvetica", size=11)
    return doc


def write(doc: FPDF, x: float, y: float, text: str, size: float = 11, style: str = "") -> float:
    """One run of text with its baseline at *y* points from the top; the x where it ends."""
    doc.set_font(doc.font_family, style=style, size=size)
    doc.text(x, y, text)
    return x + doc.get_string_width(text)


def read(doc: FPDF) -> list[Block]:
    return list(pdf.read("policy.pdf", bytes(doc.output())).blocks)


def test_footnote_mark_set_against_a_word_is_dropped() -> None:
    doc = new_pdf()
    end = write(doc, 72, 100, "All staff")
    end = write(doc, end, 96, "1", 7)
    write(doc, end, 100, " must read this policy.")
    write(doc, 72, 800, "1 Including volunteers.", 8)
    texts = [b.text for b in read(doc)]
    assert texts[0] == "All staff must read this policy."
