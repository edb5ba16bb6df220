"""Web chat sign-in against a real OpenID Connect provider (panva's oidc-provider, tests/oidc), driven by
an HTTP client through its own login and consent pages: sign in and ask; a Google Workspace domain; a
user of another school's tenant; an expired ID token; a wrong issuer; a wrong audience; production."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from bot.adapters import web
from bot.adapters.web_signin import SESSION_COOKIE, SignInRefused
from bot.core.chat import Sender
from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.conftest import ANSWERABLE, EXPECTED_QUOTE
from tests.conftest import built_runtime, map_platforms
from tests.oidc.provider import Client, code_for, oidc_provider, sign_in, token_for

pytestmark = [pytest.mark.slow, pytest.mark.integration]

STONE = "6f1c2a8e-0000-4000-8000-57013ba70001"  # Stone Bay School's Entra tenant
NEXT = "6f1c2a8e-0000-4000-8000-0e0757e90002"  # Next Steps Ed's
ELSEWHERE = "6f1c2a8e-0000-4000-8000-e15e3e4e0003"  # a school this server does not serve
ACCOUNTS: dict[str, dict[str, Any]] = {
    "tess": {"tid": STONE, "email": "tess@stonebay.example", "email_verified": True, "name": "Tess Teacher",
             "preferred_username": "tess@stonebay.example"},
    "nina": {"tid": NEXT, "email": "nina@nextsteps.example", "name": "Nina Next"},
    "olga": {"tid": ELSEWHERE, "email": "olga@elsewhere.example", "name": "Olga Other"},
    "gail": {"hd": "stonebay.example", "email": "gail@stonebay.example", "email_verified": True,
             "name": "Gail Google"},
    "pat": {"email": "pat@gmail.example", "email_verified": True, "name": "Pat Personal"},  # no Workspace
}
ENTRA_SECRET = "entra-test-secret-" + "x" * 16
GOOGLE_SECRET = "google-test-secret-" + "y" * 16
INTRUDER = Client("another-app", "another-app-secret", ("http://127.0.0.1:9/elsewhere",))


def add_signin_tenants(corpus: Path) -> None:
    """Stone Bay's staff sign in from tenant STONE or the Workspace domain stonebay.example; Next Steps
    Ed's from tenant NEXT."""
    import yaml

    for slug, extra in (("stone-bay-school", {"entra_tenants": [STONE], "google_domains": ["stonebay.example"]}),
                        ("next-steps-ed", {"entra_tenants": [NEXT]})):
        path = corpus / slug / "org.yaml"
        spec = yaml.safe_load(path.read_text("utf-8"))
        spec.setdefault("platforms", {}).update(extra)
        path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")


class Recording:
    """The chat service, remembering who the web chat says is asking."""

    def __init__(self, chat: Any) -> None:
        self.chat = chat
        self.senders: list[Sender] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.chat, name)

    def handle(self, sender: Sender, text: str) -> Any:
        self.senders.append(sender)
        return self.chat.handle(sender, text)


@contextmanager
def _serve(app: Any, sock: socket.socket) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class Chat:
    def __init__(self, url: str, issuer: str, adapter: web.WebAdapter, recording: Recording) -> None:
        self.url, self.issuer, self.adapter, self.recording = url, issuer, adapter, recording

    def ask(self, http: httpx.Client, question: str = ANSWERABLE) -> httpx.Response:
        return http.post(self.url + "/api/web/ask", json={"question": question})


