"""Sign-in settings refused clearly, the environment read, Entra's multi-tenant issuer, and who the chat
is told is asking (no provider needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.adapters.web_signin import Identity, _email, _same_issuer, check_settings, providers
from bot.config import Settings
from bot.errors import ConfigError


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


ENTRA = {"oidc_entra_client_id": "app-id", "oidc_entra_client_secret": SecretStr("s3cret")}


def test_development_without_a_provider_needs_no_sign_in() -> None:
    assert check_settings(_settings()) == []
    assert check_settings(_settings(web_org="stone-bay-school")) == []
    assert check_settings(_settings(environment="production")) == []  # no web chat for a school: off


def test_production_refuses_a_school_web_chat_without_sign_in() -> None:
    with pytest.raises(ConfigError, match="needs sign-in in production.*POLICYBOT_OIDC_ENTRA_CLIENT_ID"):
        check_settings(_settings(environment="production", web_org="stone-bay-school"))
    assert [p.name for p in check_settings(_settings(environment="production", web_org="stone-bay-school",
                                                     public_url="https://bot.example", **ENTRA))] == ["entra"]


@pytest.mark.parametrize(("values", "problem"), [
    ({"oidc_entra_client_id": "app-id"}, "POLICYBOT_OIDC_ENTRA_CLIENT_SECRET is empty"),
    ({"oidc_google_client_id": "g", "oidc_google_client_secret": SecretStr("s"),
      "oidc_google_issuer": "http://accounts.example"}, "POLICYBOT_OIDC_GOOGLE_ISSUER must be an https://"),
    ({**ENTRA, "environment": "production"}, "POLICYBOT_PUBLIC_URL=https://"),
    ({**ENTRA, "environment": "production", "public_url": "http://bot.example"}, "POLICYBOT_PUBLIC_URL=https://"),
])
def test_unusable_sign_in_settings_are_refused(values: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        check_settings(_settings(**values))


def test_providers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("POLICYBOT_OIDC_GOOGLE_CLIENT_ID", "123.apps.googleusercontent.com")
    monkeypatch.setenv("POLICYBOT_OIDC_GOOGLE_CLIENT_SECRET", "GOCSPX-test")
    monkeypatch.setenv("POLICYBOT_OIDC_ENTRA_ISSUER", "https://login.microsoftonline.com/abc/v2.0")
    settings = Settings()
    [google] = providers(settings)
    assert (google.name, google.issuer, google.client_id, google.tenant_claim) == (
        "google", "https://accounts.google.com", "123.apps.googleusercontent.com", "hd")
    assert settings.oidc_entra_issuer == "https://login.microsoftonline.com/abc/v2.0"
    assert "GOCSPX-test" not in repr(settings)


def test_entra_multi_tenant_discovery_names_a_tenant_template() -> None:
    template = "https://login.microsoftonline.com/{tenantid}/v2.0"
    assert _same_issuer("https://login.microsoftonline.com/organizations/v2.0", template)
    assert _same_issuer("https://login.microsoftonline.com/common/v2.0/", template)
    assert not _same_issuer("https://login.evil.example/organizations/v2.0", template)
    assert _same_issuer("https://accounts.google.com", "https://accounts.google.com/")
    assert not _same_issuer("http://127.0.0.1:5000", "http://localhost:5000")


def test_the_e_mail_the_chat_is_given() -> None:
    entra = providers(_settings(**ENTRA))[0]
    google = providers(_settings(oidc_google_client_id="g", oidc_google_client_secret=SecretStr("s")))[0]
    assert _email(entra, {"preferred_username": "tess@stonebay.example"}) == "tess@stonebay.example"
    assert _email(entra, {"email": "t@x.example", "preferred_username": "upn@x.example"}) == "t@x.example"
    assert _email(google, {"email": "g@stonebay.example", "email_verified": True}) == "g@stonebay.example"
    assert _email(google, {"email": "g@stonebay.example", "email_verified": False}) == ""
    sender = Identity("entra", "iss", "sub-1", "tess@stonebay.example", "Tess Teacher", "tid-1", "stone").sender()
    assert (sender.platform, sender.user_id, sender.workspace, sender.email, sender.display_name,
            sender.org_hint, sender.key) == ("web", "sub-1", "tid-1", "tess@stonebay.example", "Tess Teacher",
                                             "stone", "web:tid-1:sub-1")


def test_entra_multi_tenant_tokens_carry_their_own_tenants_issuer(tmp_path: Path) -> None:
    """With Entra's /organizations endpoint the discovery document's issuer is a template; a token is
    accepted only from the issuer of the tenant it names (tid), signed with the published keys."""
    import asyncio
    import json
    import time

    from joserfc import jwt
    from joserfc.jwk import KeySet

    from bot.adapters.web_signin import SignIn, SignInRefused
    from bot.reading.documents import Organisation

    keys = json.loads((Path(__file__).parents[2] / "oidc" / "jwks.json").read_text())
    private = KeySet.import_key_set(keys)
    public = {"keys": [{k: v for k, v in key.items() if k in ("kty", "n", "e", "kid", "use", "alg")}
                       for key in keys["keys"]]}
    tenant, other = "11111111-2222-3333-4444-555555555555", "99999999-8888-7777-6666-555555555555"
    orgs = {"stone": Organisation("stone", "Stone Bay School", platform_ids=(("entra_tenants", tenant),))}
    signin = SignIn(_settings(**ENTRA), b"k" * 32, lambda: orgs)
    signin.oauth.create_client("entra").server_metadata.update({
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0", "jwks": public,
        "id_token_signing_alg_values_supported": ["RS256"], "_loaded_at": time.time()})

    def token(iss_tenant: str) -> dict[str, str]:
        now = int(time.time())
        claims = {"iss": f"https://login.microsoftonline.com/{iss_tenant}/v2.0", "tid": tenant, "aud": "app-id",
                  "sub": "s1", "iat": now, "exp": now + 600, "nonce": "n1", "name": "Tess Teacher",
                  "preferred_username": "tess@stonebay.example"}
        return {"id_token": jwt.encode({"alg": "RS256", "kid": keys["keys"][0]["kid"]}, claims, private)}

    who = asyncio.run(signin.check("entra", token(tenant), "n1"))
    assert (who.org, who.tenant, who.email, who.name) == ("stone", tenant, "tess@stonebay.example", "Tess Teacher")
    with pytest.raises(SignInRefused, match="'iss'"):
        asyncio.run(signin.check("entra", token(other), "n1"))
