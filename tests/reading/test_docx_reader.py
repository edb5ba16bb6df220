"""The DOCX reader: styles and Word numbering as headings and items, tables as rows, core properties."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

import docx
import pytest
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph

from bot.errors import DocumentError
from bot.reading.blocks import Block, row
from bot.reading.readers.docx import read

# A multi-level decimal list ("1.", "1.1.") and a bullet list with a nested level, as Word writes them.
DECIMAL, BULLETS = 90, 91
ABSTRACT = f"""<w:abstractNum {nsdecls("w")} w:abstractNumId="{{id}}">
  <w:multiLevelType w:val="hybridMultilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{{fmt}}"/><w:lvlText w:val="{{text0}}"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="{{fmt}}"/><w:lvlText w:val="{{text1}}"/></w:lvl>
</w:abstractNum>"""


def _define_numbering(document: Document) -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
    for num_id, fmt, text0, text1 in ((DECIMAL, "decimal", "%1.", "%1.%2."), (BULLETS, "bullet", "\uf0b7", "o")):
        first_num.addprevious(parse_xml(ABSTRACT.format(id=num_id, fmt=fmt, text0=text0, text1=text1)))
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))


def _numbered(paragraph: Paragraph, num_id: int, ilvl: int = 0) -> Paragraph:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def _saved(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _policy() -> bytes:
    document = docx.Document()
    _define_numbering(document)
    document.core_properties.title = "Attendance Policy"
    document.core_properties.author = "Fernhill Primary"
    document.core_properties.created = datetime(2024, 9, 2, 8, 0, tzinfo=timezone.utc)
    document.core_properties.keywords = "attendance, absence"
    document.add_paragraph("Attendance\u00a0Policy", style="Title")
    _numbered(document.add_heading("Aims", level=1), DECIMAL)
    document.add_paragraph("Good attendance is every\u00adone\u2019s job.")
    _numbered(document.add_paragraph("Parents ring before 9am."), DECIMAL, 1)
    _numbered(document.add_paragraph("The office follows up."), DECIMAL, 1)
    _numbered(document.add_heading("Roles", level=1), DECIMAL)
    _numbered(document.add_paragraph("Staff take the register."), DECIMAL, 1)
    document.add_heading("Absence", level=2)
    _numbered(document.add_paragraph("Illness"), BULLETS)
    _numbered(document.add_paragraph("a note from a doctor when it is long"), BULLETS, 1)
    _numbered(document.add_paragraph("Appointments"), BULLETS)
    document.add_paragraph("Referrals go to the local authority.", style="List Number")
    document.add_paragraph("Fines are a last resort.", style="List Number")
    _numbered(document.add_paragraph("Not numbered after all.", style="List Number"), 0)
    document.add_paragraph("Contact: Jo Hale\nPhone: 01632 960 456")  # run text "\n" is a w:br
    table = document.add_table(rows=3, cols=3)
    for r, texts in enumerate((["Role", "Name", "Contact"], ["Attendance lead", "Jo Hale", "Ext. 210"],
                               ["Deputy", "Sam Ray", "Ext. 211"])):
        for c, text in enumerate(texts):
            table.cell(r, c).text = text
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    merged = table.cell(1, 2).merge(table.cell(2, 2))  # one contact for both: a vertical merge
    merged.text = "Office"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "Anyone on duty"  # a horizontal merge: gridSpan
    table.cell(1, 0).add_table(rows=1, cols=2).cell(0, 1).text = "(nested)"
    document.add_paragraph("Reviewed yearly.")
    return _saved(document)


def test_styles_numbering_and_tables_become_blocks_in_document_order() -> None:
    assert read("attendance.docx", _policy()).blocks == (
        Block("heading", "Attendance Policy", level=1),
        Block("heading", "Aims", level=1, marker="1."),
        Block("paragraph", "Good attendance is everyone\u2019s job."),
        Block("item", "Parents ring before 9am.", level=1, marker="1.1."),
        Block("item", "The office follows up.", level=1, marker="1.2."),
        Block("heading", "Roles", level=1, marker="2."),
        Block("item", "Staff take the register.", level=1, marker="2.1."),
        Block("heading", "Absence", level=2),
        Block("item", "Illness", marker="•"),
        Block("item", "a note from a doctor when it is long", level=1, marker="•"),
        Block("item", "Appointments", marker="•"),
        Block("item", "Referrals go to the local authority.", marker="1."),
        Block("item", "Fines are a last resort.", marker="2."),
        Block("item", "Not numbered after all."),
        Block("paragraph", "Contact: Jo Hale"),
        Block("paragraph", "Phone: 01632 960 456"),
        row(["Role", "Name", "Contact"], header=True),
        row(["Attendance lead (nested)", "Jo Hale", "Office"]),
        row(["Anyone on duty", "", ""]),
        Block("paragraph", "Reviewed yearly."),
    )


def test_core_properties_are_the_documents_properties() -> None:
    properties = read("attendance.docx", _policy()).properties
    assert {key: properties[key] for key in ("title", "author", "created", "keywords")} == {
        "title": "Attendance Policy", "author": "Fernhill Primary", "created": "2024-09-02",
        "keywords": "attendance, absence"}
    assert "subject" not in properties  # empty in the file


def test_list_styles_without_numbering_and_outline_levels() -> None:
    document = docx.Document()
    for style in ("List Bullet", "List Bullet 2", "List Number"):
        document.styles[style].element.pPr.remove(document.styles[style].element.pPr.numPr)
    document.add_paragraph("first", style="List Bullet")
    document.add_paragraph("second", style="List Bullet 2")
    document.add_paragraph("counted", style="List Number")
    document.add_paragraph("counted too", style="List Number")
    outlined = document.add_paragraph("Outlined heading")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="2"/>'))
    assert read("p.docx", _saved(document)).blocks == (
        Block("item", "first", marker="•"),
        Block("item", "second", level=1, marker="•"),
        Block("item", "counted", marker="1."),
        Block("item", "counted too", marker="2."),
        Block("heading", "Outlined heading", level=3),
    )


def _content_control(paragraph: Paragraph, gallery: str | None) -> None:
    """Wrap *paragraph* in a block-level content control (a TOC one when *gallery* says so)."""
    part = f'<w:docPartObj><w:docPartGallery w:val="{gallery}"/></w:docPartObj>' if gallery else ""
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr>{part}</w:sdtPr><w:sdtContent/></w:sdt>')
    paragraph._p.addprevious(sdt)
    sdt[1].append(paragraph._p)


def test_a_contents_page_is_left_out_and_other_content_controls_are_read() -> None:
    document = docx.Document()
    document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    _content_control(document.add_paragraph("Contents 1"), "Table of Contents")
    document.add_paragraph("1 Aims ........ 2", style="TOC 1")
    _content_control(document.add_paragraph("Inside a plain content control."), None)
    document.add_paragraph("Body.")
    assert read("p.docx", _saved(document)).blocks == (
        Block("paragraph", "Inside a plain content control."), Block("paragraph", "Body."))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_pdf_renamed_to_docx_is_an_error() -> None:
    with pytest.raises(DocumentError, match="not a Word .docx file, or a damaged one"):
        read("policy.docx", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")


def test_a_zip_without_the_document_part_is_an_error() -> None:
    complete = zipfile.ZipFile(io.BytesIO(_saved(docx.Document())))
    members = {name: complete.read(name) for name in complete.namelist() if name != "word/document.xml"}
    with pytest.raises(DocumentError, match="incomplete") as caught:
        read("policy.docx", _zip(members))
    assert caught.value.source == "policy.docx"


def test_a_zip_that_is_not_a_word_file_is_an_error() -> None:
    with pytest.raises(DocumentError, match="incomplete"):
        read("policy.docx", _zip({"notes.txt": b"hello"}))


def test_a_file_without_core_properties_has_none() -> None:
    complete = zipfile.ZipFile(io.BytesIO(_saved(docx.Document())))
    members = {name: complete.read(name) for name in complete.namelist() if name != "docProps/core.xml"}
    members["_rels/.rels"] = re.sub(rb"<Relationship [^>]*docProps/core.xml[^>]*/>", b"", members["_rels/.rels"])
    assert read("p.docx", _zip(members)).properties == {}


def test_a_truncated_file_is_an_error() -> None:
    with pytest.raises(DocumentError, match="damaged"):
        read("policy.docx", _saved(docx.Document())[:3000])
