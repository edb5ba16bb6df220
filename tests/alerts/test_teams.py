"""TeamsSender against tests.doubles.fake_teams_connector: Entra's token, the one-to-one conversation
opened in the school's tenant, the message posted to it, escaped; failures as AlertError; the DSL reached
as a Teams DM end to end from a flagged question."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.alerts import TENANT_HANDLE, AlertError, Recipient, TeamsSender, alert_text, build_dispatcher
from bot.alerts.teams_sender import TeamsEndpoints
from tests.alerts.conftest import ALERT, alert
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector

APP_ID = "00000000-0000-4000-8000-00000000b075"
SECRET = "not-a-real-secret"
DSL = Recipient("Martyn Nash", None, (("teams", "29:dsl-id"), (TENANT_HANDLE, "tenant-stone")))


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with fake_teams_connector() as fake:
        yield fake


def sender(connector: FakeConnector, secret: str = SECRET) -> TeamsSender:
    return TeamsSender(APP_ID, secret, service_url=connector.url + "/",
                       endpoints=TeamsEndpoints(login_endpoint=connector.url + "/login"))


def test_the_alert_is_a_direct_message_in_the_schools_tenant(connector: FakeConnector) -> None:
    assert sender(connector).send(DSL, ALERT) is True
    token, opened, posted = connector.requests
    assert token.path == "/login/botframework.com/oauth2/v2.0/token"
    assert opened.path == "/v3/conversations"
    assert opened.body["members"] == [{"id": "29:dsl-id"}] and opened.body["isGroup"] is False
    assert opened.body["channelData"] == {"tenant": {"id": "tenant-stone"}}
    assert opened.body["bot"] == {"id": f"28:{APP_ID}"}
    assert posted.path == "/v3/conversations/a:dm-29:dsl-id/activities"
    assert posted.headers["authorization"] == "Bearer " + connector.outbound_token("https://api.botframework.com")
    assert posted.body["type"] == "message"
    assert "Martyn" not in posted.body["text"]  # the recipient's name is not in the alert; the raiser's is
    assert "Jo Bloggs" in posted.body["text"] and "physical abuse" in posted.body["text"]


def test_the_token_and_the_conversation_are_reused(connector: FakeConnector) -> None:
    teams = sender(connector)
    teams.send(DSL, ALERT)
    teams.send(DSL, alert(repeat=1))
    paths = [r.path for r in connector.requests]
    assert paths.count("/v3/conversations") == 1
    assert sum(p.endswith("/oauth2/v2.0/token") for p in paths) == 1
    assert len(connector.activities) == 2


def test_markdown_in_names_is_shown_literally(connector: FakeConnector) -> None:
    sender(connector).send(DSL, alert(org_name="[click](http://evil.example) **Co**"))
    [posted] = connector.activities
    assert "\\[click\\]\\(http://evil\\.example\\) \\*\\*Co\\*\\*" in posted.body["text"]


def test_without_a_teams_id_it_sends_nothing(connector: FakeConnector) -> None:
    assert sender(connector).send(Recipient("Email only", "a@b.example"), ALERT) is False
    assert connector.requests == []


def test_a_person_the_bot_is_not_installed_for_is_an_alert_error(connector: FakeConnector) -> None:
    connector.unreachable.add("29:dsl-id")
    with pytest.raises(AlertError, match="would not open a chat"):
        sender(connector).send(DSL, ALERT)


def test_wrong_credentials_are_an_alert_error_that_names_no_secret(connector: FakeConnector) -> None:
    with pytest.raises(AlertError, match="Entra refused") as caught:
        sender(connector, secret="wrong-secret").send(DSL, ALERT)
    assert "wrong-secret" not in str(caught.value)
    assert connector.activities == []


def test_an_unreachable_connector_is_an_alert_error(closed_port: int) -> None:
    teams = TeamsSender(APP_ID, SECRET, service_url=f"http://127.0.0.1:{closed_port}/", token=lambda scope: "t")
    with pytest.raises(AlertError, match="Teams unreachable"):
        teams.send(DSL, ALERT)


def test_neither_the_secret_nor_the_token_reaches_the_logs(connector: FakeConnector,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sender(connector).send(DSL, ALERT)
    assert SECRET not in caplog.text
    assert connector.outbound_token("https://api.botframework.com") not in caplog.text
    assert "physical abuse" not in caplog.text and "Jo Bloggs" not in caplog.text


def test_the_dispatcher_has_a_teams_channel_when_the_bot_has_credentials(tmp_path: Path) -> None:
    from bot.config import Settings

    base = Settings(corpus_dir=tmp_path, index_dir=tmp_path, var_dir=tmp_path)
    assert "teams" not in [s.channel for s in build_dispatcher(base).senders]
    configured = base.model_copy(update={"teams_app_id": APP_ID, "teams_app_password": SecretStr(SECRET)})
    assert "teams" in [s.channel for s in build_dispatcher(configured).senders]


def test_recipients_carry_the_schools_tenant_with_their_teams_id(tmp_path: Path) -> None:
    from bot.concern_alerts import recipients
    from tests.conftest import built_runtime, map_platforms

    with built_runtime(tmp_path, map_platforms) as rt:
        [dsl] = [r for r in recipients(rt.orgs["stone-bay-school"]) if r.name == "Martyn Nash"]
    assert ("teams", "29:dsl-id") in dsl.handles and (TENANT_HANDLE, "tenant-stone") in dsl.handles
    assert alert_text(ALERT)  # the wording every channel shares


def test_a_flagged_question_reaches_the_dsl_as_a_teams_dm(tmp_path: Path, connector: FakeConnector) -> None:
    from bot.core.models import Question
    from tests.conftest import built_runtime, map_platforms

    with built_runtime(tmp_path, map_platforms, teams_app_id=APP_ID, teams_app_password=SecretStr(SECRET),
                       teams_service_url=connector.url + "/") as rt:
        dispatcher = rt.alerts.dispatcher
        [teams] = [s for s in dispatcher.senders if s.channel == "teams"]
        assert isinstance(teams, TeamsSender)
        teams._endpoints = TeamsEndpoints(login_endpoint=connector.url + "/login")  # Entra, made local
        answer = rt.service.answer(Question("a pupil told me her stepdad hits her, what do I do?",
                                            "stone-bay-school", channel="slack", user="slack:T_STONE:U9",
                                            user_name="Sam Teacher"))
        assert answer.urgent
        [posted] = connector.wait_for_activities(1)
    assert posted.path == "/v3/conversations/a:dm-29:dsl-id/activities"
    assert "Sam Teacher" in posted.body["text"] and "stepdad" not in posted.body["text"]
