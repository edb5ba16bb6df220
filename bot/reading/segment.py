"""Split a policy's text into clauses: the units a person would quote.

A clause is a bullet, a numbered paragraph ("5.2 ..."), a short paragraph, or a sentence-level span of a
long run-on paragraph (the damaged-PDF case), each with the path of headings above it and never longer
than MAX_CLAUSE characters. Colon-ended lead-ins ("When using social media, staff must not:") become part
of the section path of the bullets they introduce. Text is never rewritten: whitespace repair only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.reading.cleanup import clean_lines, repair_spaces
from bot.reading.sentences import split_long, split_sentences

MAX_CLAUSE = 600
PARAGRAPH_WHOLE = 400  # a paragraph up to this long is quoted whole; longer ones sentence by sentence
LEAD_IN_ONLY = 60  # a colon-ended lead-in up to this long is a heading for its bullets, not a clause
LEAD_IN_PATH = 100  # longest lead-in shown in a section path
_NOT_SECTIONS = {"contents", "table of contents", "index"}
SEP = " › "

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(\s*)(?:[-*\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2013]|\d+[)])\s+(.*)$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_TOC_ENTRY = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?\s+\D.*?)\s*\.{0,}\s*(\d{1,3})$")
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|will|must|should|can|may|be|has|have|do|does|we|you)\b",
                        re.IGNORECASE)
_INLINE_SUBHEADING = re.compile(r"(?<!\S)(\d{1,2}\.\d{1,2})\s+(?=[A-Z])")


@dataclass(frozen=True)
class Segment:
    path: tuple[str, ...]
    text: str
    kind: str  # "bullet", "numbered", "sentence", "text", "row"


@dataclass(frozen=True)
class _Line:
    kind: str  # "heading", "bullet", "numbered", "text", "row", "blank"
    text: str
    level: int = 0  # heading depth, or bullet indent


def segment(text: str) -> tuple[str | None, list[Segment]]:
    """Return the document's title (its first heading that names it) and its clauses."""
    lines = _classify(_split_inline_headings(clean_lines(text)))
    title = _find_title(lines)
    return title, list(_walk(lines, title))


# ---------------------------------------------------------------- line classification

def _classify(raw: list[str]) -> list[_Line]:
    out: list[_Line] = []
    for i, line in enumerate(raw):
        nxt = next((r for r in raw[i + 1:] if r.strip()), "")
        out.append(_classify_one(line, nxt))
    return _demote_heading_runs(out)


def _demote_heading_runs(lines: list[_Line]) -> list[_Line]:
    """Three or more plain 'headings' in a row are a list (e.g. related policies), not headings:
    keep the first as the heading, the rest become text."""
    out = list(lines)
    run: list[int] = []
    for i, line in enumerate(lines + [_Line("text", "")]):
        if line.kind == "blank":
            continue
        if line.kind == "heading" and line.level == 0:
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run[1:]:
                out[j] = _Line("text", lines[j].text)
        run = []
    return out


def _classify_one(line: str, nxt: str) -> _Line:
    if not line.strip():
        return _Line("blank", "")
    if m := _MD_HEADING.match(line.strip()):
        return _Line("heading", repair_spaces(m.group(2)), len(m.group(1)))
    if m := _BULLET.match(line):
        return _Line("bullet", repair_spaces(m.group(2)), len(m.group(1).expandtabs(4)))
    stripped = line.strip()
    if "\t" in stripped:
        return _Line("row", repair_spaces(stripped))
    if m := _NUMBERED.match(stripped):
        body = m.group(2).replace(":", "")  # "9. Action by employer: inappropriate use" is a title
        if _looks_like_heading(body) and nxt:
            return _Line("heading", repair_spaces(stripped), m.group(1).rstrip(".").count(".") + 1)
        return _Line("numbered", repair_spaces(stripped))
    if _looks_like_heading(stripped) and nxt:
        return _Line("heading", repair_spaces(stripped), 0)
    return _Line("text", repair_spaces(stripped))


