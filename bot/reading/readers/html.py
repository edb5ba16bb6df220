"""HTML policies (a school's web page, or an exported document) as blocks, read with BeautifulSoup.

A web page is mostly not the policy: navigation, site header and footer, cookie banners, breadcrumbs and
share buttons are page furniture and left out, and when the page marks its content (`<main>`, or a single
`<article>`) only that is read. Headings keep their level, lists their nesting (marker "•", or the number
of an ordered list), tables become rows (`th` rows are header rows; a colspan or rowspan leaves empty cells
so columns stay aligned with the header), and a definition list becomes "term: definition" paragraphs.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

from bot.reading.blocks import Block, SourceDocument, row
from bot.reading.readers._text import clean, decode, format_number, paragraphs, require_text

_ALWAYS_DROPPED = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "aside", "object",
                   "embed", "canvas", "button", "select", "textarea", "audio", "video")
_PAGE_EDGES = ("header", "footer")  # dropped unless they belong to an article or the main content
_CONTENT = ("main", "article")
_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})
_CLASS_PARTS = frozenset({"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "cookie",
                          "cookies", "footer", "sidebar", "share", "sharing", "social"})
_CLASS_TOKENS = frozenset({"skip-link", "skiplink", "skip-to-content", "site-header", "masthead"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_NESTED = frozenset({"ul", "ol", "table", "dl"})  # structures read on their own, even inside others
_INLINE = frozenset({"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn",
                     "em", "font", "i", "img", "input", "ins", "kbd", "label", "mark", "nobr", "picture", "q",
                     "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
                     "wbr"})
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_OL_TYPES = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
_DC_DATES = frozenset({"date", "created", "modified", "issued", "available", "valid", "date_accepted",
                       "date_submitted"})


def read(name: str, data: bytes) -> SourceDocument:
    """The blocks and <title>/<meta> properties of one HTML page; DocumentError if it is not text."""
    text = decode(data, _declared_charset(data))
    require_text(name, text, "an HTML page")
    soup = _soup(text)
    properties = _properties(soup)
    return SourceDocument(tuple(_blocks(_content_root(soup))), properties)


def fragment_blocks(markup: str) -> list[Block]:
    """The blocks of a piece of HTML inside another format (a Markdown HTML block); [] for bare markup."""
    soup = _soup(markup)
    return _blocks(soup.body or soup)


def _declared_charset(data: bytes) -> str | None:
    match = _CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii").lower() if match else None
    return None if declared and declared.startswith(("utf-16", "utf-32")) else declared  # as browsers do


def _soup(text: str) -> BeautifulSoup:
    """The parsed page. XHTML parsed as HTML, and a page that is only a URL, are still pages to us."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text.replace("\x00", ""), "lxml")
    for tag in soup.find_all(_ALWAYS_DROPPED):
        tag.decompose()
    for form in soup.find_all("form"):  # a search or contact form; not a whole ASP.NET page in one <form>
        if not form.decomposed and form.find(("main", "article", "h1", "h2")) is None:
            form.decompose()
    return soup


# --- what to read ------------------------------------------------------------------------------

def _content_root(soup: BeautifulSoup) -> Tag:
    """The page's marked content (<main>, role=main, or its only <article>), else the whole body."""
    main = soup.find("main") or soup.find(None, {"role": "main"})
    if isinstance(main, Tag):
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _blocks(root: Tag) -> list[Block]:
    for tag in [tag for tag in root.find_all(True) if _is_furniture(tag)]:
        if not tag.decomposed:
            tag.decompose()
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


def _is_furniture(tag: Tag) -> bool:
    """Page furniture by its tag, ARIA role, hidden state or class/id words; never the content itself."""
    if tag.name in _CONTENT or tag.get("role") == "main":
        return False
    if tag.name in ("head", "title"):  # read already, for the properties
        return True
    if tag.name in _PAGE_EDGES and tag.find_parent(_CONTENT) is None:
        return True
    if str(tag.get("role", "")).lower() in _ROLES or tag.has_attr("hidden"):
        return True
    if tag.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(str(tag.get("style", ""))):
        return True
    return any(_is_furniture_word(token) for token in _class_and_id(tag))


