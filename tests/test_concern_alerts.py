"""The DSL's loop end to end: a flagged question on the running runtime tells the DSL and deputies at once
through the real Slack SDK (against the local fake Slack Web API) and by e-mail (a real SMTP server,
aiosmtpd), naming who raised it and never quoting the question; nobody else is told; a concern nobody
marks seen is raised again, a seen one is not; the member of staff's answer never waits on any of it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from bot import runtime as runtime_mod
from bot.concern_alerts import recipients
from bot.core.models import Question
from bot.runtime import Runtime
from bot.storage.concerns import SqlConcerns
from tests.alerts.conftest import Mailbox
from tests.alerts.conftest import _AnyPortController as AnyPortController
from tests.conftest import CORPUS, settings_for
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.hash_embedder import HashEmbedder

CONTACTS = [
    {"role": "Designated Safeguarding Lead", "name": "Martyn Nash", "slack": "UDSL", "email": "dsl@stonebay.example"},
    {"role": "Deputy DSL", "name": "Asha Patel", "email": "deputy@stonebay.example"},
    {"role": "Headteacher", "name": "Jane Hatwell", "slack": "UHEAD", "email": "head@stonebay.example"},
]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = AnyPortController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def wait_for_mail(mailbox: Mailbox, count: int, timeout: float = 10.0) -> list[EmailMessage]:
    end = time.monotonic() + timeout
    while len(mailbox.envelopes) < count and time.monotonic() < end:
        time.sleep(0.02)
    return mailbox.messages()


def _corpus_with_dsl_contacts(tmp_path: Path) -> Path:
    """The bundled corpus, Stone Bay's org file naming its DSL, deputy and headteacher with addresses."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    org_file = corpus / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(org_file.read_text("utf-8"))
    spec["contacts"] = CONTACTS
    org_file.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return corpus


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def live(tmp_path: Path, smtp: tuple[Mailbox, int]) -> Iterator[tuple[Runtime, FakeSlackApi, Mailbox, Clock]]:
    corpus = _corpus_with_dsl_contacts(tmp_path)
    inbox, port = smtp
    clock = Clock()
    with FakeSlackApi() as slack:
        settings = settings_for(corpus, tmp_path / "index", tmp_path / "var").model_copy(update={
            "slack_bot_token": SecretStr("xoxb-test"), "slack_api_url": slack.url, "smtp_host": "127.0.0.1",
            "smtp_port": port, "smtp_from": "policybot@stonebay.example", "smtp_starttls": False,
            "public_url": "https://policybot.stonebay.example", "concern_realert_minutes": 30})
        runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=clock)
        try:
            yield runtime, slack, inbox, clock
        finally:
            runtime.close()


def test_the_dsl_and_deputy_are_the_only_ones_told(live: tuple[Runtime, FakeSlackApi, Mailbox, Clock]) -> None:
    runtime, _, _, _ = live
    names = [r.name for r in recipients(runtime.orgs["stone-bay-school"])]
    assert names == ["Martyn Nash", "Asha Patel"]  # not the headteacher, though she is in the org file


def test_a_flagged_question_tells_the_dsl_on_slack_and_both_by_email(live: tuple[Runtime, FakeSlackApi, Mailbox, Clock]) -> None:
    runtime, slack, inbox, _ = live
    question = Question("A pupil told me her stepdad hits her, what do I do?", "stone-bay-school", channel="teams",
                        user="teams:T9:29:abc", user_name="Sam Teacher")
    answer = runtime.service.answer(question)
    assert answer.urgent and answer.log_id
    [dm] = slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UDSL"
    assert "Sam Teacher" in dm.params["text"] and "stepdad" not in dm.params["text"]
    assert f"https://policybot.stonebay.example/slt/concerns/{answer.log_id}" in dm.params["text"]
    mails = wait_for_mail(inbox, 2)
    assert sorted(m["To"] for m in mails) == ["deputy@stonebay.example", "dsl@stonebay.example"]
    body = mails[0].get_body().get_content()  # type: ignore[union-attr]
    assert "Sam Teacher" in body and "stepdad" not in body
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["UDSL"]  # not the head


def test_a_concern_nobody_marks_seen_is_raised_again(live: tuple[Runtime, FakeSlackApi, Mailbox, Clock]) -> None:
    runtime, slack, _, clock = live
    answer = runtime.service.answer(Question("my tutee showed me fresh cuts and said she is cutting herself again",
                                             "stone-bay-school", channel="web", user="web::abc"))
    assert answer.urgent and answer.log_id
    slack.wait_for("chat.postMessage")
    store = SqlConcerns(runtime.db, clock)
    end = time.monotonic() + 10  # the first alert is recorded by its worker thread
    while store.for_org("stone-bay-school")[0].alerts_sent == 0 and time.monotonic() < end:
        time.sleep(0.02)
    assert runtime.remind_concerns() == 0  # not yet due
    clock.now += timedelta(minutes=31)
    assert runtime.remind_concerns() == 1
    calls = slack.wait_for("chat.postMessage", count=2)
    assert "reminder" in calls[1].params["text"].lower()
    store.update("stone-bay-school", answer.log_id, "Martyn Nash", "seen", None)
    clock.now += timedelta(minutes=31)
    assert runtime.remind_concerns() == 0


def test_the_answer_never_waits_for_the_alert(live: tuple[Runtime, FakeSlackApi, Mailbox, Clock]) -> None:
    runtime, _, _, _ = live
    sending, release = threading.Event(), threading.Event()

    class Stuck:
        """A platform that takes as long as the test says to accept a message."""

        def send(self, alert: object, recipients: object) -> list[str]:
            sending.set()
            release.wait(30)
            return []

    runtime.alerts.dispatcher = Stuck()  # type: ignore[union-attr,assignment]
    answers: list[object] = []
    asker = threading.Thread(target=lambda: answers.append(runtime.service.answer(
        Question("A pupil told me her stepdad hits her", "stone-bay-school"))))
    asker.start()
    asker.join(30)  # a guard against hanging, not a speed check
    try:
        assert answers and answers[0].urgent  # type: ignore[attr-defined]
        assert sending.wait(10) and not release.is_set()  # answered while the alert was still being sent
    finally:
        release.set()


def test_an_unreachable_slack_and_mail_server_lose_no_answer_and_raise_nothing(tmp_path: Path) -> None:
    corpus = _corpus_with_dsl_contacts(tmp_path)
    held = socket.socket()  # bound, never listening: connections to it are refused
    held.bind(("127.0.0.1", 0))
    closed_port = held.getsockname()[1]
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var").model_copy(update={
        "slack_bot_token": SecretStr("xoxb-test"), "slack_api_url": f"http://127.0.0.1:{closed_port}/api/",
        "smtp_host": "127.0.0.1", "smtp_port": closed_port, "smtp_starttls": False, "smtp_from": "bot@x.example"})
    runtime = runtime_mod.build(settings, emb=HashEmbedder())
    try:
        answer = runtime.service.answer(Question("A pupil told me her stepdad hits her", "stone-bay-school"))
        assert answer.urgent and answer.log_id
        assert runtime.alerts is not None
        runtime.alerts.close()  # wait for the attempt: it fails on both channels, quietly
        row = SqlConcerns(runtime.db).for_org("stone-bay-school")[0]
        assert row.id == answer.log_id and row.alerts_sent == 0  # not counted as told: the reminder tries again
    finally:
        runtime.close()
        held.close()
