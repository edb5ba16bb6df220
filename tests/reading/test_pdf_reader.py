"""The PDF reader: known answers on PDFs made here with fpdf2, and on the pure layout steps.

Every PDF is drawn line by line at fixed positions (points, from the top-left), so each test knows
exactly which blocks the reader must give back.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF

from bot.errors import DocumentError
from bot.reading.blocks import Block
from bot.reading.readers import pdf
from bot.reading.readers.pdf_columns import find_gutter, split_columns
from bot.reading.readers.pdf_contents import strip_contents
from bot.reading.readers.pdf_layout import Line, Word, group_lines, is_page_number, strip_furniture
from bot.reading.readers.pdf_text import Style, bullet, group_units, join_lines

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
needs_dejavu = pytest.mark.skipif(not (DEJAVU / "DejaVuSans.ttf").exists(), reason="DejaVu fonts not installed")


def new_pdf() -> FPDF:
    doc = FPDF(unit="pt", format="A4")  # 595 x 842 points
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_font("Helvetica", size=11)
    return doc


def write(doc: FPDF, x: float, y: float, text: str, size: float = 11, style: str = "") -> None:
    """One line of text with its baseline at *y* points from the top."""
    doc.set_font(doc.font_family, style=style, size=size)
    doc.text(x, y, text)


def blocks_of(doc: FPDF, name: str = "policy.pdf") -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in pdf.read(name, bytes(doc.output())).blocks]


def test_headings_numbered_levels_title_and_page_positions() -> None:
    doc = new_pdf()
    write(doc, 72, 100, "Attendance Policy", 20, "B")
    write(doc, 72, 140, "1. Introduction", 14, "B")
    write(doc, 72, 165, "Pupils are expected to attend every day the school is open.")
    write(doc, 72, 195, "1.1 Scope", 12, "B")
    write(doc, 72, 218, "This policy covers every pupil on roll.")
    write(doc, 72, 248, "2. Lateness", 14, "B")
    write(doc, 72, 273, "The register closes at nine o'clock.")
    read = pdf.read("attendance.pdf", bytes(doc.output()))
    assert [(b.kind, b.text, b.level) for b in read.blocks] == [
        ("heading", "Attendance Policy", 1),
        ("heading", "1. Introduction", 2),
        ("paragraph", "Pupils are expected to attend every day the school is open.", 0),
        ("heading", "1.1 Scope", 3),
        ("paragraph", "This policy covers every pupil on roll.", 0),
        ("heading", "2. Lateness", 2),
        ("paragraph", "The register closes at nine o'clock.", 0),
    ]
    assert read.properties["title"] == "Attendance Policy"
    assert read.pages == 1
    assert all(b.page == 1 for b in read.blocks)
    assert read.blocks[1].marker == "1."
    assert read.blocks[0].top is not None and 80 < read.blocks[0].top < 100


def test_info_title_kept_unless_it_is_a_word_file_name() -> None:
    doc = new_pdf()
    doc.set_title("Microsoft Word - attendance v3.docx")
    write(doc, 72, 100, "Attendance Policy", 20, "B")
    write(doc, 72, 130, "Pupils attend.")
    assert pdf.read("a.pdf", bytes(doc.output())).properties["title"] == "Attendance Policy"
    doc = new_pdf()
    doc.set_title("Attendance Policy 2024")
    write(doc, 72, 100, "Attendance Policy 2024", 20, "B")
    write(doc, 72, 130, "Pupils attend.")
    assert pdf.read("a.pdf", bytes(doc.output())).properties["title"] == "Attendance Policy 2024"


def test_wrapped_lines_make_one_paragraph_and_spacing_splits_paragraphs() -> None:
    doc = new_pdf()
    write(doc, 72, 100, "Staff must report every concern to the designated safeguarding lead on")
    write(doc, 72, 114, "the same day, and record it on the school's system before they go home.")
    write(doc, 72, 142, "Records are kept securely.")
    assert blocks_of(doc) == [
        ("paragraph", "Staff must report every concern to the designated safeguarding lead on the same day, "
                      "and record it on the school's system before they go home."),
        ("paragraph", "Records are kept securely."),
    ]


def test_hyphen_at_line_end_joined_but_real_compounds_kept() -> None:
    doc = new_pdf()
    write(doc, 72, 100, "Everyone shares responsibility for safe-")
    write(doc, 72, 114, "guarding pupils, for their well-being and for e-")
    write(doc, 72, 128, "safety; the well-")
    write(doc, 72, 142, "being of staff matters too, as does e-safety at home and Anti-")
    write(doc, 72, 156, "Bullying Week.")
    assert blocks_of(doc) == [
        ("paragraph", "Everyone shares responsibility for safeguarding pupils, for their well-being and for "
                      "e-safety; the well-being of staff matters too, as does e-safety at home and "
                      "Anti-Bullying Week."),
    ]


def test_running_footer_header_and_page_numbers_left_out() -> None:
    doc = new_pdf()
    for n in range(1, 4):
        if n > 1:
            doc.add_page()
        write(doc, 72, 40, "Decoy Primary School - Behaviour Policy", 9)
        write(doc, 72, 100, f"Section {n} text is here.")
        write(doc, 72, 810, f"Page {n} of 3", 9)
        write(doc, 500, 825, str(n), 9)
    read = pdf.read("behaviour.pdf", bytes(doc.output()))
    assert [(b.kind, b.text, b.page) for b in read.blocks] == [
        ("paragraph", f"Section {n} text is here.", n) for n in range(1, 4)]
    assert read.pages == 3


def test_two_column_page_read_column_by_column() -> None:
    doc = new_pdf()
    write(doc, 72, 80, "Uniform Policy", 18, "B")
    left = ["Pupils wear the school jumper", "in navy blue with the school", "badge on it, every day of the",
            "school week during term time."]
    right = ["Shoes are black and plain with", "no logos, and trainers are only", "worn for physical education",
             "lessons in the school hall."]
    for i, (a, b) in enumerate(zip(left, right)):
        write(doc, 50, 120 + 14 * i, a)
        write(doc, 310, 120 + 14 * i, b)
    write(doc, 50, 200, "Coats are named.")
    write(doc, 310, 200, "Bags are small.")
    assert blocks_of(doc) == [
        ("heading", "Uniform Policy"),
        ("paragraph", " ".join(left)),
        ("paragraph", "Coats are named."),
        ("paragraph", " ".join(right)),
        ("paragraph", "Bags are small."),
    ]


def test_contents_page_left_out() -> None:
    doc = new_pdf()
    write(doc, 72, 80, "Complaints Policy", 20, "B")
    write(doc, 72, 120, "Contents", 14, "B")
    for i, (entry, page) in enumerate([("1. Introduction", 2), ("2. Stage one", 2), ("3. Stage two", 3)]):
        write(doc, 72, 145 + 16 * i, entry)
        write(doc, 500, 145 + 16 * i, str(page))
    doc.add_page()
    write(doc, 72, 80, "1. Introduction", 14, "B")
    write(doc, 72, 105, "We take complaints seriously.")
    write(doc, 72, 135, "2. Stage one", 14, "B")
    write(doc, 72, 160, "Speak to the class teacher.")
    doc.add_page()
    write(doc, 72, 80, "3. Stage two", 14, "B")
    write(doc, 72, 105, "Write to the headteacher.")
    assert blocks_of(doc) == [
        ("heading", "Complaints Policy"),
        ("heading", "1. Introduction"), ("paragraph", "We take complaints seriously."),
        ("heading", "2. Stage one"), ("paragraph", "Speak to the class teacher."),
        ("heading", "3. Stage two"), ("paragraph", "Write to the headteacher."),
    ]


@needs_dejavu
def test_bullet_lists_become_items_with_depth_and_wrapped_text() -> None:
    doc = new_pdf()
    doc.add_font("DejaVu", fname=str(DEJAVU / "DejaVuSans.ttf"))
    doc.set_font("DejaVu", size=11)
    write(doc, 72, 100, "Staff will:")
    write(doc, 90, 120, "\u2022")
    write(doc, 108, 120, "listen to the pupil and take what they say seriously, without")
    write(doc, 108, 134, "promising to keep it secret;")
    write(doc, 126, 150, "o")
    write(doc, 140, 150, "write down the words the pupil used;")
    write(doc, 90, 166, "\u2022")
    write(doc, 108, 166, "tell the designated safeguarding lead at once.")
    write(doc, 90, 182, "-")
    write(doc, 108, 182, "never investigate themselves.")
    read = pdf.read("cp.pdf", bytes(doc.output()))
    assert [(b.kind, b.marker, b.level, b.text) for b in read.blocks] == [
        ("paragraph", "", 0, "Staff will:"),
        ("item", "\u2022", 0, "listen to the pupil and take what they say seriously, without promising to keep "
                              "it secret;"),
        ("item", "o", 1, "write down the words the pupil used;"),
        ("item", "\u2022", 0, "tell the designated safeguarding lead at once."),
        ("item", "-", 0, "never investigate themselves."),
    ]


def test_role_table_with_ruling_lines_kept_as_rows() -> None:
    doc = new_pdf()
    write(doc, 72, 80, "Key personnel", 14, "B")
    doc.set_xy(72, 100)
    doc.set_font("Helvetica", size=11)
    with doc.table(col_widths=(200, 200), width=400, align="LEFT", first_row_as_headings=True) as table:
        for cells in [("Role", "Name"), ("Designated Safeguarding Lead (DSL), also the Headteacher", "Ann Smith"),
                      ("Deputy DSL", "Bob Jones")]:
            r = table.row()
            for c in cells:
                r.cell(c)
    write(doc, 72, 300, "Contact them at once.")
    read = pdf.read("cp.pdf", bytes(doc.output()))
    assert [(b.kind, b.text, b.cells, b.header) for b in read.blocks] == [
        ("heading", "Key personnel", (), False),
        ("row", "Role | Name", ("Role", "Name"), True),
        ("row", "Designated Safeguarding Lead (DSL), also the Headteacher | Ann Smith",
         ("Designated Safeguarding Lead (DSL), also the Headteacher", "Ann Smith"), False),
        ("row", "Deputy DSL | Bob Jones", ("Deputy DSL", "Bob Jones"), False),
        ("paragraph", "Contact them at once.", (), False),
    ]


def test_scanned_pdf_without_text_needs_ocr() -> None:
    image = pytest.importorskip("PIL.Image")
    png = io.BytesIO()
    image.new("RGB", (200, 100), "white").save(png, format="PNG")
    doc = FPDF(unit="pt")
    doc.add_page()
    doc.image(png, x=50, y=50, w=400)
    with pytest.raises(DocumentError) as err:
        pdf.read("scan.pdf", bytes(doc.output()))
    assert err.value.reason == "no text — needs OCR (a scanned PDF?)"
    assert err.value.source == "scan.pdf"


def test_password_protected_pdf_reported_and_empty_password_reads() -> None:
    doc = new_pdf()
    write(doc, 72, 100, "Confidential policy.")
    doc.set_encryption(owner_password="owner", user_password="secret")
    with pytest.raises(DocumentError) as err:
        pdf.read("locked.pdf", bytes(doc.output()))
    assert err.value.reason.startswith("password protected")
    doc = new_pdf()
    write(doc, 72, 100, "Open policy.")
    doc.set_encryption(owner_password="owner")
    assert blocks_of(doc) == [("paragraph", "Open policy.")]


@pytest.mark.parametrize("data", [b"PK\x03\x04 a word file renamed", b"%PDF-1.7\n garbage with no objects"])
def test_damaged_or_not_a_pdf(data: bytes) -> None:
    with pytest.raises(DocumentError) as err:
        pdf.read("policy.pdf", data)
    assert err.value.reason.startswith("damaged or not a PDF")


# ---- the pure steps ----------------------------------------------------------------------------------

def word(text: str, x: float, baseline: float, size: float = 10, bold: bool = False) -> Word:
    return Word(text, x, x + 0.5 * size * len(text), baseline - size, baseline, size, bold)


def line(text: str, x: float, baseline: float, page: int = 1, size: float = 10, bold: bool = False) -> Line:
    words, pos = [], x
    for t in text.split():
        words.append(word(t, pos, baseline, size, bold))
        pos = words[-1].x1 + 0.3 * size
    return Line(tuple(words), page)


def test_group_lines_by_baseline_and_superscripts() -> None:
    words = [word("b", 30, 100.5), word("a", 10, 100), word("next", 10, 114),
             word("7", 10, 130), Word("th", 15.1, 19, 124, 127, 6), word("item", 25, 130)]
    assert [ln.text for ln in group_lines(words)] == ["a b", "next", "7th item"]


@pytest.mark.parametrize("text", ["7", "Page 7", "Page | 7", "page 7 of 20", "7 | Page", "- 7 -", "vii"])
def test_page_numbers(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["Section 7", "7 days", "Contents"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_strip_furniture_needs_recurrence_at_the_edges() -> None:
    pages = [[line("Decoy School policy 2024", 72, 40, n), line(f"Body {n}", 72, 400, n),
              line(f"Printed 1{n}/0{n}/2024", 72, 800, n)] for n in (1, 2, 3)]
    pages[2].append(line("Decoy School policy 2024", 72, 420, 3))  # in the body: kept
    kept = strip_furniture(pages, [842.0] * 3)
    assert [[ln.text for ln in p] for p in kept] == [["Body 1"], ["Body 2"], ["Body 3", "Decoy School policy 2024"]]


def test_strip_furniture_keeps_a_one_page_document() -> None:
    page = [line("Decoy School", 72, 40), line("Body", 72, 400)]
    assert [ln.text for ln in strip_furniture([page], [842.0])[0]] == ["Decoy School", "Body"]


def test_find_gutter_and_split_columns() -> None:
    lines = [line("Heading across both columns of the page text", 50, 80)]
    for i in range(6):
        lines.append(Line(line(f"left column words line{i} here", 50, 100 + 12 * i).words
                          + line(f"right column words line{i} here", 310, 100 + 12 * i).words))
    gutter = find_gutter(lines, 595)
    assert gutter is not None and 200 < gutter < 310
    ordered = [ln.text for ln in split_columns(lines, gutter)]
    assert ordered[0].startswith("Heading")
    assert ordered[1:7] == [f"left column words line{i} here" for i in range(6)]
    assert ordered[7:] == [f"right column words line{i} here" for i in range(6)]


def test_no_gutter_on_a_one_column_page_with_a_two_column_table() -> None:
    lines = [line("A paragraph of body text running across the whole width of the page here", 50, 80 + 12 * i)
             for i in range(3)]
    lines += [Line(line("Role", 50, 130 + 12 * i).words + line("Name Surname", 320, 130 + 12 * i).words)
              for i in range(6)]
    assert find_gutter(lines, 595) is None


def test_strip_contents_after_title_and_dotted_runs() -> None:
    lines = [line("Contents", 72, 100), line("Introduction", 72, 120), line("Roles and duties", 72, 135),
             line("Introduction", 72, 300, 2), line("Roles and duties", 72, 320, 2), line("Staff must act.", 72, 340, 2)]
    assert [ln.text for ln in strip_contents(lines, 2)] == ["Introduction", "Roles and duties", "Staff must act."]
    dotted = [line(f"Part {i} ........ {i + 1}", 72, 100 + 14 * i) for i in range(3)] + [line("Body text.", 72, 200)]
    assert [ln.text for ln in strip_contents(dotted, 5)] == ["Body text."]


def test_bullet_glyphs_including_symbol_font_private_use() -> None:
    for glyph in ["\uf0b7", "\u2022", "o", "\u25aa", "\u00a7", "-", "\u2013", "\u27a2", "\u2713"]:
        found = bullet(line(f"{glyph} keep records", 90, 100))
        assert found is not None and found[0] == glyph and found[1].text == "keep records"
    assert bullet(line("\uf0b7keep", 90, 100)) is not None
    assert bullet(line("1) keep records", 90, 100)) is None
    assert bullet(line("on time", 90, 100)) is None


def test_units_from_lines_item_continues_until_next_bullet() -> None:
    lines = [line("\uf0b7 first item that wraps", 90, 100), line("onto a second line;", 108, 112),
             line("\uf0b7 second item.", 90, 124), line("A new paragraph.", 72, 145)]
    units = group_units(lines, Style(10, 12))
    assert [(u.kind, join_lines(u.lines, set())) for u in units] == [
        ("item", "first item that wraps onto a second line;"), ("item", "second item."),
        ("paragraph", "A new paragraph.")]


def test_join_lines_dehyphenation_rule() -> None:
    broken = [line("the safe-", 72, 100), line("guarding team", 72, 112)]
    assert join_lines(broken, set()) == "the safeguarding team"
    assert join_lines([line("our well-", 72, 100), line("being", 72, 112)], {"well-being"}) == "our well-being"
    assert join_lines([line("Anti-", 72, 100), line("Bullying", 72, 112)], set()) == "Anti-Bullying"
    soft = Line((Word("safe", 72, 90, 90, 100, 10, soft_break=True),), 1)
    assert join_lines([soft, line("guarding", 72, 112)], {"safe-guarding"}) == "safeguarding"


def _blocks(doc: FPDF) -> list[Block]:
    return list(pdf.read("x.pdf", bytes(doc.output())).blocks)
