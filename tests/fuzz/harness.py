"""The server the fuzzers attack: the real ASGI app (bot.server.build_app) under uvicorn on a free port,
with every platform live against the local fakes — the web chat, Slack over HTTP (signed requests, the
fake Slack API for replies), Teams with Bot Framework authentication (tokens signed by the fake
connector's key), Telegram in webhook mode (the fake Bot API for replies) — and the SLT dashboard with
members who can sign in. Nothing here may reach the internet: name lookups of other hosts fail.

    with fuzz_server(tmp_path) as server:
        result = server.send(req)          # a tests.fuzz.strategies.Req
        problems = verdict(req, result)    # [] when the answer is acceptable
        server.capture.tracebacks          # every log record with a traceback since it started
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.adapters import slack as slack_adapter
from bot.adapters import teams, telegram, web
from bot.admin import auth
from bot.reading.corpus import load_org
from bot.retrieval.batching import BatchingEmbedder
from bot.runtime import Runtime
from bot.server import build_app
from bot.storage.concerns import SqlConcerns
from tests.adapters.conftest import configure_induction
from tests.adapters.slack.payloads import SECRET as SLACK_SECRET
from tests.adapters.slack.payloads import TOKEN as SLACK_TOKEN
from tests.adapters.teams.conftest import APP_ID
from tests.admin.conftest import NOW, PASSWORD, SLT, add_slt, csrf_of
from tests.conftest import add_hostile_policy, built_runtime, map_platforms
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector
from tests.doubles.fake_telegram_api import TOKEN as TELEGRAM_TOKEN
from tests.doubles.fake_telegram_api import FakeTelegramApi
from tests.doubles.hash_embedder import HashEmbedder
from tests.doubles.live_server import live_server
from tests.fuzz import client
from tests.fuzz.strategies import Creds, Req, wire

TELEGRAM_SECRET = "webhook-secret-for-fuzzing"
TEAMS_PASSWORD = "not-a-real-secret"
SECRETS = [SLACK_SECRET, SLACK_TOKEN, TELEGRAM_TOKEN, TELEGRAM_SECRET, TEAMS_PASSWORD, PASSWORD]
DSL = "dsl@stonebay.example"  # the signed-in member: a DSL sees every dashboard page
GAP_QUESTION = "what is the policy on parking a hot air balloon on the netball court?"
CONCERN_QUESTION = "a pupil told me her stepdad hits her and she is scared to go home"
HEAD_LIMIT = 60 * 1024  # uvicorn (h11) refuses a request head past 64 KiB and closes: no answer may arrive
LARGE = 1024 * 1024  # a body past this may be refused before it is all sent (the connection then resets)


class Capture(logging.Handler):
    """Every log record at INFO and above; `tracebacks` are those carrying exc_info or a traceback text.
    Also what a thread dies of (threading.excepthook), which the logging system never sees."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.tracebacks: list[str] = []
        self.secret_hits: list[str] = []
        self.count = 0
        self._lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose arguments do not format is still a record
            message = str(record.msg)
        text = message
        if record.exc_info or record.exc_text or "Traceback" in message:
            text = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
        with self._lock_:
            self.count += 1
            if record.exc_info or record.exc_text or "Traceback" in text:
                self.tracebacks.append(text)
            if any(s in text for s in SECRETS):
                self.secret_hits.append(f"{record.name}: {text[:300]}")

    def thread_died(self, args: threading.ExceptHookArgs) -> None:
        import traceback

        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        with self._lock_:
            self.tracebacks.append(f"thread {getattr(args.thread, 'name', '?')} died:\n{text}")

    def since(self, mark: int) -> list[str]:
        with self._lock_:
            return list(self.tracebacks[mark:])


