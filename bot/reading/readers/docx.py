"""Word (.docx) policies as blocks, read with python-docx and the document's own XML.

Word says what each paragraph is: a "Title" or "Heading n" style (or an outline level) makes a heading,
automatic numbering (`w:numPr`, on the paragraph or its style) makes a list item whose depth is the
numbering level and whose marker is the number Word would show ("1.", "2.1", "a)"; "•" for any bullet),
worked out from numbering.xml in document order. Tables become rows in their place among the paragraphs; a
merged cell's text comes once (the columns it also covers are empty), a nested table's text stays in its
cell. Contents pages (a TOC content control, "TOC n" styles), text boxes, headers and footers are left out.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import cast

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from docx.styles.style import ParagraphStyle
from lxml import etree
from lxml.etree import XMLSyntaxError

from bot.errors import DocumentError
from bot.reading.blocks import Block, SourceDocument, row
from bot.reading.readers._text import clean, format_number, paragraphs, property_value

_ERRORS: dict[type[Exception], str] = {
    PackageNotFoundError: "not a Word .docx file (an old .doc, or another format renamed?)",
    zipfile.BadZipFile: "not a Word .docx file, or a damaged one",
    zlib.error: "the Word file is damaged (broken compressed data)",
    EOFError: "the Word file is damaged (compressed data cut short)",
    NotImplementedError: "the Word file is damaged (an unknown compression method)",
    KeyError: "the Word file is incomplete (a required part is missing)",
    XMLSyntaxError: "the Word file is damaged (malformed XML)",
    ValueError: "not a Word document",
}
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# The runs of a paragraph that show: not deleted or moved away, not in a text box (its own story), and
# not the fallback copy of an alternate-content block.
_RUNS = etree.XPath(".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent"
                    " or ancestor::mc:Fallback)]", namespaces=_NS)
_CELL_PARAGRAPHS = etree.XPath(".//w:p[not(ancestor::w:txbxContent or ancestor::mc:Fallback)]", namespaces=_NS)
_OUTLINE = etree.XPath("./w:pPr/w:outlineLvl/@w:val", namespaces=_NS)
_TOC_GALLERY = etree.XPath("./w:sdtPr/w:docPartObj/w:docPartGallery/@w:val", namespaces=_NS)


def _elements(path: etree.XPath, node: etree._Element) -> list[etree._Element]:
    """What an XPath that selects elements finds (lxml types any XPath's result as every kind of value)."""
    return cast(list[etree._Element], path(node))


def _strings(path: etree.XPath, node: etree._Element) -> list[str]:
    """What an XPath that selects attribute values finds."""
    return cast(list[str], path(node))


_HEADING_STYLE = re.compile(r"heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list(?: (bullet|number|continue|paragraph))?(?: (\d))?$", re.IGNORECASE)
_CHAR = {qn("w:tab"): " ", qn("w:ptab"): " ", qn("w:noBreakHyphen"): "-"}
_P, _TBL, _SDT, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:tr"), qn("w:tc")


def read(name: str, data: bytes) -> SourceDocument:
    """The blocks and core properties of one .docx; DocumentError (with the reason) if it cannot be read."""
    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document)
        blocks = [block for element in _body(document.element.body) for block in reader.blocks(element)]
        return SourceDocument(tuple(blocks), _properties(document))
    except tuple(_ERRORS) as exc:
        reason = next(text for kind, text in _ERRORS.items() if isinstance(exc, kind))
        raise DocumentError(name, f"{reason}: {exc}") from exc


