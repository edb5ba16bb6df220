"""What every format shares: supported names, size limit, empty files, bytes that are not what the name
says, and the plain-text reader (the seed policies' form)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bot.errors import DocumentError
from bot.reading.blocks import Block
from bot.reading.readers import read_document, sniff
from bot.reading.readers import text as text_reader


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _reason(path: Path, **kw: int) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document(path, **kw)
    assert caught.value.source == path.name
    return caught.value.reason


def test_unsupported_and_empty_files_are_named_with_the_reason(tmp_path: Path) -> None:
    assert "unsupported file type '.xlsx'" in _reason(_write(tmp_path, "rota.xlsx", b"x"))
    assert _reason(_write(tmp_path, "blank.txt", b" \n\t")) == "the file is empty"
    assert _reason(_write(tmp_path, "blank.pdf", b"")) == "the file is empty"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:  # 50 MB, sparse: nothing is parsed
        fh.truncate(50 * 1024 * 1024)
    reason = _reason(path)
    assert "50.0 MB" in reason and "30 MB limit" in reason
    assert "over the 1 MB limit" in _reason(_write(tmp_path, "big.txt", b"a" * (2 * 2**20)), max_bytes=2**20)


@pytest.mark.parametrize(("name", "data", "said"), [
    ("policy.pdf", b"PK\x03\x04" + b"\0" * 30 + b"word/document.xml", "it is a Word .docx file"),
    ("policy.pdf", b"<html><body><p>Hello</p></body></html>", "it is a text file"),
    ("policy.docx", b"%PDF-1.7\n1 0 obj", "it is a PDF"),
    ("policy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "an old Office file (.doc or .xls"),
    ("policy.html", b"%PDF-1.4\n%binary", "it is a PDF"),
    ("policy.txt", b"PK\x03\x04" + b"\0" * 60, "it is a zip archive"),
])
def test_a_file_that_is_not_what_its_name_says_is_reported_as_such(tmp_path: Path, name: str, data: bytes,
                                                                     said: str) -> None:
    reason = _reason(_write(tmp_path, name, data))
    assert said in reason and "rename or re-save it" in reason


def test_sniff_knows_a_real_docx_from_another_zip(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert sniff(path.read_bytes()) == "docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data.csv", "a,b")
    assert sniff(path.read_bytes()) == "zip"


def test_text_reader_structure_from_conventions() -> None:
    text = ("# Staff Code of Conduct\n\nPage | 2\n\n3. Personal use\n\nStaff must not:\n- befriend pupils\n"
            "  - on any platform\nRole\tName\nDSL\tSam Jones\n\n7\n")
    assert text_reader.read("p.txt", text.encode()).blocks == (
        Block("heading", "Staff Code of Conduct", level=1),
        Block("heading", "3. Personal use", level=1),
        Block("paragraph", "Staff must not:"),
        Block("item", "befriend pupils", level=0, marker="-"),
        Block("item", "on any platform", level=2, marker="-"),
        Block("row", "Role | Name", cells=("Role", "Name")),
        Block("row", "DSL | Sam Jones", cells=("DSL", "Sam Jones")),
    )


def test_text_reader_encodings_and_binary() -> None:
    assert text_reader.read("a.txt", "Caf\u00e9 rules".encode("utf-16")).blocks[0].text == "Caf\u00e9 rules"
    assert text_reader.read("a.txt", b"Caf\xe9 \x93rules\x94").blocks[0].text == "Caf\u00e9 \u201crules\u201d"
    assert text_reader.read("a.txt", "\ufeffBOM first".encode()).blocks[0].text == "BOM first"
    with pytest.raises(DocumentError, match="binary data"):
        text_reader.read("a.txt", bytes(range(256)) * 4)
