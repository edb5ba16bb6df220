"""The web chat's sign-in in headless Chromium: the sign-in button, the provider's own login and consent
pages, back signed in (name, e-mail, school), a question answered, signing out. The provider is on
localhost and the chat on 127.0.0.1: two sites, so the browser applies SameSite to the cookies as it
would between a school's identity provider and this server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from tests.adapters.conftest import ANSWERABLE, EXPECTED_QUOTE
from tests.adapters.web.test_web_signin import add_signin_tenants, chat_with_signin
from tests.admin.test_browser import chromium_page
from tests.conftest import built_runtime, map_platforms

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def page() -> Iterator[object]:
    yield from chromium_page()


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, map_platforms, add_signin_tenants) as runtime:
        yield runtime


def test_sign_in_ask_and_sign_out_in_a_browser(rt: Runtime, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    with chat_with_signin(rt, issuer_host="localhost", as_published=True) as chat:
        page.goto(chat.url + "/")
        expect(page.locator("#signin")).to_be_visible()
        expect(page.locator("#ask")).to_be_hidden()
        page.get_by_role("link", name="Sign in with Microsoft (school account)").click()

        expect(page).to_have_url(re.compile(re.escape(chat.issuer) + "/interaction/"))
        page.fill("input[name=login]", "tess")
        page.fill("input[name=password]", "any password")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()

        expect(page).to_have_url(chat.url + "/")
        expect(page.locator("#account")).to_contain_text("Signed in as Tess Teacher (tess@stonebay.example)")
        expect(page.locator("#org-name")).to_have_text("Stone Bay School")
        page.fill("#question", ANSWERABLE)
        page.click("#send")
        expect(page.locator(".msg.bot.answer").last.locator("blockquote.quote").first).to_contain_text(EXPECTED_QUOTE)

        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#signin")).to_be_visible()
        expect(page.locator("#account")).not_to_contain_text("Tess")
