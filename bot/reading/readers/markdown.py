"""Markdown policies (CommonMark with tables) as blocks, read with markdown-it-py.

The Markdown structure is the document's own: ATX and Setext headings keep their level, list items their
nesting depth and the marker as written ("*", "-", "1."), tables become rows (the header row flagged), and
a block quote's paragraphs are paragraphs. Inline markup is the document's formatting, not its words: links
keep their text, emphasis markers go, images go. A hard-wrapped paragraph is one paragraph again; its line
breaks only start new paragraphs between "Label: value" lines (see `_text.label_lines`). YAML front matter
becomes the document's properties; front matter that is not a YAML mapping is read as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from bot.reading.blocks import Block, SourceDocument, row
from bot.reading.readers import html
from bot.reading.readers._text import clean, decode, paragraphs, property_key, property_value, require_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# "[text](a destination with spaces)" is not a link to CommonMark, but it is to the sites that wrote it.
_LITERAL_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\([^)\n]*\)")
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def read(name: str, data: bytes) -> SourceDocument:
    """The blocks and front-matter properties of one Markdown file; DocumentError if it is not text."""
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    require_text(name, text, "a Markdown file")
    properties, front_blocks, body = _split_front_matter(text)
    tree = SyntaxTreeNode(_PARSER.parse(body))
    return SourceDocument(tuple(front_blocks + list(_children(tree, 0))), properties)


# --- front matter ------------------------------------------------------------------------------

def _split_front_matter(text: str) -> tuple[dict[str, str], list[Block], str]:
    """(properties, blocks of malformed front matter, the Markdown after it)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, [], text
    source = match.group(1) or ""
    body = text[match.end():]
    properties = _yaml_properties(source)
    if properties is None:  # not a YAML mapping: the lines are the document's text after all
        return {}, paragraphs(source.splitlines()), body
    return properties, [], body


def _yaml_properties(source: str) -> dict[str, str] | None:
    """The front matter as properties, or None when it is not a YAML mapping of names to values."""
    try:
        loaded = yaml.safe_load(source) if source.strip() else {}
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date such as 2024-02-30
        return None
    if not isinstance(loaded, dict):
        return None
    properties = {}
    for key, value in loaded.items():
        text = "" if isinstance(value, dict) else property_value(value)
        if text:
            properties[property_key(str(key))] = text
    return properties


# --- blocks ------------------------------------------------------------------------------------

def _children(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    for child in node.children:
        yield from _HANDLERS.get(child.type, _container)(child, depth)


def _container(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    """Block quotes (and anything else that only holds blocks): their blocks, as if not quoted."""
    yield from _children(node, depth)


def _nothing(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    return iter(())


def _heading(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    text = clean(" ".join(_inline_lines(node)))
    if text:
        yield Block("heading", text, level=int(node.tag[1]))


def _paragraph(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    yield from paragraphs(_inline_lines(node))


def _code(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    """Indented or fenced code: in a policy, almost always indented prose, so read as a paragraph."""
    yield from paragraphs(node.content.splitlines())


def _html(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    yield from html.fragment_blocks(node.content)


def _list(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    for item in node.children:
        yield from _item(item, depth)


def _item(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    """One list item: its leading paragraphs are its text; nested lists follow one level deeper.

    A paragraph after a nested list, inside the same item, comes out as a paragraph of its own.
    """
    leading = 0
    while leading < len(node.children) and node.children[leading].type == "paragraph":
        leading += 1
    text = clean(" ".join(line for child in node.children[:leading] for line in _inline_lines(child)))
    if text:
        yield Block("item", text, level=depth, marker=node.info + node.markup)
    for child in node.children[leading:]:
        yield from _HANDLERS.get(child.type, _container)(child, depth + 1)


def _table(node: SyntaxTreeNode, depth: int) -> Iterator[Block]:
    for section in node.children:  # thead, tbody
        for tr in section.children:
            cells = [clean(" ".join(_inline_lines(cell))) for cell in tr.children]
            if any(cells):
                yield row(cells, header=section.type == "thead")


_HANDLERS: dict[str, Callable[[SyntaxTreeNode, int], Iterator[Block]]] = {
    "heading": _heading,
    "paragraph": _paragraph,
    "bullet_list": _list,
    "ordered_list": _list,
    "table": _table,
    "code_block": _code,
    "fence": _code,
    "html_block": _html,
    "hr": _nothing,
}


# --- inline text -------------------------------------------------------------------------------

def _inline_lines(node: SyntaxTreeNode) -> list[str]:
    """The words of a block's inline content, one string per source line (soft or hard break)."""
    lines = [""]
    for child in node.children:
        _add_inline(child, lines)
    return [_LITERAL_LINK.sub(lambda m: "" if m.group(1) else m.group(2), line) for line in lines]


def _add_inline(node: SyntaxTreeNode, lines: list[str]) -> None:
    if node.type in ("text", "code_inline"):
        lines[-1] += node.content
    elif node.type in ("softbreak", "hardbreak") or (node.type == "html_inline" and _BR_TAG.fullmatch(node.content.strip())):
        lines.append("")
    elif node.type not in ("image", "html_inline"):  # links, emphasis: their text without the markup
        for child in node.children:
            _add_inline(child, lines)
