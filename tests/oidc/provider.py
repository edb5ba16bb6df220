"""panva's oidc-provider (tests/oidc/provider.mjs) in a Node process on a free port, and a person signing
in through its own login and consent pages with an HTTP client."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@contextmanager
def oidc_provider(clients: list[Client], accounts: dict[str, dict[str, Any]], id_token_ttl: int = 3600,
                  issuer_host: str = "127.0.0.1") -> Iterator[str]:
    """A running provider with *clients* and *accounts* (login -> claims); yields its issuer URL."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("the test OpenID provider is not installed: run `make oidc-provider` (npm ci in tests/oidc)")
    config = {"clients": [{"client_id": c.client_id, "client_secret": c.client_secret,
                           "redirect_uris": list(c.redirect_uris)} for c in clients],
              "accounts": accounts, "id_token_ttl": id_token_ttl, "issuer_host": issuer_host}
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(["node", str(SCRIPT), json.dumps(config)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, text=True, cwd=HERE)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                proc.wait(10)
                errors.seek(0)
                raise RuntimeError(f"the test OpenID provider did not start: {errors.read()[-2000:]}")
            yield json.loads(line)["issuer"]
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()


def _form(response: httpx.Response) -> tuple[str, dict[str, str]] | None:
    """The provider's login or consent form on *response*: where it posts, and its fields."""
    if "text/html" not in response.headers.get("content-type", ""):
        return None
    form = BeautifulSoup(response.text, "html.parser").find("form", method="post")
    if form is None:
        return None
    fields = {str(i.get("name")): str(i.get("value") or "") for i in form.find_all("input") if i.get("name")}
    return urljoin(str(response.url), str(form.get("action"))), fields


def sign_in(http: httpx.Client, start_url: str, login: str, password: str = "any password") -> httpx.Response:
    """Follow *start_url* (the relying party's sign-in) to the provider, post its login form as *login* and
    its consent form, and return where the redirects back end (the relying party's page)."""
    response = http.get(start_url)
    for _ in range(4):
        form = _form(response)
        if form is None:
            return response
        action, fields = form
        if fields.get("prompt") == "login":
            fields.update(login=login, password=password)
        response = http.post(action, data=fields)
    return response


def code_for(http: httpx.Client, issuer: str, client: Client, login: str, nonce: str,
             verifier: str) -> str:
    """An authorization code the provider issues to *client* for *login* (its redirect not followed)."""
    import base64
    import hashlib

    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    meta = http.get(issuer + "/.well-known/openid-configuration").json()
    params = {"client_id": client.client_id, "redirect_uri": client.redirect_uris[0], "response_type": "code",
              "scope": "openid email profile", "state": "s", "nonce": nonce, "code_challenge": challenge,
              "code_challenge_method": "S256"}
    response = http.get(meta["authorization_endpoint"], params=params)
    for _ in range(4):
        form = _form(response)
        if form is None:
            break
        action, fields = form
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password")
        response = http.post(action, data=fields, follow_redirects=False)
        while response.is_redirect and not str(response.headers["location"]).startswith(client.redirect_uris[0]):
            response = http.get(urljoin(str(response.url), response.headers["location"]), follow_redirects=False)
        if response.is_redirect:
            location = httpx.URL(response.headers["location"])
            return str(location.params["code"])
    raise AssertionError(f"no code from the provider: {response.status_code} {response.text[:300]}")


def token_for(http: httpx.Client, issuer: str, client: Client, code: str, verifier: str) -> dict[str, Any]:
    """The provider's token response for *code* (an ID token signed with its keys)."""
    meta = http.get(issuer + "/.well-known/openid-configuration").json()
    response = http.post(meta["token_endpoint"], data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uris[0],
        "client_id": client.client_id, "client_secret": client.client_secret, "code_verifier": verifier})
    response.raise_for_status()
    return dict(response.json())
