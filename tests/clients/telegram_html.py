"""A checker for Telegram's HTML parse mode, written from the Bot API's own rules (Formatting options, HTML
style, https://core.telegram.org/bots/api#formatting-options, and sendMessage's `text`):

- tags: <b>/<strong>, <i>/<em>, <u>/<ins>, <s>/<strike>/<del>, <span class="tg-spoiler">, <tg-spoiler>,
  <a href="...">, <tg-emoji emoji-id="...">, <code>, <pre>, <pre><code class="language-...">,
  <blockquote> and <blockquote expandable>; no other tag and no other attribute;
- "All <, > and & symbols that are not a part of a tag or an HTML entity must be replaced with the
  corresponding HTML entities"; "All numerical HTML entities are supported"; the only named entities are
  &lt; &gt; &amp; and &quot;;
- nesting: "bold, italic, underline, strikethrough, and spoiler entities can contain and can be part of
  any other entities, except pre and code"; "blockquote and expandable_blockquote entities can't be
  nested"; "All other entities can't contain each other" (a pre's one code child, which names its
  language, is the exception); "Programming language can't be specified for standalone code tags";
- every tag closed, in order; a tg-emoji's content is an emoji;
- the text is 1-4096 characters after entities parsing (measured here in UTF-16 code units, as Telegram
  counts entity offsets: never fewer than the characters).

Python's html.parser does the tokenising; `problems(message)` lists every rule a message breaks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_CHARS = 4096
STYLE = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"}  # "span" when a spoiler
OTHER = {"a", "code", "pre", "tg-emoji", "blockquote"}
ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_LANGUAGE = re.compile(r"language-[\w+#.-]+")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []  # entity kinds open: "b", "span" counts as "tg-spoiler"
        self.problems: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        raw = self.get_starttag_text() or ""
        if raw[1:1 + len(tag)] != tag:
            self.problems.append(f"tag {raw!r} is not lower case")
        kind = self._kind(tag, dict(attrs), attrs)
        if kind is None:
            return
        self._nesting(kind)
        self.stack.append(kind)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/> is not Telegram HTML")

    def _kind(self, tag: str, values: dict[str, str | None], attrs: list[tuple[str, str | None]]) -> str | None:
        allowed: dict[str, set[str]] = {"a": {"href"}, "tg-emoji": {"emoji-id"}, "code": {"class"},
                                        "blockquote": {"expandable"}, "span": {"class"}}
        if tag not in STYLE | OTHER | {"span"}:
            self.problems.append(f"<{tag}> is not a Telegram tag")
            self.stack.append(tag)
            return None
        extra = [name for name, _ in attrs if name not in allowed.get(tag, set())]
        if extra:
            self.problems.append(f"<{tag}> may not have {extra}")
        if tag == "span" and values.get("class") != "tg-spoiler":
            self.problems.append('<span> is allowed only as <span class="tg-spoiler">')
        if tag == "a" and not values.get("href"):
            self.problems.append("<a> without href")
        if tag == "tg-emoji" and not (values.get("emoji-id") or "").isdigit():
            self.problems.append("<tg-emoji> needs a numeric emoji-id")
        if tag == "blockquote" and "expandable" in values and values["expandable"] not in (None, ""):
            self.problems.append("blockquote's expandable takes no value")
        if tag == "code" and "class" in values:
            if not _LANGUAGE.fullmatch(values["class"] or ""):
                self.problems.append(f"<code class={values['class']!r}>: only language-<name>")
            elif self.stack[-1:] != ["pre"]:
                self.problems.append("a language is named only on a <code> directly inside <pre>")
        return "tg-spoiler" if tag == "span" else tag

    def _nesting(self, kind: str) -> None:
        inline = {"a", "code", "pre", "tg-emoji"}  # "all other entities can't contain each other"
        for depth, outer in enumerate(self.stack):
            language = outer == "pre" and kind == "code" and depth == len(self.stack) - 1
            if outer in ("pre", "code") and not language:
                self.problems.append(f"<{kind}> inside <{outer}>: pre and code contain no other entity")
            elif kind in ("pre", "code") and outer in STYLE:
                self.problems.append(f"<{kind}> inside <{outer}>: style entities contain no pre or code")
            elif kind == "blockquote" and outer == "blockquote":
                self.problems.append("a blockquote inside a blockquote: blockquotes can't be nested")
            elif kind == "blockquote" and outer in inline:
                self.problems.append(f"a blockquote inside <{outer}>")
            elif kind in inline and outer in inline and not language:
                self.problems.append(f"<{kind}> inside <{outer}>: these entities can't contain each other")

    def handle_endtag(self, tag: str) -> None:
        kind = "tg-spoiler" if tag == "span" else tag
        if not self.stack:
            self.problems.append(f"</{tag}> closes nothing")
        elif self.stack[-1] != kind:
            self.problems.append(f"</{tag}> closes <{self.stack[-1]}>")
            if kind in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(kind):]
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.problems.append(f"&{name}; is not one of Telegram's named entities")
        self.text.append(ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            self.text.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except ValueError:
            self.problems.append(f"&#{name}; is not a number")

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self.problems.append(f"a bare {ch!r} in the text: {data[:60]!r}")
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment <!--{data[:40]}--> is not Telegram HTML")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl[:40]}> is not Telegram HTML")

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data[:40]}> is not Telegram HTML")


def parse(message: str) -> tuple[list[str], str, set[str]]:
    """(problems, the text after entities parsing, the tags used)."""
    parser = _Parser()
    parser.feed(message)
    parser.close()
    if parser.rawdata:
        parser.problems.append(f"unparsed rest {parser.rawdata[:60]!r} (a bare '<' or '&'?)")
    if parser.stack:
        parser.problems.append(f"not closed: {parser.stack}")
    text = "".join(parser.text)
    units = len(text.encode("utf-16-le")) // 2
    if not text.strip():
        parser.problems.append("empty after entities parsing (Telegram needs 1-4096 characters)")
    if units > MAX_CHARS:
        parser.problems.append(f"{units} characters after entities parsing (at most {MAX_CHARS})")
    return parser.problems, text, parser.tags


def problems(message: str) -> list[str]:
    return parse(message)[0]
