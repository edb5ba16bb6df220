"""Chat accounts matched to the staff directory: by the e-mail Slack (users.info) and Teams (member info)
give, looked up in the background after the answer; by a one-time code for Telegram; a failed lookup never
breaks answering; the question log stays pseudonymous."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest

from bot.adapters import teams, telegram
from bot.core.chat import Sender
from bot.core.identities import Identities, code_email
from bot.runtime import Runtime
from bot.storage.staff import parse_csv
from tests.adapters.slack.conftest import harness
from tests.adapters.slack.payloads import direct_message
from tests.adapters.telegram.conftest import run_polling, telegram_settings, wait_for
from tests.adapters.teams.conftest import ANSWERABLE, chat_of, dev_settings, message, serve
from tests.conftest import logged_entries
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.fake_telegram_api import FakeTelegramApi
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector

ORG = "stone-bay-school"
CSV = "name,email,role\nSam Teacher,sam@stonebay.example,Teacher\nAsha Asker,asha@stonebay.example,TA\n"
QUESTION = "a learner messaged my personal social media account, who do I report it to?"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi() as api:
        yield api


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with fake_teams_connector() as fake:
        yield fake


def _wait(check: Callable[[], object], timeout: float = 10.0) -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return check()


def _directory(rt: Runtime) -> None:
    assert rt.staff is not None
    rt.staff.import_rows(ORG, parse_csv(CSV))


@pytest.mark.integration
def test_a_slack_user_is_matched_by_users_info_after_the_answer(adapter_runtime: Runtime,
                                                                fake_slack: FakeSlackApi) -> None:
    _directory(adapter_runtime)
    fake_slack.emails["U_ASKER"] = "Asha@StoneBay.example"
    with harness(adapter_runtime, fake_slack) as slack:
        slack.event(direct_message(QUESTION, ts="1700000000.000200"), "EvId1")
        slack.fake.wait_for("chat.postMessage")
        assert adapter_runtime.staff is not None
        who = _wait(lambda: adapter_runtime.staff.who(ORG, "slack:T_STONE:U_ASKER"))  # type: ignore[union-attr]
        assert getattr(who, "name", None) == "Asha Asker"
        [lookup] = slack.fake.calls_to("users.info")
        assert lookup.params["user"] == "U_ASKER"
        slack.event(direct_message("who is the DSL?", ts="1700000000.000300"), "EvId2")
        slack.fake.wait_for("chat.postMessage", count=2)
        time.sleep(0.3)
        assert len(slack.fake.calls_to("users.info")) == 1  # cached: not asked again on every message
    [entry, _] = logged_entries(adapter_runtime.settings.database_url)
    assert "Asha" not in f"{entry.asker} {entry.asker_identity}"  # the log stays pseudonymous


@pytest.mark.integration
def test_a_slack_lookup_failure_never_breaks_answering(adapter_runtime: Runtime, fake_slack: FakeSlackApi) -> None:
    _directory(adapter_runtime)
    fake_slack.fail("users.info", "missing_scope")  # the app was installed without users:read.email
    with harness(adapter_runtime, fake_slack) as slack:
        slack.event(direct_message(QUESTION, ts="1700000000.000200"), "EvIdFail")
        [post] = slack.fake.wait_for("chat.postMessage")
        assert "Social Media Policy" in post.params["text"]
        _wait(lambda: slack.fake.calls_to("users.info"))
        time.sleep(0.3)
    assert adapter_runtime.staff is not None
    assert adapter_runtime.staff.who(ORG, "slack:T_STONE:U_ASKER") is None


@pytest.mark.integration
@pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")
def test_a_teams_user_is_matched_by_member_info(adapter_runtime: Runtime, connector: FakeConnector) -> None:
    _directory(adapter_runtime)
    connector.members["29:sam-teams-id"] = {"id": "29:sam-teams-id", "name": "Sam Teacher",
                                            "aadObjectId": "aad-sam", "email": "sam@stonebay.example",
                                            "userPrincipalName": "sam@stonebay.example"}
    adapter = teams.build(dev_settings(adapter_runtime), chat_of(adapter_runtime))
    with serve(adapter_runtime, adapter) as client:
        assert client.post("/api/messages", json=message(connector, ANSWERABLE)).status_code == 200
        assert adapter_runtime.staff is not None
        who = _wait(lambda: adapter_runtime.staff.who(ORG, "teams:tenant-stone:aad-sam"))  # type: ignore[union-attr]
    assert getattr(who, "name", None) == "Sam Teacher"
    assert any(r.method == "GET" and r.path == "/v3/conversations/a:personal-chat-1/members/29:sam-teams-id"
               for r in connector.requests)


@pytest.mark.integration
@pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")
def test_a_teams_member_lookup_that_fails_leaves_the_answer_alone(adapter_runtime: Runtime,
                                                                  connector: FakeConnector) -> None:
    _directory(adapter_runtime)  # connector.members is empty: the connector answers 404
    adapter = teams.build(dev_settings(adapter_runtime), chat_of(adapter_runtime))
    with serve(adapter_runtime, adapter) as client:
        assert client.post("/api/messages", json=message(connector, ANSWERABLE)).status_code == 200
        _wait(lambda: any("/members/" in r.path for r in connector.requests))
    assert [r.body["type"] for r in connector.activities] == ["typing", "message", "message"]
    assert adapter_runtime.staff is not None and adapter_runtime.staff.who(ORG, "teams:tenant-stone:aad-sam") is None


def test_a_telegram_account_is_linked_by_a_code_e_mailed_to_the_directory_address(adapter_runtime: Runtime) -> None:
    _directory(adapter_runtime)
    chat = chat_of(adapter_runtime)
    assert chat.identities is not None
    sent: list[tuple[str, str, str]] = []
    chat.identities.send_code = lambda address, code, org: sent.append((address, code, org))
    tess = Sender("telegram", "4242", workspace="4242")
    assert "/link followed by your school e-mail" in chat.handle(tess, "/link").text
    nobody = chat.handle(tess, "/link stranger@elsewhere.example").text
    assert sent == [] and "If that address is in your school's staff directory" in nobody  # no enumeration
    assert "a moment ago" in chat.handle(tess, "/link Asha@stonebay.example").text  # one e-mail per 2 minutes
    later = adapter_runtime.clock() + timedelta(minutes=3)
    chat.identities.clock = lambda: later
    assert chat.handle(tess, "/link Asha@stonebay.example").text == nobody
    [(address, code, org)] = sent
    assert address == "asha@stonebay.example" and org == "Stone Bay School"
    assert f"/link {code}" in code_email(address, code, org)[1]
    other = Sender("telegram", "5151", workspace="5151")  # another school's account typing the code
    assert "isn't valid" in chat.handle(other, f"/link {code}").text
    assert "Thanks, Asha Asker" in chat.handle(tess, f"/link {code}").text
    assert adapter_runtime.staff is not None
    assert adapter_runtime.staff.who(ORG, tess.key).name == "Asha Asker"  # type: ignore[union-attr]
    assert all("/link" not in e.question for e in logged_entries(adapter_runtime.settings.database_url))


def test_linking_by_e_mail_says_when_it_is_not_set_up(adapter_runtime: Runtime) -> None:
    chat = chat_of(adapter_runtime)
    assert chat.identities is not None and chat.identities.send_code is None  # no SMTP in the test settings
    reply = chat.handle(Sender("telegram", "4242", workspace="4242"), "/link asha@stonebay.example")
    assert "not set up" in reply.text


class _Broken:
    def record_lookup(self, *args: object, **kwargs: object) -> None:
        from bot.errors import StorageError
        raise StorageError("the database is down")

    def issue_code(self, *args: object, **kwargs: object) -> None:
        from bot.errors import StorageError
        raise StorageError("the database is down")

    def confirm_code(self, *args: object, **kwargs: object) -> None:
        return None

    def checked_at(self, *args: object, **kwargs: object) -> None:
        return None


def test_an_unreachable_directory_is_only_logged_and_retried_later() -> None:
    now = [datetime(2026, 12, 1, 9, tzinfo=timezone.utc)]
    ids = Identities(_Broken(), lambda: {}, lambda s: ORG, send_code=lambda *a: None, clock=lambda: now[0])
    sam = Sender("web", "sid-1", email="sam@stonebay.example")
    assert ids.wants(sam) and ids.record(sam, sam.email) is None
    assert not ids.wants(sam)  # in hand: not asked again at once
    now[0] += timedelta(minutes=11)
    assert ids.wants(sam)  # retried after `retry`
    assert "can't do that just now" in ids.link(sam, ORG, "sam@stonebay.example")
    ids.close()


def test_a_signed_in_web_user_is_matched_in_the_background(adapter_runtime: Runtime) -> None:
    _directory(adapter_runtime)
    chat = chat_of(adapter_runtime)
    web = Sender("web", "sid-7", org_hint=ORG, email="SAM@stonebay.example")
    assert chat.identities is not None and adapter_runtime.access is not None
    adapter_runtime.access.development = True  # the web chat's organisation comes from the page here
    if chat.access.org_for(web) is None:
        pytest.skip("the web chat maps no organisation in this configuration")
    chat.handle(web, "who is the DSL?")
    assert adapter_runtime.staff is not None
    who = _wait(lambda: adapter_runtime.staff.who(ORG, web.key))  # type: ignore[union-attr]
    assert getattr(who, "name", None) == "Sam Teacher"


@pytest.mark.integration
def test_telegram_link_commands_reach_the_directory_through_the_bot_api(adapter_runtime: Runtime,
                                                                       fake_api: FakeTelegramApi) -> None:
    _directory(adapter_runtime)
    chat = chat_of(adapter_runtime)
    assert chat.identities is not None
    sent: list[str] = []
    chat.identities.send_code = lambda address, code, org: sent.append(code)

    async def scenario(_adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(4242, "/link asha@stonebay.example"))
        [asked] = await wait_for(api)
        assert "a code is on its way" in asked.params["text"]
        api.push(tg.message(4242, f"/link {sent[0]}"))
        linked = (await wait_for(api, count=2))[1]
        assert "Thanks, Asha Asker" in linked.params["text"]

    run_polling(telegram_settings(adapter_runtime, fake_api), chat, fake_api, scenario)
    assert adapter_runtime.staff is not None
    assert adapter_runtime.staff.who(ORG, "telegram::4242").name == "Asha Asker"  # type: ignore[union-attr]


@pytest.mark.integration
def test_a_refused_slack_user_is_not_looked_up(adapter_runtime: Runtime, fake_slack: FakeSlackApi) -> None:
    with harness(adapter_runtime, fake_slack) as slack:
        slack.event(direct_message(QUESTION, team="T_UNKNOWN"), "EvStranger", team="T_UNKNOWN")
        slack.fake.wait_for("chat.postMessage")
        time.sleep(0.5)
        assert slack.fake.calls_to("users.info") == []


def test_a_lookup_made_before_a_restart_is_not_made_again(adapter_runtime: Runtime) -> None:
    import asyncio

    _directory(adapter_runtime)
    assert adapter_runtime.staff is not None and adapter_runtime.access is not None
    calls: list[str] = []

    async def lookup() -> str | None:
        calls.append("users.info")
        return "sam@stonebay.example"

    sam = Sender("slack", "U_SAM", workspace="T_STONE")
    stranger = Sender("slack", "U_X", workspace="T_NOBODY")
    for _ in range(2):  # a second process over the same database: the first's lookup is remembered
        ids = Identities(adapter_runtime.staff, lambda: adapter_runtime.orgs, adapter_runtime.access.org_for,
                         clock=adapter_runtime.clock)
        asyncio.run(ids.learn(sam, lookup))
        asyncio.run(ids.learn(stranger, lookup))  # refused: never looked up
        ids.close()
    assert calls == ["users.info"]
    assert adapter_runtime.staff.who(ORG, sam.key).name == "Sam Teacher"  # type: ignore[union-attr]
