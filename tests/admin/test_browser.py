"""The dashboard in a real headless browser (Debian's chromium, driven by Playwright): sign-in, the
page, and a chart that renders with visible bars."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import runtime as runtime_mod
from bot.admin import auth
from bot.core.models import Question
from bot.reading.corpus import load_org
from bot.server import build_app
from tests.admin.conftest import NOW, PASSWORD, add_slt
from tests.conftest import CORPUS, settings_for
from tests.doubles.hash_embedder import HashEmbedder
from tests.doubles.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.integration]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    add_slt(corpus)
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var")
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    auth.set_password(runtime.db, load_org(corpus / "stone-bay-school"), "head@stonebay.example", PASSWORD, NOW)
    for text in ("Can I accept a friend request from an ex-pupil?", "What is the policy on staff parking?",
                 "Can I use my own phone to photograph a school trip?"):
        runtime.service.answer(Question(text, "stone-bay-school", channel="web"))
    with live_server(build_app(runtime, chores=False)) as url:
        yield url
    runtime.close()


@pytest.fixture
def page() -> Iterator[object]:
    yield from chromium_page()


def chromium_page() -> Iterator[object]:
    """A page in Debian's headless chromium, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page()
        browser.close()


def test_sign_in_and_see_the_charts(live_url: str, page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{live_url}/slt/")
    expect(page).to_have_url(f"{live_url}/slt/login")
    page.select_option("#org", "stone-bay-school")
    page.fill("#email", "head@stonebay.example")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("#error")).to_contain_text("not right")
    page.fill("#email", "head@stonebay.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_url}/slt/")
    expect(page.locator("h1")).to_contain_text("Stone Bay School")
    expect(page.locator("#asked")).to_have_text("3")
    bars = page.locator('svg.wide[data-chart="Questions per week"] rect.bar')  # the desk-width drawing
    expect(bars).to_have_count(13)  # twelve weeks back to this one, quiet weeks included
    empty, this_week = bars.first.bounding_box(), bars.last.bounding_box()
    assert empty is not None and empty["height"] == 0
    assert this_week is not None and this_week["height"] > 50 and this_week["width"] > 5  # drawn full height
    fill = bars.last.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(36, 86, 166)"  # the stylesheet loaded under the page's CSP
    expect(page.locator("#gaps")).to_contain_text("staff parking")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