@contextlib.contextmanager
def captured_logs() -> Iterator[Capture]:
    """The root logger and uvicorn's (which does not propagate to the root) captured at INFO."""
    capture = Capture()
    root, server_log = logging.getLogger(), logging.getLogger("uvicorn")
    old_level, old_hook = root.level, threading.excepthook
    root.setLevel(logging.INFO)
    root.addHandler(capture)
    server_log.addHandler(capture)
    threading.excepthook = capture.thread_died
    try:
        yield capture
    finally:
        threading.excepthook = old_hook
        server_log.removeHandler(capture)
        root.removeHandler(capture)
        root.setLevel(old_level)


@contextlib.contextmanager
def _uvicorn_to(capture: Capture) -> Iterator[None]:
    """uvicorn's own logger ("Exception in ASGI application" and its traceback) into *capture*: attached
    once the server runs, because uvicorn's logging set-up replaces that logger's handlers when it starts."""
    server_log = logging.getLogger("uvicorn")
    server_log.addHandler(capture)
    try:
        yield
    finally:
        server_log.removeHandler(capture)


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Name lookups of anything but this machine fail: a fuzzed URL must never reach a real host."""
    real = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise OSError(f"the fuzzed server tried to reach {host!r}: nothing may touch the internet")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = local_only  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]


@dataclass
class Server:
    url: str
    runtime: Runtime
    capture: Capture
    creds: Creds
    connector: FakeConnector
    slack: FakeSlackApi
    telegram: FakeTelegramApi
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://").split(":")[0]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def send(self, req: Req, timeout: float = 30.0) -> client.Result:
        result = exchange(self.host, self.port, self.creds, req, timeout)
        self.sent += 1
        self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        return result

    def healthy(self) -> bool:
        return healthz(self.url) == 200


def exchange(host: str, port: int, creds: Creds, req: Req, timeout: float = 30.0) -> client.Result:
    return client.send(host, port, wire(req, creds), half_close=req.truncated, timeout=timeout, method=req.method)


def healthz(url: str, timeout: float = 10.0) -> int:
    try:
        return httpx.get(url + "/healthz", timeout=timeout).status_code
    except httpx.HTTPError:
        return 0


def verdict(req: Req, result: client.Result) -> list[str]:
    """What is wrong with *result* as the answer to *req* ([] if nothing): a 5xx, no answer where one was
    due, or an answer that took past the client's patience."""
    problems = []
    if result.status >= 500:
        problems.append(f"HTTP {result.status}: {result.body[:300]!r}")
    elif result.status == 0:
        head = len(req.target) + sum(len(k) + len(v) + 4 for k, v in req.headers)
        # we closed first; or it was refused mid-upload (a body past the limit, a head past h11's 64 KiB)
        # or its framing was malformed (two lengths, none, a short one): refused at once, and the body bytes
        # still arriving turn the close into a reset
        malformed = req.framing != "auto" and result.error.startswith("reset")
        excused = req.truncated or len(req.body) > LARGE or head > HEAD_LIMIT or malformed
        if result.error == "timeout" or not excused:
            problems.append(f"no response ({result.error})")
    return problems


def prepare_corpus(corpus: Path) -> None:
    for step in (map_platforms, add_hostile_policy, add_slt, configure_induction):
        step(corpus)


@contextlib.contextmanager
def fuzz_server(base: Path, database_url: str | None = None, chores: bool = True) -> Iterator[Server]:
    """The whole server over a copy of the bundled corpus in *base* (SQLite there, unless *database_url*)."""
    more: dict[str, Any] = {"rate_limit_per_minute": 600, "rate_limit_burst": 100, "environment": "development",
                            "public_url": "http://127.0.0.1:9"}
    if database_url:
        more["database_url"] = database_url
    with contextlib.ExitStack() as stack:
        capture = stack.enter_context(captured_logs())
        stack.enter_context(offline())
        slack_api = stack.enter_context(FakeSlackApi())
        connector = stack.enter_context(fake_teams_connector())
        telegram_api = stack.enter_context(FakeTelegramApi())
        runtime = stack.enter_context(built_runtime(base, prepare_corpus, emb=BatchingEmbedder(HashEmbedder()),
                                                    **more))
        for slug, members in SLT.items():
            for email, _name, _dsl in members:
                auth.set_password(runtime.db, load_org(runtime.settings.corpus_dir / slug), email, PASSWORD, NOW)
        url = stack.enter_context(live_server(build_app(runtime, chores=chores,
                                                        adapters=_adapters(runtime, slack_api, connector,
                                                                           telegram_api))))
        stack.enter_context(_uvicorn_to(capture))
        deadline = time.monotonic() + 30
        while healthz(url) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        creds = _sign_in(url, runtime, connector, slack_api)
        yield Server(url, runtime, capture, creds, connector, slack_api, telegram_api)