@contextmanager
def chat_with_signin(rt: Runtime, clock: Callable[[], float] = time.time, issuer_host: str = "127.0.0.1",
                     public_url: str = "", as_published: bool = False, **settings: object) -> Iterator[Chat]:
    """The web chat over *rt* with Entra and Google sign-in, both at one local provider whose issuer is
    on *issuer_host*; configured as 127.0.0.1 unless *as_published*."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    base = public_url or url
    clients = [Client("policybot", ENTRA_SECRET, (f"{base}/auth/entra/callback",)),
               Client("policybot-google", GOOGLE_SECRET, (f"{base}/auth/google/callback",)), INTRUDER]
    with oidc_provider(clients, ACCOUNTS, issuer_host=issuer_host) as issuer:
        configured = issuer if as_published else issuer.replace("localhost", "127.0.0.1")
        signin_settings = rt.settings.model_copy(update={
            "oidc_entra_client_id": "policybot", "oidc_entra_client_secret": SecretStr(ENTRA_SECRET),
            "oidc_entra_issuer": configured, "oidc_google_client_id": "policybot-google",
            "oidc_google_client_secret": SecretStr(GOOGLE_SECRET), "oidc_google_issuer": configured,
            "public_url": public_url, **settings})
        assert rt.chat is not None
        adapter = web.build(signin_settings, rt.chat, clock=clock)
        recording = Recording(rt.chat)
        adapter.chat = recording  # type: ignore[assignment]
        with _serve(build_app(rt, chores=False, adapters=[adapter]), sock):
            yield Chat(url, issuer, adapter, recording)


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, map_platforms, add_signin_tenants) as runtime:
        yield runtime


def _http() -> httpx.Client:
    return httpx.Client(follow_redirects=True, timeout=30)


def test_sign_in_with_entra_then_ask(rt: Runtime) -> None:
    with chat_with_signin(rt) as chat, _http() as http:
        refused = chat.ask(http)
        assert refused.status_code == 401 and refused.json()["signin_url"] == "/auth/signin"
        before = http.get(chat.url + "/api/web/config").json()
        assert before["signin"]["required"] is True and before["signin"]["user"] is None and before["orgs"] == []

        page = sign_in(http, chat.url + "/auth/entra/signin", "tess")
        assert page.status_code == 200 and str(page.url) == chat.url + "/", page.text[:500]
        assert [r.url.host for r in page.history].count("127.0.0.1") == len(page.history)  # all local
        assert SESSION_COOKIE in http.cookies
        config = http.get(chat.url + "/api/web/config").json()
        assert config["signin"]["user"] == {"name": "Tess Teacher", "email": "tess@stonebay.example"}
        assert config["orgs"] == [{"slug": "stone-bay-school", "name": "Stone Bay School"}]

        answer = chat.ask(http).json()
        assert answer["org"] == "stone-bay-school" and answer["answer"]["answered"], answer
        assert EXPECTED_QUOTE in answer["answer"]["passages"][0]["text"]
        [sender] = chat.recording.senders
        assert (sender.platform, sender.user_id, sender.workspace) == ("web", "tess", STONE)
        assert (sender.email, sender.display_name, sender.key) == ("tess@stonebay.example", "Tess Teacher",
                                                                   f"web:{STONE}:tess")
        assert rt.access is not None and f"web:{STONE}:tess" in rt.access.seen_in("stone-bay-school")

        out = http.post(chat.url + "/auth/signout", json={})
        assert out.status_code == 200
        assert chat.ask(http).status_code == 401


def test_sign_in_with_a_google_workspace_domain(rt: Runtime) -> None:
    with chat_with_signin(rt) as chat, _http() as http:
        chooser = http.get(chat.url + "/auth/signin")
        assert "/auth/entra/signin" in chooser.text and "/auth/google/signin" in chooser.text
        assert sign_in(http, chat.url + "/auth/google/signin", "gail").status_code == 200
        assert chat.ask(http).json()["org"] == "stone-bay-school"
        assert chat.recording.senders[0].email == "gail@stonebay.example"
    with chat_with_signin(rt) as chat, _http() as http:
        personal = sign_in(http, chat.url + "/auth/google/signin", "pat")
        assert personal.status_code == 403 and "Google Workspace (school) account" in personal.text
        assert chat.ask(http).status_code == 401


def test_a_user_of_another_schools_tenant_is_refused(rt: Runtime) -> None:
    with chat_with_signin(rt) as chat, _http() as http:
        page = sign_in(http, chat.url + "/auth/entra/signin", "olga")
        assert page.status_code == 403
        assert f"the tenant {ELSEWHERE}, which this server does not answer for" in page.text
        assert "platforms: entra_tenants" in page.text
        assert SESSION_COOKIE not in http.cookies and chat.ask(http).status_code == 401
    # A server for Stone Bay only: a member of Next Steps Ed (a school in the corpus) is refused too.
    with chat_with_signin(rt, web_org="stone-bay-school") as chat, _http() as http:
        page = sign_in(http, chat.url + "/auth/entra/signin", "nina")
        assert page.status_code == 403 and "(Stone Bay School)" in page.text
        assert chat.ask(http).status_code == 401
        with _http() as fresh:  # another browser: the provider remembers nina in this one
            assert sign_in(fresh, chat.url + "/auth/entra/signin", "tess").status_code == 200
            assert chat.ask(fresh).json()["org"] == "stone-bay-school"


def test_an_expired_id_token_is_refused(rt: Runtime) -> None:
    # The provider's ID tokens live an hour; this server's clock is two hours ahead.
    with chat_with_signin(rt, clock=lambda: time.time() + 7200) as chat, _http() as http:
        page = sign_in(http, chat.url + "/auth/entra/signin", "tess")
        assert page.status_code == 401 and "The sign-in had expired" in page.text
        assert SESSION_COOKIE not in http.cookies and chat.ask(http).status_code == 401


def test_a_provider_naming_another_issuer_is_refused(rt: Runtime) -> None:
    """The provider publishes http://localhost:<port> as its issuer; this server is configured with
    http://127.0.0.1:<port>: nobody is sent to it, and nothing it signs is accepted."""
    with chat_with_signin(rt, issuer_host="localhost") as chat, _http() as http:
        page = http.get(chat.url + "/auth/entra/signin")
        assert page.status_code == 502 and "do not match the identity provider (its issuer)" in page.text
        assert "localhost" not in str(page.url)


