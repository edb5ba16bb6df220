"""Authentication ON (app id and password set): only requests carrying a Bot Framework JWT that verifies
against the published keys get through; the keys come from the fake connector, never the internet."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from bot.adapters import teams
from bot.config import Settings
from bot.errors import ConfigError
from bot.runtime import Runtime
from tests.adapters.teams.conftest import (
    ANSWERABLE, APP_ID, EXPECTED_QUOTE, auth_settings, chat_of, message, sent_cards, serve, texts,
)
from tests.doubles.fake_teams_connector import FakeConnector

SDK_WARNING = pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")


def auth_adapter(runtime: Runtime, connector: FakeConnector) -> teams.TeamsAdapter:
    """Inbound JWTs checked against the fake's keys; reply tokens from the fake instead of Entra."""
    def outbound_token(scope: str | list[str], _tenant: str | None) -> str:
        return connector.outbound_token(scope if isinstance(scope, str) else scope[0])

    return teams.build(auth_settings(runtime), chat_of(runtime), cloud=connector.cloud(), token=outbound_token)


@pytest.mark.integration
@SDK_WARNING
def test_without_a_valid_bot_framework_token_nothing_is_answered(adapter_runtime: Runtime,
                                                                  connector: FakeConnector) -> None:
    activity = message(connector, ANSWERABLE)
    service_url = activity["serviceUrl"]
    stranger = rsa.generate_private_key(65537, 2048)
    now = int(time.time())
    bad = {
        "garbage": "Bearer not.a.jwt",
        "signed by someone else": "Bearer " + connector.token(APP_ID, service_url, key=stranger),
        "expired": "Bearer " + connector.token(APP_ID, service_url, exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "for another bot": "Bearer " + connector.token("another-app-id", service_url),
        "for another service url": "Bearer " + connector.token(APP_ID, "http://127.0.0.1:9/elsewhere"),
        "from another issuer": "Bearer " + connector.token(APP_ID, service_url, iss="https://evil.example"),
        "not a bearer token": "Basic " + connector.token(APP_ID, service_url),
    }
    with serve(adapter_runtime, auth_adapter(adapter_runtime, connector)) as client:
        assert client.post("/api/messages", json=activity).status_code == 401  # no Authorization at all
        for why, header in bad.items():
            assert client.post("/api/messages", json=activity, headers={"Authorization": header}).status_code \
                   == 401, why
        assert connector.activities == []
        good = {"Authorization": "Bearer " + connector.token(APP_ID, service_url)}
        assert client.post("/api/messages", json=activity, headers=good).status_code == 200
    assert any(r.path.endswith("/.well-known/keys") for r in connector.requests)  # keys from the fake
    assert [r.body["type"] for r in connector.activities] == ["typing", "message", "message"]
    assert {r.headers["authorization"] for r in connector.activities} == {"Bearer " + connector.outbound_token(
        "https://api.botframework.com/.default")}
    assert any(EXPECTED_QUOTE in t for t in texts(sent_cards(connector)[0]))


def settings_with(runtime: Runtime, **values: object) -> Settings:
    """A copy with *values* (model_copy does not validate: the password is wrapped here)."""
    if isinstance(values.get("teams_app_password"), str):
        values["teams_app_password"] = SecretStr(str(values["teams_app_password"]))
    return runtime.settings.model_copy(update=values)


def test_production_refuses_unauthenticated_teams(adapter_runtime: Runtime) -> None:
    for environment in ("production",):
        settings = settings_with(adapter_runtime, environment=environment, teams_allow_unauthenticated=True,
                                 teams_app_id=APP_ID, teams_app_password="secret")
        with pytest.raises(ConfigError, match="only allowed with environment=development"):
            teams.build(settings, chat_of(adapter_runtime))


def test_without_credentials_it_refuses_unless_explicitly_unauthenticated_in_development(
        adapter_runtime: Runtime) -> None:
    chat = chat_of(adapter_runtime)
    for values in ({"environment": "production"}, {"environment": "development"},
                   {"environment": "production", "teams_app_id": APP_ID},  # no password: no managed identity
                   {"environment": "development", "teams_app_password": "secret"}):
        with pytest.raises(ConfigError, match="teams_app_id and teams_app_password"):
            teams.build(settings_with(adapter_runtime, **values), chat)
    assert teams.build(settings_with(adapter_runtime, environment="development", teams_allow_unauthenticated=True),
                       chat).app.server is not None
    built = teams.build(settings_with(adapter_runtime, environment="production", teams_app_id=APP_ID,
                                      teams_app_password="secret"), chat)
    assert built.name == "teams" and [r.path for r in built.routes()] == ["/api/messages"]  # type: ignore[attr-defined]


@pytest.mark.integration
@SDK_WARNING
def test_before_the_server_starts_the_endpoint_is_not_ready(adapter_runtime: Runtime,
                                                             connector: FakeConnector) -> None:
    from starlette.testclient import TestClient

    from bot.server import build_app

    app = build_app(adapter_runtime, chores=False, adapters=[auth_adapter(adapter_runtime, connector)])
    client = TestClient(app)  # no `with`: the lifespan (and so the adapter's start) never runs
    assert client.post("/api/messages", json=message(connector, ANSWERABLE)).status_code == 503
    client.close()