def _class_and_id(tag: Tag) -> list[str]:
    classes: str | list[str] = tag.get("class") or []
    return [*(classes if isinstance(classes, list) else str(classes).split()), *str(tag.get("id", "")).split()]


def _is_furniture_word(token: str) -> bool:
    """"main-nav", "cookieBanner", "breadcrumbs", "skip-link": words of page furniture in a class or id."""
    if token.lower() in _CLASS_TOKENS:
        return True
    return any(part.lower() in _CLASS_PARTS for part in _WORD_SPLIT.split(token))


# --- blocks ------------------------------------------------------------------------------------

class _Walker:
    """Walks the content in document order, gathering loose text until a block boundary ends it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines = [""]  # the loose text so far, one string per <br>-separated line

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                self._tag(child)
            elif _is_text(child):
                self.lines[-1] += str(child)

    def flush(self) -> None:
        self.blocks.extend(paragraphs(self.lines))
        self.lines = [""]

    def _tag(self, tag: Tag) -> None:
        if tag.name == "br":
            self.lines.append("")
        elif tag.name in _INLINE:
            self.walk(tag)
        elif tag.name in _HEADINGS or tag.name in _NESTED:
            self.flush()
            self.blocks.extend(_structure(tag, 0))
        else:  # p, div, section, blockquote, ... and unknown tags: a block of their own
            self.flush()
            self.walk(tag)
            self.flush()


def _structure(tag: Tag, depth: int) -> Iterator[Block]:
    if tag.name in _HEADINGS:
        if text := _text(tag):
            yield Block("heading", text, level=_HEADINGS[tag.name])
    elif tag.name in ("ul", "ol"):
        yield from _list(tag, depth)
    elif tag.name == "table" and _is_layout(tag):
        yield from _blocks(tag)
    elif tag.name == "table":
        yield from _table(tag)
    elif tag.name == "dl":
        yield from _definitions(tag)


def _list(tag: Tag, depth: int) -> Iterator[Block]:
    """Items of a list; lists inside an item (or, invalidly, right inside the list) one level deeper."""
    number = _int_attr(tag, "start", 1)
    for child in tag.find_all(True, recursive=False):
        if child.name in _NESTED:
            yield from _structure(child, depth + 1)
            continue
        number = _int_attr(child, "value", number)
        marker = _ol_marker(number, str(tag.get("type", "1"))) if tag.name == "ol" else "•"
        number += 1
        if text := _text(child, _NESTED):
            yield Block("item", text, level=depth, marker=marker)
        for nested in _nested(child):
            yield from _structure(nested, depth + 1)


def _ol_marker(number: int, kind: str) -> str:
    """An ordered list's marker for its type attribute: "1.", "a.", "A.", "i.", "I."."""
    return format_number(number, _OL_TYPES.get(kind, "decimal")) + "."


def _table(table: Tag) -> Iterator[Block]:
    """Rows of a table; a nested table's text stays inside its cell."""
    caption = table.find("caption", recursive=False)
    if isinstance(caption, Tag) and (text := _text(caption)):
        yield Block("paragraph", text)
    spanned: dict[int, int] = {}  # column -> rows below still covered by a rowspan
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = tr.find_all(("td", "th"), recursive=False)
        texts = _row_cells(cells, spanned)
        if any(texts):
            in_head = tr.parent is not None and tr.parent.name == "thead"
            yield row(texts, header=in_head or all(cell.name == "th" for cell in cells))


def _is_layout(table: Tag) -> bool:
    """A table that lays out a page (an old school website's columns), not one of data: its cells hold
    headings, or it says so. Its cells are read as the page's sections instead of as rows."""
    if str(table.get("role", "")).lower() in ("presentation", "none"):
        return True
    return any(cell.find_parent("table") is table for cell in table.find_all(tuple(_HEADINGS)))


