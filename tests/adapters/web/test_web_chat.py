"""The web chat in headless Chromium: pick a school, ask, see quotes, source, contact and warnings, give
feedback; hostile markup in a question or a policy shows as text and never runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters import web
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.conftest import ANSWERABLE, EXPECTED_CONTACT, EXPECTED_QUOTE
from tests.admin.test_browser import chromium_page
from tests.conftest import logged_entries
from tests.doubles.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def page() -> Iterator[object]:
    yield from chromium_page()


@pytest.fixture
def chat_url(adapter_runtime: Runtime) -> Iterator[str]:
    assert adapter_runtime.chat is not None
    adapter = web.build(adapter_runtime.settings, adapter_runtime.chat)
    with live_server(build_app(adapter_runtime, chores=False, adapters=[adapter])) as url:
        yield url


def test_ask_read_the_answer_and_give_feedback(chat_url: str, page: object, adapter_runtime: Runtime) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(chat_url + "/")
    page.select_option("#org", "stone-bay-school")
    page.fill("#question", ANSWERABLE)
    page.click("#send")
    reply = page.locator(".msg.bot.answer").last
    expect(reply.locator("blockquote.quote").first).to_contain_text(EXPECTED_QUOTE)
    expect(reply.locator(".welcome")).to_contain_text("Welcome to policybot for Stone Bay School")
    expect(reply.locator("cite").first).to_contain_text("Social Media Policy")
    expect(reply.locator(".contacts")).to_contain_text(EXPECTED_CONTACT)
    # the org file gives the DSL's e-mail: a mailto: link, and nothing but mailto:/tel: is ever a link
    expect(reply.locator(".contacts a.reach").first).to_have_attribute("href", "mailto:dsl@stonebay.example")
    assert all(h.startswith(("mailto:", "tel:")) for h in
               reply.locator(".contacts a").evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    expect(reply.locator(".warning").first).to_contain_text("review")
    reply.get_by_role("button", name="Not helpful").click()
    expect(reply.locator(".thanks")).to_contain_text("Thanks for telling us")
    [entry] = logged_entries(adapter_runtime.settings.database_url)
    assert entry.channel == "web" and entry.feedback is not None and entry.feedback.helpful is False


def test_markup_in_questions_and_policies_is_shown_not_run(chat_url: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(chat_url + "/")
    page.select_option("#org", "stone-bay-school")
    question = "what do I do with a <script>alert(1)</script> message that says <!channel> *bold*?"
    page.fill("#question", question)
    page.click("#send")
    reply = page.locator(".msg.bot.answer").last
    expect(reply.locator("blockquote.quote").first).to_contain_text("<script>alert('x')</script>")
    expect(page.locator(".msg.me").last).to_have_text(question)
    assert page.locator("#log script, #log b").count() == 0 and dialogs == []


def test_help_and_the_refusal_without_a_school(chat_url: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(chat_url + "/")
    page.fill("#question", "/help")
    page.click("#send")
    expect(page.locator(".msg.bot.help")).to_contain_text("Ask me about your school's policies")


@pytest.fixture
def induction_url(tmp_path: Path) -> Iterator[tuple[str, Runtime]]:
    import shutil

    import yaml

    from bot import runtime as runtime_mod
    from tests.admin.conftest import NOW
    from tests.conftest import CORPUS, settings_for
    from tests.doubles.hash_embedder import HashEmbedder

    shutil.copytree(CORPUS, tmp_path / "corpus")
    path = tmp_path / "corpus" / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["induction"] = {"max_points": 2, "policies": [{"file": "social-media-policy.txt", "statements": [
        {"text": "I may accept a friend request from a current pupil.", "true": False}]}]}
    path.write_text(yaml.safe_dump(spec))
    rt = runtime_mod.build(settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var"),
                           emb=HashEmbedder(), clock=lambda: NOW)
    assert rt.chat is not None
    with live_server(build_app(rt, chores=False, adapters=[web.build(rt.settings, rt.chat)])) as url:
        yield url, rt
    rt.close()


def test_the_induction_walkthrough_on_the_web_chat(induction_url: tuple[str, Runtime], page: object) -> None:
    from playwright.sync_api import Page, expect

    from bot.storage.acknowledgements import SqlAcknowledgements

    url, rt = induction_url
    assert isinstance(page, Page)
    page.goto(url + "/")
    page.select_option("#org", "stone-bay-school")
    page.fill("#question", "/induction")
    page.click("#send")
    step = page.locator(".msg.step").last
    expect(step.locator(".step-title")).to_have_text("Social Media Policy — key point 1 of 2")
    expect(step.locator("blockquote.quote")).to_be_visible()
    page.locator(".msg.step").last.get_by_role("button", name="Next").click()
    expect(page.locator(".msg.step").last.locator(".step-title")).to_have_text("Social Media Policy — key point 2 of 2")
    page.locator(".msg.step").last.get_by_role("button", name="I have a question").click()
    expect(page.locator(".msg.step").last).to_contain_text("Type your question")
    page.fill("#question", "who is the designated safeguarding lead?")
    page.click("#send")
    expect(page.locator(".msg.step").last.locator(".step-title")).to_have_text("Social Media Policy — key point 2 of 2")
    assert logged_entries(rt.settings.database_url)[-1].context == "induction"
    page.locator(".msg.step").last.get_by_role("button", name="Next").click()
    expect(page.locator(".msg.step").last).to_contain_text("True or false?")
    page.locator(".msg.step").last.get_by_role("button", name="False").click()
    expect(page.locator(".msg.step").last).to_contain_text("Right:")
    page.locator(".msg.step").last.get_by_role("button", name="I have read and understood Social Media Policy").click()
    expect(page.locator(".msg.step").last.locator(".step-title")).to_have_text("Induction complete")
    [ack] = SqlAcknowledgements(rt.db).for_org("stone-bay-school")
    assert ack.channel == "web" and ack.version_hash == rt.service.documents[ack.source].sha256