def _body(container: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables in document order, through content controls, without a contents page."""
    for child in container.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT and "Table of Contents" not in _strings(_TOC_GALLERY, child):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body(content)
        elif child.tag == qn("w:customXml"):
            yield from _body(child)


class _Reader:
    """Turns body elements into blocks, keeping the numbering counters that run through the document."""

    def __init__(self, document: Document) -> None:
        self._part = document.part
        self._numbering = _Numbering(_numbering_xml(document))
        self._style_counts: dict[str, int] = {}  # "List Number" paragraphs without Word numbering

    def blocks(self, element: etree._Element) -> list[Block]:
        return list(self._table(element)) if element.tag == _TBL else self._paragraph(element)

    def _paragraph(self, p: etree._Element) -> list[Block]:
        styles = self._style_chain(p)
        if any(name.upper().startswith("TOC") for name, _ in styles):
            return []
        num_id, ilvl, depth = _numbering_of(p, styles)
        marker = self._numbering.marker(num_id, ilvl) if num_id else ""  # numId 0: numbering switched off
        lines = _lines(p)
        text = clean(" ".join(lines))
        if not text:  # an empty numbered paragraph still took its number
            return []
        level = _heading_level(p, styles)
        if level:
            return [Block("heading", text, level=level, marker=marker)]
        list_style = next((m for name, _ in styles if (m := _LIST_STYLE.match(name))), None)
        if num_id or list_style:
            return [self._item(text, depth, marker, list_style if num_id is None else None)]
        self._style_counts.clear()
        return paragraphs(lines)

    def _item(self, text: str, depth: int, marker: str, list_style: re.Match[str] | None) -> Block:
        """A list item; a "List Bullet/Number n" style without Word numbering gives depth and marker."""
        if list_style is not None and not marker:
            depth = max(depth, int(list_style.group(2) or 1) - 1)
            kind = (list_style.group(1) or "").lower()
            if kind == "bullet":
                marker = "•"
            elif kind == "number":
                key = list_style.group(0)
                self._style_counts[key] = self._style_counts.get(key, 0) + 1
                marker = f"{self._style_counts[key]}."
        return Block("item", text, level=depth, marker=marker)

    def _table(self, tbl: etree._Element) -> Iterator[Block]:
        for tr in tbl.iterchildren(_TR):
            cells = [""] * _int_val(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0)
            for tc in tr.iterchildren(_TC):
                span = _int_val(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}"), 1)
                cells += [self._cell_text(tc), *[""] * (span - 1)]
            header = tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
            if any(cells):
                yield row(cells, header=header is not None and header.get(qn("w:val")) not in ("0", "false"))

    def _cell_text(self, tc: etree._Element) -> str:
        """A cell's paragraphs (a nested table's too) joined; "" where the cell continues a vertical merge."""
        merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        if merge is not None and merge.get(qn("w:val")) != "restart":
            return ""
        texts = []
        for p in _elements(_CELL_PARAGRAPHS, tc):
            num_id, ilvl, _ = _numbering_of(p, self._style_chain(p))
            marker = self._numbering.marker(num_id, ilvl) if num_id else ""
            texts.append(f"{marker} {clean(' '.join(_lines(p)))}")
        return clean(" ".join(texts))

    def _style_chain(self, p: etree._Element) -> list[tuple[str, ParagraphStyle]]:
        """The paragraph's style and the styles it is based on, nearest first, with their names."""
        style = self._part.get_style(_style_id(p), WD_STYLE_TYPE.PARAGRAPH)
        chain: list[tuple[str, ParagraphStyle]] = []
        while isinstance(style, ParagraphStyle) and len(chain) < 10:
            chain.append((style.name or "", style))
            style = style.base_style
        return chain


class _Numbering:
    """numbering.xml: every numId's levels (format, text, start), and the counters Word keeps in order.

    Counters run per numId and level; numbering at one level restarts the levels below it.
    """

    def __init__(self, root: etree._Element | None) -> None:
        self._levels: dict[int, dict[int, tuple[str, str, int]]] = {}
        self._counts: dict[int, dict[int, int]] = {}
        if root is not None:
            abstract = {_int_attr(a, "w:abstractNumId"): _levels(a) for a in root.iterchildren(qn("w:abstractNum"))}
            for num in root.iterchildren(qn("w:num")):
                levels = dict(abstract.get(_int_val(num.find(qn("w:abstractNumId")), -1), {}))
                for override in num.iterchildren(qn("w:lvlOverride")):
                    _override(levels, override)
                self._levels[_int_attr(num, "w:numId")] = levels

    def marker(self, num_id: int, ilvl: int) -> str:
        """The next number at this list and level, as Word shows it ("3.", "2.1", "b)"); "•" for bullets."""
        levels = self._levels.get(num_id, {})
        fmt, text, start = levels.get(ilvl, ("none", "", 1))
        counts = self._counts.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [level for level in counts if level > ilvl]:
            del counts[deeper]
        if fmt == "bullet":
            return "•"
        if fmt == "none":
            return ""
        return re.sub(r"%([1-9])", lambda m: self._number(levels, counts, int(m.group(1)) - 1), text).strip()

    def _number(self, levels: dict[int, tuple[str, str, int]], counts: dict[int, int], ilvl: int) -> str:
        fmt, _, start = levels.get(ilvl, ("decimal", "", 1))
        return format_number(counts.get(ilvl, start), fmt)