def _adapters(runtime: Runtime, slack_api: FakeSlackApi, connector: FakeConnector,
              telegram_api: FakeTelegramApi) -> list[Any]:
    assert runtime.chat is not None
    settings = runtime.settings
    slack_settings = settings.model_copy(update={"slack_bot_token": SecretStr(SLACK_TOKEN),
                                                 "slack_signing_secret": SecretStr(SLACK_SECRET),
                                                 "slack_api_url": slack_api.url})
    teams_settings = settings.model_copy(update={"environment": "production", "teams_app_id": APP_ID,
                                                 "teams_app_password": SecretStr(TEAMS_PASSWORD),
                                                 "teams_allow_unauthenticated": False})
    telegram_settings = settings.model_copy(update={"telegram_token": SecretStr(TELEGRAM_TOKEN),
                                                    "telegram_api_url": telegram_api.url,
                                                    "telegram_webhook_secret": SecretStr(TELEGRAM_SECRET),
                                                    "telegram_mode": "webhook"})

    def outbound_token(scope: str | list[str], _tenant: str | None) -> str:
        return connector.outbound_token(scope if isinstance(scope, str) else scope[0])

    return [web.build(settings, runtime.chat),
            slack_adapter.build(slack_settings, runtime.chat),
            teams.build(teams_settings, runtime.chat, cloud=connector.cloud(), token=outbound_token),
            telegram.build(telegram_settings, runtime.chat)]


def _sign_in(url: str, runtime: Runtime, connector: FakeConnector, slack_api: FakeSlackApi) -> Creds:
    """The credentials of each kind of signed-in user, and ids of real records to aim at."""
    with httpx.Client(base_url=url, timeout=30) as http:
        web_cookie = http.get("/").cookies.get("policybot_web") or ""
        asked = http.post("/api/web/ask", json={"org": "stone-bay-school", "question": GAP_QUESTION}).json()
        log_id = (asked.get("answer") or {}).get("log_id") or ""
        http.post("/api/web/ask", json={"org": "stone-bay-school", "question": CONCERN_QUESTION})
    with httpx.Client(base_url=url, timeout=30) as dash:
        page = dash.get("/slt/login")
        signed = dash.post("/slt/login", data={"csrf": csrf_of(page.text), "org": "stone-bay-school", "email": DSL,
                                               "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303, f"the fuzz harness could not sign in: {signed.status_code}"
        csrf = csrf_of(dash.get("/slt/").text)
        cookie = dash.cookies.get("policybot_slt") or ""
    concerns = SqlConcerns(runtime.db, runtime.clock).for_org("stone-bay-school")
    now = int(time.time())
    return Creds(host=url.removeprefix("http://"), slack_secret=SLACK_SECRET, telegram_secret=TELEGRAM_SECRET,
                 teams_token=connector.token(APP_ID, connector.url + "/", exp=now + 24 * 3600),
                 service_url=connector.url + "/", response_url=slack_api.response_url("command"),
                 dashboard_cookie=cookie, csrf=csrf, web_cookie=web_cookie, log_id=log_id,
                 concern_id=concerns[0].id if concerns else "")


def rss_kb(pid: int | None = None) -> int:
    """Resident memory of process *pid* (this one by default), from /proc."""
    path = Path(f"/proc/{pid or 'self'}/status")
    for line in path.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


if __name__ == "__main__":  # pragma: no cover - see tests/fuzz/serve.py
    sys.exit("run tests/fuzz/serve.py or benchmarks/fuzz.py")