def _looks_like_heading(text: str) -> bool:
    """Short, unpunctuated, no 'key: value', no verb of a sentence, no link: a heading."""
    text = text.strip()
    if not text or len(text) > 80 or len(text.split()) > 10:
        return False
    if text[-1] in ".,;:!?" or "](" in text or re.search(r":\s*\S", text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return not _AUXILIARY.search(text)


def _split_inline_headings(lines: list[str]) -> list[str]:
    """Put headings that a PDF export ran into the text ("1. Purpose and scope This policy...") on
    lines of their own, using the document's table of contents when it has one."""
    toc = [m.group(1).strip() for line in lines if (m := _TOC_ENTRY.match(line.strip()))]
    if len(toc) < 3:
        return lines
    titles = [t for t in toc if len(t) < 80]
    out: list[str] = []
    for line in lines:
        if _TOC_ENTRY.match(line.strip()):
            continue  # the contents list itself is furniture
        out.extend(_break_at_titles(line, titles))
    return out


def _break_at_titles(line: str, titles: list[str]) -> list[str]:
    if len(line) < 120:
        return [line]
    cuts = {0}
    for title in titles:
        pattern = r"(?<!\S)" + r"\s+".join(map(re.escape, title.split())) + r"(?=\s)"
        for m in re.finditer(pattern, line):
            cuts.update((m.start(), m.end()))
    for m in _INLINE_SUBHEADING.finditer(line):
        cuts.add(m.start())
    bounds = sorted(cuts) + [len(line)]
    parts = [line[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p]


def _find_title(lines: list[_Line]) -> str | None:
    headings = [ln.text for ln in lines[:40] if ln.kind == "heading" and ln.text.lower() not in _NOT_SECTIONS]
    named = [h for h in headings if re.search(r"\b(?:policy|procedure|guidance|code of conduct)\b", h, re.I)]
    return (named or headings or [None])[0]


# ---------------------------------------------------------------- walking the lines

class _Path:
    """Headings above the current line, plus colon-ended lead-ins above the current bullets."""

    def __init__(self) -> None:
        self.headings: list[tuple[int, str]] = []  # (level, text); level 0 = plain-text heading
        self.lead_ins: list[tuple[int, str]] = []  # (indent of the bullets it introduces, text)
        self.after_heading = False

    def heading(self, level: int, text: str) -> None:
        if level == 0:  # depth unknown: a plain heading keeps its parent only if that had no text
            keep = self.headings if self.after_heading else [h for h in self.headings if h[0] > 0]
        else:
            keep = [h for h in self.headings if 0 < h[0] < level]
        self.headings = keep + [(level, text)]
        self.lead_ins = []
        self.after_heading = True

    def enter(self, line: _Line) -> tuple[str, ...]:
        """Forget lead-ins that no longer apply to *line*; return the path above it."""
        self.after_heading = False
        if line.kind != "bullet":
            self.lead_ins = []
        else:
            self.lead_ins = [(i, t) for i, t in self.lead_ins if i <= line.level]
        return tuple(h for _, h in self.headings) + tuple(t for _, t in self.lead_ins)


def _walk(lines: list[_Line], title: str | None) -> Iterator[Segment]:
    path = _Path()
    for i, line in enumerate(lines):
        if line.kind == "blank":
            continue
        if line.kind == "heading":
            if line.text != title and line.text.lower() not in _NOT_SECTIONS:
                path.heading(line.level, line.text)  # the title (and its repeats) is not a section
            continue
        nxt = next((ln for ln in lines[i + 1:] if ln.kind != "blank"), _Line("blank", ""))
        here = path.enter(line)
        introduces = line.text.endswith(":") and nxt.kind == "bullet" and (
            line.kind != "bullet" or nxt.level >= line.level)
        if introduces:
            path.lead_ins.append((nxt.level, _strip_lead_in(line.text)))
            listed = _with_items(line, lines[i + 1:])
            if len(listed) <= MAX_CLAUSE:  # the lead-in quoted with its items: what a person would quote
                yield Segment(here, listed, "list")
                continue
            if len(line.text) <= LEAD_IN_ONLY:
                continue
        yield from _pieces(here, line)


def _with_items(lead_in: _Line, rest: list[_Line]) -> str:
    """The lead-in followed by the bullets it introduces (deeper ones, or same-level ones for a
    bullet lead-in), joined by single spaces: the document's words, bullet marks left out."""
    items: list[str] = []
    first = next((ln for ln in rest if ln.kind != "blank"), None)
    for ln in rest:
        if ln.kind == "blank":
            continue
        if ln.kind != "bullet" or (first and ln.level < first.level):
            break
        items.append(ln.text)
    return " ".join([lead_in.text, *items])


def _strip_lead_in(text: str) -> str:
    """The lead-in as a path element: its last sentence, without the colon, kept short."""
    text = split_sentences(text.rstrip(": ").strip())[-1]
    return text if len(text) <= LEAD_IN_PATH else "…" + text[-LEAD_IN_PATH:].split(" ", 1)[-1]


def _pieces(path: tuple[str, ...], line: _Line) -> Iterator[Segment]:
    text = line.text
    if len(text) <= PARAGRAPH_WHOLE or line.kind == "row":
        for part in split_long(text, MAX_CLAUSE):
            yield Segment(path, part, line.kind)
        return
    for sentence in split_sentences(text):
        for part in split_long(sentence, MAX_CLAUSE):
            yield Segment(path, part, "sentence")
