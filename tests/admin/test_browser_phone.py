"""The dashboard on a phone (390 x 844, headless chromium driven by Playwright, as tests/admin/test_browser):
nothing wider than the screen, chart text at least MIN_TEXT_PX as drawn, and the filters, the drill-down
and the governors' report button working by tapping."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot import runtime as runtime_mod
from bot.admin import auth
from bot.reading.corpus import load_org
from bot.server import build_app
from bot.storage.tables import Feedback, LogEntry
from tests.admin.conftest import NOW, PASSWORD, add_slt
from tests.admin.test_browser import chromium_page
from tests.conftest import CORPUS, settings_for
from tests.doubles.hash_embedder import HashEmbedder
from tests.doubles.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ORG = "stone-bay-school"
PHONE = {"width": 390, "height": 844}
MIN_TEXT_PX = 11  # chart text as drawn on the screen (the SVG scales its text with its width)
SOCIAL = "Social Media Policy"
SECTIONS = ["3. Personal use › When using social media, staff must not", "4. Contact with learners and parents"]


def _fill(runtime: runtime_mod.Runtime) -> None:
    """Forty weeks of questions on every channel: half on the Social Media Policy, some with feedback."""
    channels = ["web", "slack", "teams", "telegram"]
    with runtime.db.begin() as session:
        for i in range(120):
            at = NOW - timedelta(days=i * 2 + 1, hours=i % 7)
            doc = SOCIAL if i % 2 == 0 else None
            session.add(LogEntry(id=f"p{i:04d}", asked_at=at, week=(at - timedelta(days=at.weekday())).date(),
                                 org=ORG, channel=channels[i % 4], asker=f"hash{i}",
                                 question=f"phone question {i}: can staff do the thing described in clause {i % 5}?",
                                 answered=i % 3 != 0, flagged=False, top_document=doc,
                                 top_section=SECTIONS[i % 4 // 2] if doc else None))
            if i % 6 == 0:
                session.add(Feedback(entry_id=f"p{i:04d}", org=ORG, helpful=i % 12 == 0,
                                     comment="the answer was about something else" if i % 12 else None, given_at=at))


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    add_slt(corpus)
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var")
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    auth.set_password(runtime.db, load_org(corpus / ORG), "head@stonebay.example", PASSWORD, NOW)
    _fill(runtime)
    with live_server(build_app(runtime, chores=False)) as url:
        yield url
    runtime.close()


@pytest.fixture
def page() -> Iterator[object]:
    yield from chromium_page()


FITS = """() => ({scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,
  wide: [...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 390.5)
        .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)})"""
# Every chart text shown: its font size times the drawing's scale on the screen.
TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width > 0)
  .flatMap(s => { const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
    return [...s.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * k); })"""


def _fits(page: object) -> None:
    found = page.evaluate(FITS)  # type: ignore[attr-defined]
    assert found["scroll"] <= PHONE["width"] and found["body"] <= PHONE["width"], found


def _readable(page: object, least: float = MIN_TEXT_PX) -> int:
    sizes = page.evaluate(TEXT_SIZES)  # type: ignore[attr-defined]
    assert sizes and min(sizes) >= least, f"chart text as small as {min(sizes):.1f}px"
    return len(sizes)


def test_on_a_phone_nothing_overflows_and_filters_drill_down_and_report_work(live_url: str, page: object,
                                                                              tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/slt/login")
    page.select_option("#org", ORG)
    page.fill("#email", "head@stonebay.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_url}/slt/")
    _fits(page)
    assert _readable(page) >= 8  # both charts' axes and labels
    assert page.locator('svg.chart.wide[data-chart="Questions per week"]').bounding_box() is None  # hidden
    page.fill("#since", (NOW - timedelta(weeks=40)).date().isoformat())
    page.click("#apply-filters")
    expect(page).to_have_url(f"{live_url}/slt/?since={(NOW - timedelta(weeks=40)).date().isoformat()}")
    expect(page.locator("#asked")).to_have_text("120")
    _fits(page)
    _readable(page)
    narrow = page.locator('svg.chart.narrow[data-chart="Questions per week"] rect.bar')
    expect(narrow).to_have_count(10)  # 40 weeks: by month on a phone

    page.select_option("#channel", "slack")
    page.select_option("#answered", "no")
    page.click("#apply-filters")
    expect(page).to_have_url(re.compile(r"/slt/\?since=[-0-9]+&channel=slack&answered=no$"))
    expected = sum(1 for i in range(120) if i % 4 == 1 and i % 3 == 0 and i * 2 + 1 <= 280)
    expect(page.locator("#asked")).to_have_text(str(expected))
    _fits(page)
    page.goto(page.url.replace("channel=slack", "channel=web").replace("answered=no", "answered=yes"))
    web_answered = sum(1 for i in range(120) if i % 4 == 0 and i % 3 != 0)
    expect(page.locator("#asked")).to_have_text(str(web_answered))

    page.locator("#trends a.drill").first.click()  # the drill-down, keeping the filters
    expect(page).to_have_url(re.compile(r"/slt/questions\?since=[-0-9]+&policy=Social\+Media\+Policy&channel=web&answered=yes$"))
    expect(page.locator("#drill-title")).to_contain_text(SOCIAL)
    expect(page.locator("#questions tr.question")).to_have_count(web_answered)  # every web question is on it
    _fits(page)
    _readable(page)
    page.screenshot(path=str(tmp_path / "phone-drill.png"), full_page=True)
    page.locator("#sections a.drill").first.click()
    expect(page.locator("#drill-section")).to_be_visible()
    section = page.locator("#drill-section").inner_text()
    rows = [i for i in range(120) if i % 4 == 0 and i % 3 != 0 and SECTIONS[i % 4 // 2] == section]
    expect(page.locator("#questions tr.question")).to_have_count(len(rows))
    _fits(page)
    page.click("#whole-policy")
    expect(page.locator("#drill-section")).to_have_count(0)
    page.click("#back")
    expect(page).to_have_url(re.compile(r"/slt/\?since=[-0-9]+&channel=web&answered=yes$"))

    page.select_option("#report-term", "autumn-2026")
    with page.expect_download() as download:
        page.click("#governors-button")
    saved = tmp_path / "governors.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-") and download.value.suggested_filename.endswith("autumn-2026.pdf")
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})  # at a desk: the wide drawings, two a row
    assert page.locator('svg.chart.narrow[data-chart="Questions per week"]').bounding_box() is None
    _readable(page, least=10)
