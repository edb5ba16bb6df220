"""The PDF reader's structure: footnote marks, heading levels from the outline, text that is no heading,
columns of short lines, tables (captions, highlights, continued tables) and paragraphs over page breaks.

Each PDF is made here with fpdf2, line by line at fixed positions (points from the top-left), so each test
knows exactly which blocks come back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from bot.reading.blocks import Block
from bot.reading.readers import pdf


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
needs_dejavu = pytest.mark.skipif(not (DEJAVU / "DejaVuSans-Bold.ttf").exists(), reason="DejaVu fonts not installed")


def dejavu(doc: FPDF) -> None:
    """Set in DejaVu Sans (regular and bold), which has the bullet glyph "•"."""
    doc.add_font("DejaVu", fname=str(DEJAVU / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", style="B", fname=str(DEJAVU / "DejaVuSans-Bold.ttf"))
    doc.set_font("DejaVu", size=11)


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


def test_numbered_sections_rank_above_large_appendix_display_text() -> None:
    """All headings in one style: numbering makes "N." level 2 and an unnumbered heading after it a
    child; 20 pt text on an appendix page ranks no higher than the numbered sections."""
    doc = new_pdf()
    write(doc, 72, 60, "Safeguarding Policy", 22, "B")
    y = 100.0
    for text in ["Key Personnel", "1. Introduction", "2. Aims", "3. Procedures", "If a pupil discloses",
                 "4. Training"]:
        write(doc, 72, y, text, 13)
        write(doc, 72, y + 22, "Staff follow this section.")
        y += 55
    doc.add_page()
    write(doc, 72, 80, "Appendix 1", 13, "B")
    write(doc, 72, 110, "Useful Contacts", 20, "B")
    write(doc, 72, 135, "Ring the hub.")
    write(doc, 72, 170, "Early Help Team", 20, "B")
    write(doc, 72, 195, "Ring the team.")
    heads = [(b.text, b.level) for b in read(doc) if b.kind == "heading"]
    assert heads == [("Safeguarding Policy", 1), ("Key Personnel", 2), ("1. Introduction", 2), ("2. Aims", 2),
                     ("3. Procedures", 2), ("If a pupil discloses", 3), ("4. Training", 2), ("Appendix 1", 2),
                     ("Useful Contacts", 3), ("Early Help Team", 3)]


def test_outline_levels_pure_step() -> None:
    from bot.reading.readers.pdf_outline import Head, numbered_depth, outline_levels
    assert [numbered_depth(t) for t in ["3. Aims", "4.0 Scope", "3.2 Staff", "3.2.1 Cover", "Aims", "2021 review"]] \
        == [0, 0, 1, 2, None, None]
    body = (12.0, True)
    heads = [Head(body, "1. Aims"), Head(body, "1.1 Scope"), Head((11.0, True), "Who"), Head(body, "2. Roles"),
             Head(body, "Governors"), Head(body, "3. Training"), Head((16.0, True), "Contacts")]
    assert outline_levels(heads) == [2, 3, 4, 2, 3, 2, 3]
    unnumbered = [Head((16.0, True), "Scope"), Head((12.0, True), "Pupils"), Head((12.0, True), "Staff"),
                  Head((16.0, True), "Roles"), Head((20.0, True), "One-off")]
    assert outline_levels(unnumbered) == [2, 3, 3, 2, 2]


def test_contact_lines_in_large_type_are_not_headings() -> None:
    from bot.reading.readers.pdf_text import heading_words
    assert heading_words("Early Help Team") and heading_words("1. Introduction") and heading_words("Appendix 4")
    for text in ["Tel: 01392 384964", "For all enquiries (01392) 384964", "mash@devon.gov.uk",
                 "https://www.example.gov.uk/making-an-enquiry", "0345 155 1071", "12/03/2021"]:
        assert not heading_words(text), text
    doc = new_pdf()
    write(doc, 72, 80, "Contacts", 20, "B")
    write(doc, 72, 120, "Front door: 0345 155 1071", 16)
    write(doc, 72, 150, "Call the front door with any concern.")
    assert [(b.kind, b.text) for b in read(doc)][1] == ("paragraph", "Front door: 0345 155 1071")


def test_numbered_heading_right_under_another_starts_its_own() -> None:
    doc = new_pdf()
    write(doc, 72, 80, "7. Collecting Personal Data", 12, "B")
    write(doc, 72, 96, "7.1 Lawfulness and Fairness", 12, "B")
    write(doc, 72, 120, "We only process data lawfully.")
    assert [(b.kind, b.text, b.level) for b in read(doc)][:2] == [
        ("heading", "7. Collecting Personal Data", 1), ("heading", "7.1 Lawfulness and Fairness", 2)]


@needs_dejavu
def test_bold_word_wrapped_onto_the_next_line_stays_in_its_item() -> None:
    doc = new_pdf()
    dejavu(doc)
    write(doc, 72, 80, "\u2022", 11)
    write(doc, 90, 80, "The data is processed so that the school can comply with a legal")
    write(doc, 90, 94, "obligation", 11, "B")
    write(doc, 72, 112, "\u2022", 11)
    write(doc, 90, 112, "The data is processed to protect someone's life.")
    assert [b.text for b in read(doc)] == [
        "The data is processed so that the school can comply with a legal obligation",
        "The data is processed to protect someone's life."]


@needs_dejavu
def test_two_columns_of_bullets_on_a_one_column_page_read_column_by_column() -> None:
    doc = new_pdf()
    dejavu(doc)
    write(doc, 72, 60, "Roles and Responsibilities", 11)
    left = ["Governors", "Headteacher and Senior Leaders", "Teaching Staff", "Support Staff"]
    right = ["Designated Safeguarding", "Pupils", "Parents / Carers", "Community Users"]
    for i in range(5):
        y = 80 + 14 * i
        if i < len(left):
            write(doc, 84, y, "\u2022")
            write(doc, 98, y, left[i])
        if i == 1:
            write(doc, 351, y, "Lead / Officer")
        else:
            write(doc, 337, y, "\u2022")
            write(doc, 351, y, right[i if i == 0 else i - 1])
    write(doc, 72, 160, "Each role is described below, in the order of the list above.")
    blocks = read(doc)
    assert [(b.kind, b.text, b.level) for b in blocks[1:]] == [
        ("item", "Governors", 0), ("item", "Headteacher and Senior Leaders", 0), ("item", "Teaching Staff", 0),
        ("item", "Support Staff", 0), ("item", "Designated Safeguarding Lead / Officer", 0), ("item", "Pupils", 0),
        ("item", "Parents / Carers", 0), ("item", "Community Users", 0), ("paragraph", "Each role is described below, in the order of the list above.", 0)]


def grid_table(doc: FPDF, x: float, y: float, widths: list[float], rows: list[list[str]], height: float = 24,
               bold_first: bool = False) -> float:
    """A table drawn cell by cell as boxes (as word processors draw them); the y below it."""
    for r, cells in enumerate(rows):
        left = x
        for w, text in zip(widths, cells):
            doc.rect(left, y, w, height)
            write(doc, left + 4, y + 16, text, 11, "B" if bold_first and r == 0 else "")
            left += w
        y += height
    return y


def test_highlighted_lines_are_no_table() -> None:
    """Word's highlighting: a filled box behind each line, each as wide as its line's text."""
    doc = new_pdf()
    doc.set_fill_color(255, 255, 0)
    lines = ["Personal data that is no longer needed will be disposed", "of securely, unless it is kept in",
             "the school archive as described in section 15."]
    for i, text in enumerate(lines):
        doc.set_font("Helvetica", size=11)
        doc.rect(72, 88 + 14.5 * i, doc.get_string_width(text), 14.5, style="F")
        write(doc, 72, 99 + 14.5 * i, text)
    blocks = read(doc)
    assert [(b.kind, b.text) for b in blocks] == [("paragraph", " ".join(lines))]


def test_highlighted_caption_above_a_table_is_text_and_short_labels_are_its_header() -> None:
    doc = new_pdf()
    doc.set_fill_color(200, 200, 200)
    doc.rect(72, 60, 190, 16, style="DF")
    write(doc, 76, 72, "Document Version Control Log", 11, "B")
    grid_table(doc, 72, 76, [60, 80, 300], [["Version", "Date", "Description"],
                                            ["2.0", "23/04/2020", "Text updated to reference the privacy notices."],
                                            ["2.1", "26/05/2020", "Access to records granted to parents of pupils."]])
    blocks = read(doc)
    assert [(b.kind, b.text, b.header) for b in blocks] == [
        ("heading", "Document Version Control Log", False),
        ("row", "Version | Date | Description", True),
        ("row", "2.0 | 23/04/2020 | Text updated to reference the privacy notices.", False),
        ("row", "2.1 | 26/05/2020 | Access to records granted to parents of pupils.", False)]


def test_table_continued_on_the_next_page_keeps_its_header() -> None:
    doc = new_pdf()
    write(doc, 72, 60, "Definitions", 14, "B")
    grid_table(doc, 72, 700, [150, 300], [["Term", "Definition"], ["Personal data", "Any information about a person."],
                                          ["Processing", "Anything done to personal data."]], bold_first=True)
    doc.add_page()
    grid_table(doc, 72, 60, [150, 300], [["Data subject", "The person whose data is held."],
                                         ["Data controller", "Who decides why data is processed."]])
    write(doc, 72, 150, "The school is a data controller.")
    rows = [(b.page, b.text, b.header) for b in read(doc) if b.kind == "row"]
    assert rows == [(1, "Term | Definition", True), (1, "Personal data | Any information about a person.", False),
                    (1, "Processing | Anything done to personal data.", False), (2, "Term | Definition", True),
                    (2, "Data subject | The person whose data is held.", False),
                    (2, "Data controller | Who decides why data is processed.", False)]


def test_header_like_first_row() -> None:
    from bot.reading.readers.pdf_tables import header_like
    assert header_like([["Role", "Name", "Email"], ["Designated Safeguarding Lead", "Ann Smith", "a.smith@school.org"]])
    assert not header_like([["Headteacher", "Ann Smith"], ["Deputy", "Bob Jones"]])
    assert not header_like([["RA 03", "Building safety"], ["RA 05", "Fire risk assessment and drills"]])


def test_paragraph_carried_over_a_page_break_even_before_a_capital() -> None:
    doc = new_pdf()
    write(doc, 72, 60, "Radicalisation", 14, "B")
    write(doc, 72, 760, "The school protects pupils against the messages of all violent extremism, including")
    write(doc, 72, 774, "but not restricted to those linked to Islamist ideology, or to Far Right / Neo Nazi")
    doc.add_page()
    write(doc, 72, 74, "Supremacist ideology and extremist Animal Rights movements.")
    write(doc, 72, 100, "Staff receive training.")
    doc.add_page()
    write(doc, 72, 74, "Staff must act on any concern about a pupil, and they should")
    write(doc, 72, 88, "always record what they saw:")
    doc.add_page()
    write(doc, 72, 74, "Concerns go to the DSL.")
    texts = [b.text for b in read(doc)]
    assert texts == ["Radicalisation",
                     "The school protects pupils against the messages of all violent extremism, including but not "
                     "restricted to those linked to Islamist ideology, or to Far Right / Neo Nazi Supremacist ideology "
                     "and extremist Animal Rights movements.", "Staff receive training.",
                     "Staff must act on any concern about a pupil, and they should always record what they saw:",
                     "Concerns go to the DSL."]


def test_title_on_the_page_after_a_version_log() -> None:
    doc = new_pdf()
    write(doc, 72, 60, "Version Log", 12, "B")
    write(doc, 72, 80, "Version 2.0 was adopted in April.")
    doc.add_page()
    write(doc, 72, 100, "Data Protection Policy", 20, "B")
    write(doc, 72, 140, "1. Aims", 12, "B")
    write(doc, 72, 160, "We protect personal data.")
    read_doc = pdf.read("dp.pdf", bytes(doc.output()))
    assert [(b.text, b.level) for b in read_doc.blocks if b.kind == "heading"] == [
        ("Version Log", 2), ("Data Protection Policy", 1), ("1. Aims", 2)]
    assert read_doc.properties["title"] == "Data Protection Policy"
