"""A fake Bot Framework: the connector a Teams bot replies to (POST /v3/conversations/{id}/activities,
PUT /v3/conversations/{id}/activities/{activityId} to update one it sent),
and the OpenID keys endpoint the SDK checks inbound JWTs against, on a free 127.0.0.1 port.

It records every request. `token(...)` signs a JWT with the key it publishes, as Bot Framework signs
the requests it sends to a bot; point the SDK at it with `cloud()`. Nothing here touches the internet.
"""

from __future__ import annotations

import json
import re
import threading
import time
from urllib.parse import parse_qsl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment

_TOKEN = re.compile(r"^/login/[^/]+/oauth2/v2\.0/token$")
_ACTIVITIES = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<reply_to>[^/]+))?$")
_MEMBER = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/members/(?P<member>[^/?]+)$")
KID = "fake-connector-key"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    conversation: str = ""


@dataclass
class FakeConnector:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    lock: threading.Lock = field(default_factory=threading.Lock)
    client_secret: str = "not-a-real-secret"  # what the token endpoint accepts
    unreachable: set[str] = field(default_factory=set)  # Teams ids the bot is not installed for
    missing: set[str] = field(default_factory=set)  # activity ids an update finds no more (deleted messages)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # member info by Teams id (GET .../members/{id})

    @property
    def activities(self) -> list[Recorded]:
        """Activities the bot sent, in order."""
        with self.lock:
            return [r for r in self.requests if r.method == "POST" and _ACTIVITIES.match(r.path)]

    @property
    def updates(self) -> list[Recorded]:
        """Activities the bot updated in place (PUT /v3/conversations/{id}/activities/{activityId}), in order."""
        with self.lock:
            return [r for r in self.requests if r.method == "PUT" and _ACTIVITIES.match(r.path)]

    def wait_for_activities(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        """The first *count* activities sent, waiting for them (alerts are sent from a worker thread)."""
        end = time.monotonic() + timeout
        while len(self.activities) < count and time.monotonic() < end:
            time.sleep(0.02)
        return self.activities[:count]

    def cloud(self) -> CloudEnvironment:
        """Public-cloud settings with every endpoint the SDK could fetch keys or tokens from made local."""
        return replace(PUBLIC, openid_metadata_url=f"{self.url}/v1/.well-known/openidconfiguration",
                       login_endpoint=f"{self.url}/login", token_service_url=f"{self.url}/token")

    def token(self, app_id: str, service_url: str, key: rsa.RSAPrivateKey | None = None,
              **claims: Any) -> str:
        """A JWT like the ones Bot Framework sends, signed by *key* (default: the published one)."""
        now = int(time.time())
        payload = {"iss": PUBLIC.token_issuer, "aud": app_id, "serviceurl": service_url, "iat": now - 10,
                   "nbf": now - 10, "exp": now + 3600, **claims}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KID})

    def outbound_token(self, scope: str) -> str:
        """The token a bot would get from Entra to call the connector (a fixed one: easy to compare)."""
        return jwt.encode({"aud": scope.removesuffix("/.default"), "appid": "the-bot", "exp": 4102444800},
                          self.key, algorithm="RS256", headers={"kid": KID})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def record(self, request: Recorded) -> None:
        with self.lock:
            self.requests.append(request)


def _handler(fake: FakeConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._record(None)
            if self.path.endswith("/.well-known/openidconfiguration"):
                self._reply(200, {"issuer": PUBLIC.token_issuer, "jwks_uri": f"{fake.url}/v1/.well-known/keys"})
            elif self.path.endswith("/.well-known/keys"):
                self._reply(200, fake.jwks())
            elif _MEMBER.match(self.path) and _MEMBER.match(self.path)["member"] in fake.members:
                self._reply(200, fake.members[_MEMBER.match(self.path)["member"]])  # type: ignore[index]
            else:
                self._reply(404, {"error": {"code": "NotFound", "message": self.path}})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:  # a form (the token request)
                body = None
            match = _ACTIVITIES.match(self.path)
            self._record(body, match["conversation"] if match else "")
            if match:
                self._reply(201, {"id": f"activity-{len(fake.activities)}"})
            elif self.path == "/v3/conversations":  # a proactive one-to-one chat, opened (or got back)
                member = ((body or {}).get("members") or [{}])[0].get("id", "")
                if member in fake.unreachable:
                    self._reply(403, {"error": {"code": "BotNotInConversationRoster", "message": "not installed"}})
                else:
                    self._reply(201, {"id": f"a:dm-{member}"})
            elif _TOKEN.match(self.path):  # Entra's client-credentials grant
                form = dict(parse_qsl(raw.decode()))
                if form.get("client_secret") != fake.client_secret:
                    self._reply(401, {"error": "invalid_client"})
                else:
                    self._reply(200, {"access_token": fake.outbound_token(form.get("scope", "")),
                                      "token_type": "Bearer", "expires_in": 3599})
            else:
                self._reply(404, {"error": {"code": "NotFound", "message": self.path}})

        def do_PUT(self) -> None:  # noqa: N802 (an update of an activity the bot sent: Bot Framework's UpdateActivity)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            match = _ACTIVITIES.match(self.path)
            self._record(body, match["conversation"] if match else "")
            if match and match["reply_to"] in fake.missing:
                self._reply(404, {"error": {"code": "ActivityNotFoundInConversation", "message": "not found"}})
            elif match and match["reply_to"]:
                self._reply(200, {"id": match["reply_to"]})
            else:
                self._reply(404, {"error": {"code": "NotFound", "message": self.path}})

        def _record(self, body: Any, conversation: str = "") -> None:
            fake.record(Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                 conversation))

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet test output)
            return None

    return Handler


@contextmanager
def fake_teams_connector() -> Iterator[FakeConnector]:
    """A running fake on 127.0.0.1 for the duration of the block; closed (socket and thread) after."""
    fake = FakeConnector(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
