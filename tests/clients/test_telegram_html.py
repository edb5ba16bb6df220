"""Every message the Telegram adapter sends checked against Telegram's HTML rules (tests.clients.telegram_html,
written from the Bot API's Formatting options): allowed tags and attributes only, entities, nesting, every
tag closed, 1-4096 characters after entities parsing; and every inline keyboard under them (callback data
1-64 bytes, a label on every button).

The messages come from the real code path: ChatService replies over a small corpus (tests.clients.replies)
through bot.adapters.telegram_keyboards.outgoing, which is what the adapter sends.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.adapters import telegram_format as fmt
from bot.adapters.telegram_keyboards import Outgoing, outgoing
from bot.core.chat import SORRY
from tests.clients import telegram_html
from tests.clients.replies import client_runtime, every_reply

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Outgoing]]:
    """(what, the messages and keyboards sent) for every reply; and a reply too long for one message (a
    real answer whose quotes are repeated to over 5,000 characters each) to see the split."""
    out: list[tuple[str, Outgoing]] = []
    with client_runtime(tmp_path_factory.mktemp("telegram")) as rt:
        assert rt.chat is not None
        for what, reply in every_reply(rt.chat, "telegram"):
            out.append((what, outgoing(reply)))
            if reply.answer is not None and reply.answer.passages and reply.step is None:
                long = tuple(replace(p, text=(p.text + " ") * (5000 // len(p.text) + 1)) for p in reply.answer.passages)
                out.append((f"{what}, long quotes",
                            outgoing(replace(reply, answer=replace(reply.answer, passages=long)))))
    out.append(("the apology after an error", [(fmt.escape(SORRY), None)]))
    return out


def test_every_message_is_telegram_html(sent: list[tuple[str, Outgoing]]) -> None:
    found = [(what, n, p) for what, messages in sent for n, (text, _) in enumerate(messages)
             for p in telegram_html.problems(text)]
    assert found == []


def test_what_was_checked(sent: list[tuple[str, Outgoing]]) -> None:
    """Answers, declines, concerns, steps, errors, help; splits; the tags and contacts a person sees."""
    whats = " ".join(w for w, _ in sent)
    for kind in ("answer", "decline", "concern", "contacts", "help", "empty", "refused", "induction: start",
                 "after 'ack'", "long quotes"):
        assert kind in whats, kind
    split = [m for w, m in sent if "long quotes" in w]
    assert split and all(len(messages) > 1 for messages in split)
    tags = set().union(*(telegram_html.parse(t)[2] for _, messages in sent for t, _ in messages))
    assert tags == {"b", "i", "blockquote"}
    texts = [telegram_html.parse(t)[1] for _, messages in sent for t, _ in messages]
    assert any("Priya Shah (Designated Safeguarding Lead), dsl@elm.example, 01234 567890, @priya_dsl" in t
               for t in texts)
    assert any("Who to contact: Alison Grey (Headteacher)" in t and "Alison Grey (Headteacher), " not in t
               for t in texts)  # nobody's way known: nothing after their name
    assert any("<script>alert('x')</script>" in t for t in texts)  # the hostile clause, shown as text
    assert not any("**" in line for t in texts for line in t.splitlines() if line.startswith("Online Safety"))


def test_every_keyboard_is_valid(sent: list[tuple[str, Outgoing]]) -> None:
    buttons = [b for _, messages in sent for _, keyboard in messages if keyboard is not None
               for row in keyboard.inline_keyboard for b in row]
    assert len(buttons) > 10
    for button in buttons:
        assert button.text.strip() and button.callback_data is not None
        assert 1 <= len(str(button.callback_data).encode()) <= 64, button


@pytest.mark.parametrize("bad, says", [
    ("<b>x</i>", "closes"), ("<p>x</p>", "not a Telegram tag"), ("a & b", "bare '&'"),
    ("&nbsp;", "named entities"), ("<pre><b>x</b></pre>", "inside <pre>"), ("<a href='x'><code>y</code></a>",
                                                                           "can't contain each other"),
    ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"), ("<b>x", "not closed"),
    ("<code class='language-py'>x</code>", "directly inside <pre>"), ("<span>x</span>", "tg-spoiler"),
    ("<b title='t'>x</b>", "may not have"), ("x" * 4097, "at most 4096"), ("", "empty"),
    ("👍" * 2049, "at most 4096")])
def test_the_checker_finds_what_telegram_refuses(bad: str, says: str) -> None:
    assert any(says in p for p in telegram_html.problems(bad)), telegram_html.problems(bad)


@pytest.mark.parametrize("good", [
    "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>i</ins> <s>s</s> <strike>s</strike> "
    "<del>d</del> <span class=\"tg-spoiler\">s</span> <tg-spoiler>s</tg-spoiler> <a href=\"https://x.example\">"
    "l</a> <tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji> <code>c</code> <pre>p</pre> "
    "<pre><code class=\"language-python\">x</code></pre> <blockquote>q</blockquote> "
    "<blockquote expandable>q</blockquote> &lt; &gt; &amp; &quot; &#8212; &#x2014;",
    "<b>bold <i>italic bold <s>strike</s> <u>underline</u></i> bold</b>"])
def test_the_checker_accepts_what_telegram_documents(good: str) -> None:
    assert telegram_html.problems(good) == []

