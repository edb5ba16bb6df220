"""A school's library as published, end to end through load_corpus: a PDF with a contents page, a
running footer, a two-column page, bullets and a ruled role table; hard-wrapped Markdown with front
matter; a web page with navigation; a Word file with heading styles, numbering and a table; and the files
a real library also holds that cannot be read. Every document is made here; expected titles, sections,
clauses, dates and contacts are known answers."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from bot.reading.corpus import Corpus, load_corpus
from bot.reading.documents import SEP, Clause

ORG = "oak-primary"


def _pdf() -> bytes:
    doc = FPDF(unit="pt", format="A4")
    doc.set_auto_page_break(False)

    def page(n: int) -> None:
        doc.add_page()
        doc.set_font("Helvetica", size=9)
        doc.text(72, 40, "Oak Primary School - Child Protection Policy")
        doc.text(72, 810, f"Page {n} of 3")

    def line(x: float, y: float, text: str, size: float = 11, style: str = "") -> None:
        doc.set_font("Helvetica", style=style, size=size)
        doc.text(x, y, text)

    page(1)
    line(72, 100, "Child Protection Policy", 20, "B")
    line(72, 130, "Approved by the governing board: 1 September 2025")
    line(72, 146, "Next review: September 2026")
    line(72, 190, "Contents", 14, "B")
    for i, (entry, number) in enumerate([("1. Key personnel", 2), ("2. Reporting a concern", 2),
                                         ("3. Records", 3)]):
        line(72, 215 + 16 * i, entry)
        line(500, 215 + 16 * i, str(number))
    page(2)
    line(72, 80, "1. Key personnel", 14, "B")
    doc.set_xy(72, 95)
    doc.set_font("Helvetica", size=11)
    with doc.table(col_widths=(220, 180), width=400, align="LEFT", first_row_as_headings=True) as table:
        for cells in [("Role", "Name"), ("Designated Safeguarding Lead", "Sam Patel"),
                      ("Deputy Designated Safeguarding Lead", "Jo King")]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    line(72, 200, "2. Reporting a concern", 14, "B")
    line(72, 225, "Any member of staff who is worried about a child must speak to the designated")
    line(72, 239, "safeguarding lead on the same day, and must not promise the child secrecy.")
    line(72, 265, "Staff must:")
    line(90, 285, "-")
    line(108, 285, "write down what the child said, in the child's own words;")
    line(90, 301, "-")
    line(108, 301, "sign and date the record before they go home.")
    page(3)
    line(72, 80, "3. Records", 14, "B")
    left = ["Records of concerns are kept on", "the school's secure system and", "never on a personal device."]
    right = ["Paper notes are scanned in and", "then shredded by the office on", "the day they are scanned."]
    for i, (a, b) in enumerate(zip(left, right)):
        line(50, 110 + 14 * i, a)
        line(310, 110 + 14 * i, b)
    return bytes(doc.output())


MARKDOWN = """---
title: Behaviour Policy
adopted: 2025-01-15
review_date: 2026-01-15
signed_by: Dana White
---

# Behaviour Policy

## Rewards

Staff recognise good behaviour with house points,
praise and a postcard home, and they record every
house point on the class chart.

## Sanctions

When a pupil breaks a rule, staff will:

* give a clear warning, in private where
  possible;
* move the pupil to another seat;
  * for a second time in a day, tell the
    phase leader.