def _row_cells(cells: list[Tag], spanned: dict[int, int]) -> list[str]:
    """One row's cell texts in column order, with "" where a colspan or a rowspan above covers a column."""
    texts: list[str] = []
    for cell in cells:
        while spanned.get(len(texts), 0) > 0:
            spanned[len(texts)] -= 1
            texts.append("")
        rows = _int_attr(cell, "rowspan", 1)
        for extra in range(_int_attr(cell, "colspan", 1)):
            if rows > 1:
                spanned[len(texts)] = rows - 1
            texts.append("" if extra else _text(cell))
    for column in sorted(c for c, left in spanned.items() if left > 0 and c >= len(texts)):
        spanned[column] -= 1
        texts.extend([""] * (column + 1 - len(texts)))
    return texts


def _definitions(dl: Tag) -> Iterator[Block]:
    """A definition list as "term: definition" paragraphs (a term without a definition on its own)."""
    term = ""
    for tag in dl.find_all(("dt", "dd")):
        if tag.find_parent("dl") is not dl:
            continue
        text = _text(tag)
        if tag.name == "dt":
            if term:
                yield Block("paragraph", term)
            term = text
        elif text:
            yield Block("paragraph", _definition(term, text))
            term = ""
    if term:
        yield Block("paragraph", term)


def _definition(term: str, text: str) -> str:
    if not term:
        return text
    return f"{term} {text}" if term.endswith(":") else f"{term}: {text}"


# --- text --------------------------------------------------------------------------------------

def _text(tag: Tag, stop: frozenset[str] = frozenset()) -> str:
    """The folded text of *tag*, leaving out the subtrees named in *stop*; block edges become spaces."""
    return clean("".join(_pieces(tag, stop)))


def _pieces(tag: Tag, stop: frozenset[str]) -> Iterator[str]:
    for child in tag.children:
        if isinstance(child, Tag):
            if child.name in stop:
                continue
            inline = child.name in _INLINE
            yield "" if inline else " "
            yield from _pieces(child, stop)
            yield "" if inline else " "
        elif _is_text(child):
            yield str(child)


def _nested(tag: Tag) -> Iterator[Tag]:
    """The outermost lists, tables and definition lists inside *tag*."""
    for child in tag.find_all(True, recursive=False):
        if child.name in _NESTED:
            yield child
        else:
            yield from _nested(child)


def _is_text(node: object) -> bool:
    """Words of the page, not a comment, doctype, CDATA or processing instruction."""
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _int_attr(tag: Tag, name: str, default: int) -> int:
    value = str(tag.get(name, "")).strip()
    return int(value) if value.isdigit() and 0 < int(value) < 1000 else default


# --- properties --------------------------------------------------------------------------------

def _properties(soup: BeautifulSoup) -> dict[str, str]:
    """<title>, <meta name="description"/"author"> and Dublin Core dates (dcterms.modified, DC.date.issued)."""
    properties = {}
    if soup.title is not None and (title := clean(soup.title.get_text())):
        properties["title"] = title
    for meta in soup.find_all("meta"):
        key = _meta_key(str(meta.get("name", "")))
        value = clean(str(meta.get("content", "")))
        if key and value:
            properties.setdefault(key, value[:10] if key in _DC_DATES and _is_iso(value) else value)
    return properties


def _meta_key(name: str) -> str | None:
    if name.lower() in ("description", "author"):
        return name.lower()
    match = re.fullmatch(r"(?:dcterms|dc)\.(?:date\.)?(\w+)", name, re.IGNORECASE)
    if match is None:
        return None
    key = "_".join(part.lower() for part in _WORD_SPLIT.split(match.group(1)) if part)
    return key if key in _DC_DATES else None


def _is_iso(value: str) -> bool:
    return re.match(r"\d{4}-\d{2}-\d{2}(?:$|[T ])", value) is not None
