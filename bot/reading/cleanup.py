"""Block cleanup, the same for every format: what a reader could not know from its format alone.

- invisible characters out, whitespace folded (the only change a quote's words ever get);
- page furniture a reader let through ("Page | 3", a lone page number, a "Contents" title) out;
- a paragraph that starts with a bullet glyph ("•", U+F0B7, "▪", "§", "–", "o") is a list item;
- a paragraph broken by a page or column break ("... staff must" / "report it.") joined again;
- a short unpunctuated line on its own, followed by text, is a heading; three or more in a row are a
  list written without bullets, and so are two or more lines in a row that are not sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.reading.blocks import Block, fold
from bot.reading.sentences import ends_sentence

_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\x02]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_PAGE_MARK = re.compile(r"\bPage\s*\|\s*\d+\b|\bPage\s+\d+\s+of\s+\d+\b|^\d+\s*\|\s*Page\b", re.IGNORECASE)
_GLYPH = re.compile(r"^([\uf0b7\uf0a7\uf0d8\uf076\uf0fc\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u27a2\u2713"
                    r"\u00a7\u2013\u2014*-]|o(?=\s+[A-Z]))\s+(?=\S)")
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|will|must|should|can|may|be|has|have|do|does|we|you|our)\b",
                        re.IGNORECASE)
_FURNITURE = re.compile(
    r"^(?:(?:table\s+of\s+)?contents:?"  # the contents list's own title
    r"|(?:page\s+)?-?\s*\d{1,3}\s*-?"  # a lone page number
    r"|[\uf0b7\uf0a7\u2022\u25cf\u25aa\u25a0\u25e6\u2013\u2014*-]+"  # a bullet with nothing after it
    r"|(?:\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][^.:;!?]{2,70}?\s*){3,})$",  # a contents list run into one line
    re.IGNORECASE)
# Cover-page lines ("Ratified by FGB", "Date of next review September 2022") are about the document,
# not headings of its text.
METADATA_LINE = re.compile(r"^(?:date|ratified|approved|adopted|agreed|(?:to\s+be\s+)?reviewed|review|signed|version"
                            r"|status|author|owner|updated|written)\b", re.IGNORECASE)
LABEL_VALUE = re.compile(r"^[A-Z][\w /&()'.-]{1,40}:\s+\S.{0,100}$")  # "Review date: 2014-11-25"
HEADING_MAX = 80


def repair_spaces(text: str) -> str:
    """Collapse runs of spaces (and tabs) into one space and trim: the only change quotes get."""
    return _SPACES.sub(" ", text).strip()


def clean(blocks: Iterable[Block]) -> list[Block]:
    tidy = [b for b in (_tidy(b) for b in blocks) if b is not None]
    return _unmarked_lists(_infer_headings(_join_broken(tidy)))


def _tidy(block: Block) -> Block | None:
    text = fold(_PAGE_MARK.sub(" ", _INVISIBLE.sub("", block.text)))
    if not text or (block.kind != "row" and _FURNITURE.match(text)):
        return None
    if block.kind == "paragraph" and (m := _GLYPH.match(text)):
        return replace(block, kind="item", text=text[m.end():], marker=m.group(1))
    return replace(block, text=text) if text != block.text else block


def _join_broken(blocks: list[Block]) -> list[Block]:
    """A paragraph or item that does not end a sentence, followed by a paragraph that starts in lower
    case, is one paragraph that a page or column break cut in two."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind in ("paragraph", "item") and block.kind == "paragraph"
                and block.text[:1].islower() and not ends_sentence(prev.text)):
            out[-1] = replace(prev, text=f"{prev.text} {block.text}")
        else:
            out.append(block)
    return out


def looks_like_heading(text: str) -> bool:
    """Short, unpunctuated, no 'key: value', no verb of a sentence, no link: a heading."""
    if not text or len(text) > HEADING_MAX or len(text.split()) > 10:
        return False
    if text[-1] in ".,;:!?" or "](" in text or re.search(r":\s*\S", text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return not _AUXILIARY.search(text)


def _infer_headings(blocks: Sequence[Block]) -> list[Block]:
    """Paragraphs that look like headings become headings of unknown depth (level 0) when text follows.
    A run of three or more is a list written without bullets (related policies, say): its lines are items,
    under the run's first line unless a heading already stands above the run."""
    out = list(blocks)
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == "paragraph" and looks_like_heading(blocks[j].text) \
                and not METADATA_LINE.match(blocks[j].text):
            j += 1
        if j - i >= 3:
            first = i + (0 if i > 0 and blocks[i - 1].kind == "heading" else 1)
            out[i:first] = [replace(b, kind="heading", level=0) for b in blocks[i:first]]
            out[first:j] = [replace(b, kind="item", marker="") for b in blocks[first:j]]
        elif j > i and j < len(blocks) and blocks[j].kind != "heading":
            out[i:j] = [replace(b, kind="heading", level=0) for b in blocks[i:j]]
        i = max(j, i + 1)
    return out


LIST_LINE_MAX = 250  # longer unpunctuated text is a sentence that lost its full stop, not a list line


def _unmarked_lists(blocks: list[Block]) -> list[Block]:
    """Two or more paragraphs in a row that are not sentences ("Verbal - name-calling", "Physical -
    hitting") are the lines of a list written without bullets: items, so each is quoted whole."""
    out = list(blocks)
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and _list_line(blocks[j]):
            j += 1
        if j - i >= 2:
            out[i:j] = [replace(b, kind="item", marker="") for b in blocks[i:j]]
        i = max(j, i + 1)
    return out


def _list_line(block: Block) -> bool:
    """A line of a list without bullets; not a "Label: value" line about the document ("Review date: …")."""
    return (block.kind == "paragraph" and len(block.text) <= LIST_LINE_MAX and not ends_sentence(block.text)
            and not METADATA_LINE.match(block.text) and not LABEL_VALUE.match(block.text))