Headteacher: Dana White
"""

HTML = """<!DOCTYPE html><html><head><title>Attendance | Oak Primary School</title></head><body>
<header class="site-header"><a href="/">Oak Primary School</a></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/policies">Policies</a></li></ul></nav>
<div class="breadcrumb">Home &gt; Policies &gt; Attendance</div>
<main>
<h1>Attendance Policy</h1>
<h2>Reporting an absence</h2>
<p>Parents must telephone the school office before 9am on every day of
an absence.</p>
<table><tr><th>Role</th><th>Name</th></tr>
<tr><td>Data Protection Officer</td><td>Alex Brown</td></tr></table>
</main>
<footer>&copy; Oak Primary School. <a href="/cookies">Cookies</a></footer>
</body></html>
"""


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Staff Code of Conduct"
    document.add_paragraph("Staff Code of Conduct", style="Title")
    document.add_heading("Mobile phones", level=1)
    document.add_paragraph("Staff keep personal phones out of sight in classrooms.")
    document.add_paragraph("Phones may be used in the staff room.", style="List Number")
    document.add_paragraph("Phones are never used to photograph pupils.", style="List Number")
    document.add_heading("Who to ask", level=1)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Role", "Name"), ("Headteacher", "Dana White")]):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    image = pytest.importorskip("PIL.Image")
    png = io.BytesIO()
    image.new("RGB", (200, 100), "white").save(png, format="PNG")
    doc = FPDF(unit="pt")
    doc.add_page()
    doc.image(png, x=50, y=50, w=400)
    return bytes(doc.output())


def _locked_pdf() -> bytes:
    doc = FPDF(unit="pt")
    doc.add_page()
    doc.set_font("Helvetica", size=11)
    doc.text(72, 100, "Confidential.")
    doc.set_encryption(owner_password="owner", user_password="secret")
    return bytes(doc.output())


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus")
    folder = root / ORG
    folder.mkdir()
    (folder / "org.yaml").write_text("name: Oak Primary School\ngeneral_contact: Headteacher\n")
    files = {"child-protection.pdf": _pdf(), "behaviour.md": MARKDOWN.encode(), "attendance.html": HTML.encode(),
             "code-of-conduct.docx": _docx(), "scanned-first-aid.pdf": _scanned_pdf(),
             "locked.pdf": _locked_pdf(), "minutes.pdf": _docx()}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge-prospectus.pdf", "wb") as fh:
        fh.truncate(50 * 2**20)
    return load_corpus(root)


def _doc(library: Corpus, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in library.documents if d.source == f"{ORG}/{name}")


def _clauses(library: Corpus, name: str) -> list[Clause]:
    return [c for c in library.clauses if c.source == f"{ORG}/{name}"]


def _people(library: Corpus, name: str) -> dict[str, str | None]:
    return {p.role: p.name for p in _doc(library, name).people}


def test_what_cannot_be_read_is_reported_by_name_and_the_rest_is_indexed(library: Corpus) -> None:
    problems = {p.source: p.reason for p in library.problems}
    assert problems[f"{ORG}/scanned-first-aid.pdf"] == "no text — needs OCR (a scanned PDF?)"
    assert problems[f"{ORG}/locked.pdf"].startswith("password protected")
    assert "50.0 MB" in problems[f"{ORG}/huge-prospectus.pdf"]
    assert "it is a Word .docx file" in problems[f"{ORG}/minutes.pdf"]
    assert len(problems) == 4
    assert {d.title for d in library.documents} == {"Child Protection Policy", "Behaviour Policy",
                                                    "Attendance Policy", "Staff Code of Conduct"}


def test_pdf_clauses_sections_dates_and_contacts(library: Corpus) -> None:
    clauses = {c.text: c for c in _clauses(library, "child-protection.pdf")}
    concern = clauses["Any member of staff who is worried about a child must speak to the designated safeguarding "
                      "lead on the same day, and must not promise the child secrecy."]
    assert concern.section == "2. Reporting a concern"
    item = clauses["sign and date the record before they go home."]
    assert item.kind == "bullet" and item.section == SEP.join(["2. Reporting a concern", "Staff must"])
    assert clauses["Staff must: write down what the child said, in the child's own words; sign and date the "
                   "record before they go home."].kind == "list"
    assert clauses["Designated Safeguarding Lead | Sam Patel"].section == SEP.join(["1. Key personnel", "Role | Name"])
    columns = [c.text for c in _clauses(library, "child-protection.pdf") if c.section == "3. Records"]
    assert columns == ["Records of concerns are kept on the school's secure system and never on a personal device.",
                       "Paper notes are scanned in and then shredded by the office on the day they are scanned."]
    assert not any("Page" in t or "Oak Primary School - Child" in t or "Contents" in t for t in clauses)
    doc = _doc(library, "child-protection.pdf")
    assert doc.next_review == date(2026, 9, 30) and doc.approved == "1 September 2025"
    assert _people(library, "child-protection.pdf") == {"Designated Safeguarding Lead": "Sam Patel",
                                                        "Deputy Designated Safeguarding Lead": "Jo King"}


def test_markdown_front_matter_hard_wraps_and_nested_items(library: Corpus) -> None:
    doc = _doc(library, "behaviour.md")
    assert (doc.title, doc.approved, doc.approver, doc.next_review) == (
        "Behaviour Policy", "2025-01-15", "Dana White", date(2026, 1, 15))
    clauses = {c.text: c for c in _clauses(library, "behaviour.md")}
    assert clauses["Staff recognise good behaviour with house points, praise and a postcard home, and they record "
                   "every house point on the class chart."].section == "Rewards"
    nested = clauses["for a second time in a day, tell the phase leader."]
    assert nested.kind == "bullet" and nested.section.startswith("Sanctions" + SEP + "When a pupil breaks a rule")
    assert _people(library, "behaviour.md") == {"Headteacher": "Dana White"}


def test_html_navigation_left_out_table_contacts(library: Corpus) -> None:
    texts = [c.text for c in _clauses(library, "attendance.html")]
    assert texts[0] == "Parents must telephone the school office before 9am on every day of an absence."
    assert not any("Home" in t or "Cookies" in t or "Policies" in t for t in texts)
    assert _clauses(library, "attendance.html")[0].section == "Reporting an absence"
    assert _people(library, "attendance.html") == {"Data Protection Officer": "Alex Brown"}


def test_docx_styles_numbering_and_table(library: Corpus) -> None:
    clauses = {c.text: c for c in _clauses(library, "code-of-conduct.docx")}
    assert clauses["Staff keep personal phones out of sight in classrooms."].section == "Mobile phones"
    assert clauses["Phones are never used to photograph pupils."].kind == "bullet"
    assert "Headteacher | Dana White" in clauses
    assert _people(library, "code-of-conduct.docx") == {"Headteacher": "Dana White"}


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "corpus" / ORG
    folder.mkdir(parents=True)
    (folder / "org.yaml").write_text("name: Oak Primary School\n")
    (folder / "behaviour.md").write_text(MARKDOWN)
    (folder / "attendance.html").write_text(HTML)
    cache = tmp_path / "index" / "documents"
    first = load_corpus(tmp_path / "corpus", cache_dir=cache)
    (folder / "attendance.html").write_text(HTML.replace("9am", "9.15am"))
    read: list[str] = []
    import bot.reading.corpus as corpus_module

    real = corpus_module.read_document
    monkeypatch.setattr(corpus_module, "read_document", lambda path, *a: read.append(path.name) or real(path, *a))
    second = load_corpus(tmp_path / "corpus", cache_dir=cache)
    assert read == ["attendance.html"]
    assert [c.text for c in second.clauses if "behaviour" in c.source] == [
        c.text for c in first.clauses if "behaviour" in c.source]
    assert any("9.15am" in c.text for c in second.clauses)
    assert len(list(cache.glob("*.json"))) == 2  # the old read of attendance.html was pruned