def _pkce() -> tuple[str, str]:
    return secrets.token_urlsafe(16), secrets.token_urlsafe(48)


def test_an_id_token_from_another_issuer_is_refused(rt: Runtime) -> None:
    """A second provider with the same signing keys but its own issuer: its token's signature verifies
    against our provider's keys, and it is still refused, for its iss."""
    with chat_with_signin(rt) as chat, _http() as http:
        ours = Client("policybot", ENTRA_SECRET, (chat.url + "/auth/entra/callback",))
        with oidc_provider([ours], ACCOUNTS) as other_issuer:
            nonce, verifier = _pkce()
            token = token_for(http, other_issuer, ours, code_for(http, other_issuer, ours, "tess", nonce, verifier),
                              verifier)
        with pytest.raises(SignInRefused, match="'iss'"):
            asyncio.run(chat.adapter.signin.check("entra", token, nonce))
        # The same check passes a token of our own provider's (so it is the issuer that failed).
        nonce, verifier = _pkce()
        token = token_for(http, chat.issuer, ours, code_for(http, chat.issuer, ours, "tess", nonce, verifier), verifier)
        assert asyncio.run(chat.adapter.signin.check("entra", token, nonce)).org == "stone-bay-school"


def test_an_id_token_for_another_audience_is_refused(rt: Runtime) -> None:
    """A token our provider issued to another application (aud another-app) is not a sign-in here."""
    with chat_with_signin(rt) as chat, _http() as http:
        nonce, verifier = _pkce()
        token = token_for(http, chat.issuer, INTRUDER, code_for(http, chat.issuer, INTRUDER, "tess", nonce, verifier),
                          verifier)
        with pytest.raises(SignInRefused, match="'aud'"):
            asyncio.run(chat.adapter.signin.check("entra", token, nonce))
        with pytest.raises(SignInRefused, match="'nonce'"):  # and a token replayed into another sign-in
            ours = Client("policybot", ENTRA_SECRET, (chat.url + "/auth/entra/callback",))
            nonce, verifier = _pkce()
            token = token_for(http, chat.issuer, ours, code_for(http, chat.issuer, ours, "tess", nonce, verifier),
                              verifier)
            asyncio.run(chat.adapter.signin.check("entra", token, "another sign-in's nonce"))


def test_a_forged_session_or_a_missing_state_signs_nobody_in(rt: Runtime) -> None:
    with chat_with_signin(rt) as chat, _http() as http:
        http.cookies.set(SESSION_COOKIE, "eyJzdWIiOiJ0ZXNzIn0.forged.signature")
        assert chat.ask(http).status_code == 401
        page = http.get(chat.url + "/auth/entra/callback", params={"code": "x", "state": "y"})
        assert page.status_code == 400 and "started in another browser" in page.text


