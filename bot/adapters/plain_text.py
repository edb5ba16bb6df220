"""Headings as words: a policy written in Markdown (or a text file typed as if it were) keeps its markup in
its section headings ("When using social media, staff **must not**"); a heading shown as a source line is
a label, not a quote, so every platform shows it without the markers. Pure functions, no SDK.

Quotes are not touched: a clause is shown verbatim, as written.
"""

from __future__ import annotations

import re

from bot.core.models import Passage

_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]*?[^\s*\\])?\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=[^\s_])([^_\n]*?[^\s_\\])?_(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`\n]+?)`+")
_LINK = re.compile(r"!?\[([^\]\n]+)\]\([^)\s]*\)")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")


def heading(text: str) -> str:
    """*text* without Markdown's emphasis, code, link and heading markers: '**must not**' -> 'must not',
    '## 3. Personal use' -> '3. Personal use', '[KCSIE](https://…)' -> 'KCSIE'. A lone '*' or '_' (a
    footnote mark, snake_case) stays."""
    out = _ATX.sub("", _LINK.sub(r"\1", text))
    out = _CODE.sub(r"\1", out)
    for pattern in (_STRONG, _STRIKE):
        out = pattern.sub(lambda m: m.group(m.lastindex or 0), out)
    out = _EM_STAR.sub(lambda m: m.group(1) or m.group(0), out)
    return _EM_UNDERSCORE.sub(lambda m: m.group(1) or m.group(0), out)


def source(passage: Passage, sep: str = " › ") -> str:
    """'Document › Section' as a reader sees it: the document title and the section path without markup."""
    where = heading(passage.document)
    return where + (f"{sep}{heading(passage.section)}" if passage.section else "")
