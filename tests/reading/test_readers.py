"""Readers turn HTML, DOCX and PDF policies into policy text (see bot/retrieval/readers.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from bot.errors import DocumentError
from bot.reading.readers import read_document

# A running header whose digits change from page to page.
HEADER = "Stone Bay School - Social Media Policy (reviewed 2024, sheet {n})"

PAGES = [
    ["1. Purpose", "This policy explains how staff use social media.", "It covers all staff."],
    ["2. Personal accounts", "Staff must not befriend pupils online.", "Tell the DSL."],
    ["3. School accounts", "Only approved staff may post for the school.", "Posts are checked."],
]


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- HTML -------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><title>Ignored title</title><style>p { color: red; }</style></head>
<body>
<h1>Social Media Policy</h1>
<p>Staff must not &amp; should   not
   post about <b>pupils</b>.</p>
<script>alert(1)</script>
<h2>1. Scope</h2>
<ul>
  <li>Staff accounts
    <ul><li>Personal <em>pages</em></li><li>Groups</li></ul>
  </li>
  <li>School accounts</li>
</ul>
<table>
  <tr><th>Role</th><th>Contact</th></tr>
  <tr><td>DSL</td><td>Ms&nbsp;Jones</td></tr>
</table>
<div>Line one<br>Line two</div>
</body></html>
"""


def test_html_known_answer(tmp_path: Path) -> None:
    text = read_document(_write(tmp_path, "policy.html", HTML))
    assert text.splitlines() == [
        "# Social Media Policy",
        "Staff must not & should not post about pupils.",
        "## 1. Scope",
        "- Staff accounts",
        " - Personal pages",
        " - Groups",
        "- School accounts",
        "Role\tContact",
        "DSL\tMs Jones",
        "Line one",
        "Line two",
    ]
    assert "alert(1)" not in text
    assert "color" not in text
    assert "Ignored title" not in text


def test_html_cp1252_fallback_and_utf8_bom(tmp_path: Path) -> None:
    legacy = _write(tmp_path, "old.htm", b"<p>Caf\xe9 rules \x93quoted\x94</p>")
    assert read_document(legacy) == "Caf\u00e9 rules \u201cquoted\u201d"
    bom = _write(tmp_path, "bom.html", "\ufeff<h3>Caf\u00e9</h3>".encode())
    assert read_document(bom) == "### Caf\u00e9"


def test_html_unclosed_head_does_not_hide_body(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.html", "<html><head><title>T</title><body><p>Body text</p>")
    assert read_document(path) == "Body text"


# --- DOCX -------------------------------------------------------------------------------------


def _docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Social Media Policy", level=1)
    document.add_paragraph("Staff must not post about pupils.")
    document.add_paragraph("Report concerns to the DSL", style="List Bullet")
    document.add_paragraph("Same day", style="List Bullet 2")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Role", "Contact"), ("DSL", "Ms Jones")]):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    document.add_paragraph("Reviewed every year.")
    path = tmp_path / "policy.docx"
    document.save(str(path))
    return path


def test_docx_known_answer_in_document_order(tmp_path: Path) -> None:
    assert read_document(_docx(tmp_path)).splitlines() == [
        "# Social Media Policy",
        "Staff must not post about pupils.",
        "- Report concerns to the DSL",
        " - Same day",
        "Role\tContact",
        "DSL\tMs Jones",
        "Reviewed every year.",
    ]


def test_docx_title_and_merged_cells(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Staff Code of Conduct", level=0)
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Contacts"
    table.cell(0, 2).text = "Phone"
    for cell, value in zip(table.rows[1].cells, ("Head", "Mr Smith", "0123")):
        cell.text = value
    path = tmp_path / "code.docx"
    document.save(str(path))
    assert read_document(path).splitlines() == [
        "# Staff Code of Conduct",
        "Contacts\tPhone",
        "Head\tMr Smith\t0123",
    ]


def test_docx_numbered_paragraph_uses_its_list_level(tmp_path: Path) -> None:
    document = docx.Document()
    for text, level in (("Top item", 0), ("Nested item", 1)):
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>'
        ))
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert read_document(path).splitlines() == ["- Top item", " - Nested item"]


# --- PDF --------------------------------------------------------------------------------------


class _Policy(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 6, HEADER.format(n=self.page_no()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 6, f"Page | {self.page_no()}")


def _pdf(pages: list[list[str]], user_password: str | None = None) -> bytes:
    pdf = _Policy()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.cell(0, 8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def test_pdf_drops_running_header_keeps_body_and_page_markers(tmp_path: Path) -> None:
    text = read_document(_write(tmp_path, "policy.pdf", _pdf(PAGES)))
    assert text == "\n\n".join(
        "\n".join([*lines, f"Page | {number}"]) for number, lines in enumerate(PAGES, start=1)
    )
    assert "Stone Bay School" not in text


def test_pdf_drops_running_footer_that_carries_a_page_number(tmp_path: Path) -> None:
    class Footed(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, f"Social Media Policy | Page {self.page_no()} of 2")

    pdf = Footed()
    for lines in PAGES[:2]:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.cell(0, 8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    text = read_document(_write(tmp_path, "footed.pdf", bytes(pdf.output())))
    assert text == "\n".join(PAGES[0]) + "\n\n" + "\n".join(PAGES[1])


def test_pdf_single_page_keeps_every_line(tmp_path: Path) -> None:
    text = read_document(_write(tmp_path, "one.pdf", _pdf(PAGES[:1])))
    assert text.splitlines() == [HEADER.format(n=1), *PAGES[0], "Page | 1"]


def test_pdf_empty_user_password_is_read(tmp_path: Path) -> None:
    text = read_document(_write(tmp_path, "open.pdf", _pdf(PAGES[:2], user_password="")))
    assert "Staff must not befriend pupils online." in text


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.pdf", _pdf(PAGES[:2], user_password="secret"))
    with pytest.raises(DocumentError, match="encrypted") as caught:
        read_document(path)
    assert caught.value.source == "locked.pdf"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    path = _write(tmp_path, "scan.pdf", bytes(pdf.output()))
    with pytest.raises(DocumentError, match="no text"):
        read_document(path)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.docx", "empty.pdf"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(DocumentError, match="empty"):
        read_document(_write(tmp_path, name, b" \n"))


def test_corrupt_pdf_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.pdf", b"%PDF-1.4\n garbage")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert "broken.pdf" in str(caught.value)
    assert caught.value.reason


def test_docx_that_is_plain_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.docx", "This is just text saved with the wrong name.\n")
    with pytest.raises(DocumentError, match="not a Word .docx file") as caught:
        read_document(path)
    assert caught.value.source == "notes.docx"


def test_docx_that_is_another_zip(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    with pytest.raises(DocumentError, match="archive.docx"):
        read_document(path)


def test_text_with_nul_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, "binary.txt", b"policy\x00\x01\x02")
    with pytest.raises(DocumentError, match="binary"):
        read_document(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path, "staff.xls", b"\xd0\xcf\x11\xe0 spreadsheet")
    with pytest.raises(DocumentError, match="unsupported file type '.xls'"):
        read_document(path)


def test_text_is_returned_unchanged(tmp_path: Path) -> None:
    body = "# Policy\n- item\nRole\tContact\n"
    assert read_document(_write(tmp_path, "p.md", body)) == body
