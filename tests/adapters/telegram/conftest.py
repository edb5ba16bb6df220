"""The real python-telegram-bot stack against tests.doubles.fake_telegram_api on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from html.parser import HTMLParser

import pytest
from pydantic import SecretStr

from bot.adapters import telegram
from bot.config import Settings
from bot.core.chat import ChatService
from bot.runtime import Runtime
from tests.doubles.fake_telegram_api import TOKEN, Call, FakeTelegramApi

SECRET = "webhook-secret-for-tests"
OUR_TAGS = {"b", "i", "blockquote"}


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi() as api:
        yield api


def telegram_settings(runtime: Runtime, api: FakeTelegramApi, **more: object) -> Settings:
    return runtime.settings.model_copy(update={"telegram_token": SecretStr(TOKEN), "telegram_api_url": api.url,
                                               "telegram_webhook_secret": SecretStr(SECRET), **more})


def chat_of(runtime: Runtime) -> ChatService:
    assert runtime.chat is not None
    return runtime.chat


Scenario = Callable[[telegram.TelegramAdapter, FakeTelegramApi], Awaitable[None]]


def run_polling(settings: Settings, chat: ChatService, api: FakeTelegramApi, scenario: Scenario) -> None:
    """Start the adapter (polling the fake API), play *scenario*, and stop it whatever happens."""
    async def main() -> None:
        adapter = telegram.build(settings, chat)
        await adapter.start()
        try:
            await scenario(adapter, api)
        finally:
            await adapter.stop()

    asyncio.run(main())


async def wait_for(api: FakeTelegramApi, method: str = "sendMessage", count: int = 1) -> list[Call]:
    return await asyncio.to_thread(api.wait_for, method, count)


class _TelegramHtml(HTMLParser):
    """Checks a message against Telegram's HTML: only our tags, balanced; only &lt; &gt; &amp; &quot; and
    numeric entities; no raw <, > or & in the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in OUR_TAGS, f"unexpected tag <{tag}>"
        assert all(name == "expandable" and value is None for name, value in attrs), attrs
        self.stack.append(tag)
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_entityref(self, name: str) -> None:
        assert name in ("lt", "gt", "amp", "quot"), f"entity &{name}; is not Telegram HTML"
        self.text.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name])

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name.startswith("x") else int(name)))

    def handle_data(self, data: str) -> None:
        assert not set(data) & set("<>&"), f"raw markup character in {data!r}"
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"comment in message: {data!r}")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError(f"declaration in message: {decl!r}")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"declaration in message: {data!r}")


def check_html(message: str) -> tuple[set[str], str]:
    """Assert *message* is valid Telegram HTML using only our tags; its tags and its visible text."""
    parser = _TelegramHtml()
    parser.feed(message)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    assert not parser.rawdata, f"unparsed rest {parser.rawdata!r}"
    return parser.tags, "".join(parser.text)
