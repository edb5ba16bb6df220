"""Authentication ON (app id and password set): only requests carrying a Bot Framework JWT that verifies
against the published keys get through; the keys come from the fake connector, never the internet."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_teams.api.auth.cloud_environment import PUBLIC
from pydantic import SecretStr

from bot.adapters import teams
from bot.config import Settings
from bot.errors import ConfigError
from bot.runtime import Runtime
from tests.adapters.teams.conftest import (
    ANSWERABLE, APP_ID, EXPECTED_QUOTE, auth_settings, chat_of, message, sent_cards, serve, texts,
)
from tests.doubles.fake_teams_connector import KID, FakeConnector

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


def signed_without(connector: FakeConnector, service_url: str, *missing: str, **claims: Any) -> str:
    """A token signed with the published key like connector.token(), but without the claims in *missing*."""
    now = int(time.time())
    payload = {"iss": PUBLIC.token_issuer, "aud": APP_ID, "serviceurl": service_url, "iat": now - 10,
               "nbf": now - 10, "exp": now + 3600, **claims}
    for claim in missing:
        del payload[claim]
    return jwt.encode(payload, connector.key, algorithm="RS256", headers={"kid": KID})


@pytest.mark.integration
@SDK_WARNING
def test_a_validly_signed_token_without_a_usable_expiry_is_refused(adapter_runtime: Runtime,
                                                                    connector: FakeConnector) -> None:
    """The SDK checks `exp` only when it is there: a token without one would be good for ever (issue 12)."""
    activity = message(connector, ANSWERABLE)
    url = activity["serviceUrl"]
    now = int(time.time())
    refused = {
        "no exp": signed_without(connector, url, "exp"),
        "no exp, iat or nbf": signed_without(connector, url, "exp", "iat", "nbf"),
        "exp in the year 3000": signed_without(connector, url, exp=32503680000),
        "exp a day and a half away": signed_without(connector, url, exp=now + 36 * 3600),
        "exp a string of digits": signed_without(connector, url, exp=str(now + 3600)),
        "exp null": signed_without(connector, url, exp=None),
        "exp true": signed_without(connector, url, exp=True),
        "iat in the future": signed_without(connector, url, iat=now + 3600),
        "nbf in the future": signed_without(connector, url, nbf=now + 3600),
    }
    # Bot Framework's tokens need not carry iat (its documented example has nbf and exp only).
    accepted = {"no iat": signed_without(connector, url, "iat"),
                "no iat or nbf": signed_without(connector, url, "iat", "nbf")}
    with serve(adapter_runtime, auth_adapter(adapter_runtime, connector)) as client:
        for why, token in refused.items():
            response = client.post("/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, why
        assert connector.activities == []
        for why, token in accepted.items():  # each a message of its own (one sent again is handled once)
            response = client.post("/api/messages", json={**activity, "id": f"msg-{why}"},
                                   headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, why
    # Each accepted one was answered (typing, then the answer; the first one also the welcome).
    assert [r.body["type"] for r in connector.activities].count("typing") == 2


def test_the_expiry_check_refuses_to_start_when_the_sdk_validator_is_missing(adapter_runtime: Runtime) -> None:
    """If a new SDK moves its validator, the adapter fails to start rather than silently dropping the check."""
    import asyncio

    built = teams.build(settings_with(adapter_runtime, environment="production", teams_app_id=APP_ID,
                                      teams_app_password="secret"), chat_of(adapter_runtime))

    async def initialised_without_validator() -> None:
        built.app.server._token_validator = None

    built.app.initialize = initialised_without_validator  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="token expiry check"):
        asyncio.run(built.start())


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