def test_production_requires_sign_in(tmp_path: Path) -> None:
    """Production: a web chat for a school without sign-in is refused at start; with it, the school is the
    one the person's tenant belongs to (no web_org, no picker)."""
    with built_runtime(tmp_path, map_platforms, add_signin_tenants, environment="production") as runtime:
        assert runtime.chat is not None
        with pytest.raises(ConfigError, match="the web chat needs sign-in in production"):
            web.build(runtime.settings.model_copy(update={"web_org": "stone-bay-school"}), runtime.chat)
        no_address = runtime.settings.model_copy(update={"oidc_entra_client_id": "policybot",
                                                         "oidc_entra_client_secret": SecretStr(ENTRA_SECRET)})
        with pytest.raises(ConfigError, match="POLICYBOT_PUBLIC_URL=https://"):
            web.build(no_address, runtime.chat)
        no_secret = no_address.model_copy(update={"oidc_entra_client_secret": SecretStr(""),
                                                  "public_url": "https://policybot.stonebay.example"})
        with pytest.raises(ConfigError, match="CLIENT_SECRET is empty"):
            web.build(no_secret, runtime.chat)

        # Configured: nobody asks before signing in, and the whole flow works behind the public address.
        public = "https://policybot.stonebay.example"
        with chat_with_signin(runtime, public_url=public) as chat, _http() as http:
            assert chat.ask(http).status_code == 401
            leave = http.get(chat.url + "/auth/entra/signin", follow_redirects=False)
            params = httpx.URL(leave.headers["location"]).params
            assert params["redirect_uri"] == public + "/auth/entra/callback"
            assert params["code_challenge_method"] == "S256" and params["nonce"] and params["state"]
            back = _to_callback(http, sign_in_until(http, leave.headers["location"], public), public, chat.url)
            assert back.status_code == 200 and str(back.url) == chat.url + "/"
            assert chat.ask(http).json()["org"] == "stone-bay-school"
            assert chat.recording.senders[0].email == "tess@stonebay.example"


def sign_in_until(http: httpx.Client, authorize_url: str, public: str) -> str:
    """Sign in as tess at the provider; the callback address (on *public*) it sends the browser to."""
    from tests.oidc.provider import _form

    response = http.get(authorize_url)
    for _ in range(4):
        form = _form(response)
        assert form is not None, response.text[:300]
        action, fields = form
        if fields.get("prompt") == "login":
            fields.update(login="tess", password="any password")
        response = http.post(action, data=fields, follow_redirects=False)
        while response.is_redirect:
            location = response.headers["location"]
            if location.startswith(public):
                return str(location)
            response = http.get(httpx.URL(str(response.url)).join(location), follow_redirects=False)
    raise AssertionError("the provider never sent the browser back")


def _to_callback(http: httpx.Client, callback: str, public: str, local: str) -> httpx.Response:
    """What a reverse proxy at *public* does: the same request, to this server."""
    return http.get(local + callback[len(public):])


def test_development_without_sign_in_is_as_before(rt: Runtime) -> None:
    """No provider configured (make run): the cookie id and the picked school, as before."""
    assert rt.chat is not None
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with _serve(build_app(rt, chores=False, adapters=[web.build(rt.settings, rt.chat)]), sock), _http() as http:
        assert http.get(url + "/").status_code == 200 and web.COOKIE in http.cookies
        assert http.get(url + "/api/web/config").json()["signin"]["required"] is False
        reply = http.post(url + "/api/web/ask", json={"org": "stone-bay-school", "question": ANSWERABLE}).json()
        assert reply["org"] == "stone-bay-school" and reply["answer"]["answered"]


def test_pkce_challenge_is_s256_of_the_verifier_kept_in_the_state_cookie(rt: Runtime) -> None:
    """The flow's secrets stay with the browser that started it (in a signed cookie) and the provider
    sees only the challenge."""
    with chat_with_signin(rt) as chat, _http() as http:
        leave = http.get(chat.url + "/auth/entra/signin", follow_redirects=False)
        params = httpx.URL(leave.headers["location"]).params
        kept = chat.adapter.signin._state.loads(http.cookies["policybot_web_signin"])
        [data] = [v["data"] for v in kept.values()]
        digest = hashlib.sha256(data["code_verifier"].encode()).digest()
        assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert params["nonce"] == data["nonce"] and "code_verifier" not in str(leave.headers["location"])


def test_a_school_that_drops_a_tenant_ends_its_sessions(rt: Runtime) -> None:
    """The session names the tenant; once the org file no longer lists it, the next question is refused."""
    import dataclasses

    with chat_with_signin(rt) as chat, _http() as http:
        assert sign_in(http, chat.url + "/auth/entra/signin", "tess").status_code == 200
        assert chat.ask(http).status_code == 200
        orgs = dict(chat.adapter.signin.orgs())
        stone = orgs["stone-bay-school"]
        kept = tuple(pid for pid in stone.platform_ids if pid != ("entra_tenants", STONE))
        chat.adapter.signin.orgs = lambda: {**orgs, "stone-bay-school": dataclasses.replace(stone, platform_ids=kept)}
        assert chat.ask(http).status_code == 401
        assert http.get(chat.url + "/api/web/config").json()["signin"]["user"] is None