def _levels(parent: etree._Element) -> dict[int, tuple[str, str, int]]:
    """(numFmt, lvlText, start) of each w:lvl under an abstractNum or a level override."""
    levels = {}
    for lvl in parent.iterchildren(qn("w:lvl")):
        fmt = lvl.find(qn("w:numFmt"))
        text = lvl.find(qn("w:lvlText"))
        levels[_int_attr(lvl, "w:ilvl")] = (
            "decimal" if fmt is None else fmt.get(qn("w:val"), "decimal"),
            "" if text is None else text.get(qn("w:val"), ""),
            _int_val(lvl.find(qn("w:start")), 1),
        )
    return levels


def _override(levels: dict[int, tuple[str, str, int]], override: etree._Element) -> None:
    """A w:num's lvlOverride: a whole new level definition, or a new start for the abstract one."""
    ilvl = _int_attr(override, "w:ilvl")
    levels.update(_levels(override))
    start = override.find(qn("w:startOverride"))
    if start is not None and ilvl in levels:
        fmt, text, _ = levels[ilvl]
        levels[ilvl] = (fmt, text, _int_val(start, 1))


def _numbering_xml(document: Document) -> etree._Element | None:
    try:
        numbering = cast(XmlPart, document.part.part_related_by(RT.NUMBERING))  # numbering.xml is XML
    except KeyError:  # no numbering.xml: the document has no automatic numbering
        return None
    element: etree._Element = numbering.element
    return element


def _style_id(p: etree._Element) -> str | None:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else style.get(qn("w:val"))


def _heading_level(p: etree._Element, styles: list[tuple[str, ParagraphStyle]]) -> int:
    """1-6 for a Title, a "Heading n" style (or one based on it) or an outline level; 0 for body text."""
    for name, _ in styles:
        if name == "Title":
            return 1
        if match := _HEADING_STYLE.match(name):
            return min(max(int(match.group(1)), 1), 6)
    for element in [p, *(style.element for _, style in styles)]:
        for value in _strings(_OUTLINE, element):
            level = int(value) if value.isdigit() else 9
            return min(level + 1, 6) if level < 9 else 0
    return 0


def _numbering_of(p: etree._Element, styles: list[tuple[str, ParagraphStyle]]) -> tuple[int | None, int, int]:
    """(numId, ilvl, depth) from the paragraph's numPr, else its styles'; numId 0 is "numbering off",
    None "no numbering given".

    Depth is the level Word indents the item to: ilvl where one is given, else the digit of a
    "List Bullet 2" style (such styles often number with a one-level list of their own).
    """
    num_id: int | None = None
    ilvl: int | None = None
    for element in [p, *(style.element for _, style in styles)]:
        num_pr = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            continue
        if num_id is None and num_pr.find(qn("w:numId")) is not None:
            num_id = _int_val(num_pr.find(qn("w:numId")), 0)
        if ilvl is None and num_pr.find(qn("w:ilvl")) is not None:
            ilvl = _int_val(num_pr.find(qn("w:ilvl")), 0)
    digit = next((int(m.group(2)) - 1 for name, _ in styles if (m := _LIST_STYLE.match(name)) and m.group(2)), 0)
    return num_id, ilvl or 0, ilvl if ilvl is not None else digit


def _lines(p: etree._Element) -> list[str]:
    """The paragraph's visible text, one string per manual line break."""
    lines = [""]
    for run in _elements(_RUNS, p):
        if run.find(f"{qn('w:rPr')}/{qn('w:vanish')}") is not None:
            continue  # hidden text
        for child in run.iterchildren():
            if child.tag == qn("w:t"):
                lines[-1] += child.text or ""
            elif child.tag == qn("w:br"):
                if child.get(qn("w:type")) in (None, "textWrapping"):
                    lines.append("")
                else:  # a page or column break inside a paragraph
                    lines[-1] += " "
            elif child.tag == qn("w:cr"):
                lines.append("")
            else:
                lines[-1] += _CHAR.get(child.tag, "")
    return lines


def _int_val(element: etree._Element | None, default: int) -> int:
    """The w:val of *element* as a number; *default* when it is absent or not a number."""
    return default if element is None else _int_attr(element, "w:val", default)


def _int_attr(element: etree._Element, name: str, default: int = 0) -> int:
    value = element.get(qn(name))
    return int(value) if value is not None and value.isdigit() else default


def _properties(document: Document) -> dict[str, str]:
    """Title, author, subject, keywords, created and modified, from the file's core properties.

    python-docx invents core properties ("Word Document") for a file without them; those are not the
    document's, so such a file has none.
    """
    try:
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return {}
    core = document.core_properties
    values = {"title": core.title, "author": core.author, "subject": core.subject, "keywords": core.keywords,
              "created": core.created, "modified": core.modified}
    return {key: text for key, value in values.items() if (text := property_value(value))}
