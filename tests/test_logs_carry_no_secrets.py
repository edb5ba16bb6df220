"""The logs carry no question text, no personal data and no token or secret, at any level.

One end-to-end run through the real server (bot.server.build_app under uvicorn on a free port, its chores
running) with every platform live against the local fakes: the web chat; Slack over HTTP (signed
requests) and over Socket Mode (tests.doubles.fake_slack_api); Teams with Bot Framework authentication
on, its keys and (for the alerts sent on Teams) its client-credentials grant from
tests.doubles.fake_teams_connector; Telegram by webhook
(tests.doubles.fake_telegram_api); the SLT dashboard; safeguarding alerts to the DSL on Slack and by
e-mail through a real SMTP server (aiosmtpd) that requires a login.

Every logger in the process is at DEBUG and captured (a handler on the root logger, and on any logger
that does not propagate; uvicorn's loggers propagate, as `log_config=None` leaves them). Questions carry a
pupil's name, a phone number, an e-mail address, a date of birth, a UPN and a safeguarding disclosure;
the run includes a Slack request with a bad signature, a Teams request with a bad token, a Telegram
update with a wrong secret, a dashboard sign-in with a wrong password and the alerts those disclosures
raise. Then every record (its formatted message, its args, its exception text) is searched for each of
them. Records the local fakes themselves emit (the SMTP server and the fake Slack's web server) are not
the bot's logs and are left out.

A leak found is a finding: its check is marked xfail(strict=True) with the record that leaked, so it
turns into a failure (and the mark must go) the day the leak is fixed.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pydantic import SecretStr

from bot import runtime as runtime_mod
from bot.adapters import slack as slack_adapter
from bot.adapters import teams, telegram, web
from bot.adapters.web_signin import SESSION_COOKIE, Identity
from bot.admin import auth
from bot.reading.corpus import load_org
from tests.adapters.slack.payloads import event_callback, mention, signed_headers
from tests.adapters.teams.conftest import APP_ID, message as teams_message
from tests.admin.conftest import add_slt, csrf_of
from tests.alerts.conftest import Mailbox
from tests.alerts.conftest import _AnyPortController as AnyPortController
from tests.conftest import CORPUS, map_platforms, settings_for
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector
from tests.doubles.hash_embedder import HashEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")]

ORG = "stone-bay-school"
# Every secret distinctive, so that a hit is never a coincidence.
SLACK_BOT_TOKEN = "xoxb-LEAKCHECK-slack-bot-token-9f3a"
SLACK_SIGNING_SECRET = "LEAKCHECK-slack-signing-secret-4d1c"
SLACK_APP_TOKEN = "xapp-LEAKCHECK-slack-app-token-77e2"
TELEGRAM_SECRET_PART = "LEAKCHECK-telegram-token-c0ffee"
TELEGRAM_TOKEN = f"{tg.BOT_ID}:{TELEGRAM_SECRET_PART}"
TELEGRAM_WEBHOOK_SECRET = "LEAKCHECK-telegram-webhook-secret-51a7"
TEAMS_APP_PASSWORD = "LEAKCHECK-teams-app-password-8b2e"
DASHBOARD_PASSWORD = "LEAKCHECK dashboard password 6a0d"
SMTP_PASSWORD = "LEAKCHECK-smtp-password-e9d4"
SESSION_SECRET_KEY = "LEAKCHECK-session-secret-key-3c5b"
OIDC_CLIENT_SECRET = "LEAKCHECK-oidc-client-secret-7a41"
# What an attacker or a mistyping user sends: no more fit for the logs than the real ones.
WRONG_DASHBOARD_PASSWORD = "LEAKCHECK wrong dashboard guess 1b9e"
WRONG_WEBHOOK_SECRET = "LEAKCHECK-wrong-webhook-secret-2f8c"

# Personal data, each piece as a member of staff would type it.
PUPIL = "Amelia Thornbury"
PHONE = "07700 900461"
EMAIL = "amelia.mum@example.com"
DOB = "03/04/2012"
UPN = "A123456789012"
DISCLOSURE = "her stepdad hits her"
PIECES = {"pupil's name": PUPIL, "pupil's surname": "Thornbury", "phone number": PHONE, "e-mail address": EMAIL,
          "date of birth": DOB, "UPN": UPN, "disclosure": DISCLOSURE}


def question(where: str) -> str:
    """A question for one platform, carrying every piece of personal data and the disclosure."""
    return (f"A pupil told me {DISCLOSURE}, what do I do? {PUPIL}, DOB {DOB}, UPN {UPN}, mum on {PHONE}, "
            f"{EMAIL} ({where})")


QUESTIONS = {where: question(where) for where in (
    "the web chat", "a slack mention", "a badly signed slack request", "slack socket mode", "teams",
    "teams with a bad token", "the telegram webhook", "telegram with a wrong secret")}
FEEDBACK_COMMENT = f"Not helpful: I still don't know what to tell {PUPIL}'s mum on {PHONE}"
IGNORED_LOGGERS = ("mail.log", "aiohttp.access", "aiohttp.server", "aiohttp.web")  # the fakes' own servers


@dataclass
class Captured:
    records: list[logging.LogRecord] = field(default_factory=list)
    texts: list[tuple[logging.LogRecord, str]] = field(default_factory=list)  # (record, all of its text)
    secrets: dict[str, str] = field(default_factory=dict)  # what else the run used, found at run time
    seen: dict[str, Any] = field(default_factory=dict)  # what the run saw happen (the checks that it ran)

    def hits(self, needle: str) -> list[str]:
        return [f"{record.name} {record.levelname}: {text[:300]!r}" for record, text in self.texts
                if needle.lower() in text.lower()]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.records.append(record)


_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def _all_text(record: logging.LogRecord) -> str:
    try:
        formatted = _FORMAT.format(record)  # the message with its args, the exception and stack text
    except Exception as exc:  # a record that cannot be formatted is searched for what it holds
        formatted = f"{record.msg!r} (unformattable: {exc.__class__.__name__})"
    extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
    return "\n".join([formatted, repr(record.msg), repr(record.args), record.exc_text or "", repr(extra)])


_STANDARD = set(logging.LogRecord("x", 0, "x", 0, "x", None, None).__dict__) | {"message", "asctime", "taskName"}


@dataclass
class _Uvicorn:
    server: uvicorn.Server
    thread: threading.Thread
    url: str


def _serve(app: Any) -> _Uvicorn:
    """Our app under uvicorn with uvicorn's own loggers left as they are (propagating to the root logger)
    and at DEBUG, access log on: tests.doubles.live_server sets them to warning."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="debug", access_log=True))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    return _Uvicorn(server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}")


class _SmtpLogin(Mailbox):
    """The mailbox, accepting only the configured SMTP login."""

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: object) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode(), handled=False)


def _wait(condition: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Captured]:
    tmp = tmp_path_factory.mktemp("leaks")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    map_platforms(corpus)  # Stone Bay: Slack T_STONE, Teams tenant-stone, Telegram 4242; its DSL on Slack U0DSL
    add_slt(corpus)
    import yaml

    org_file = corpus / ORG / "org.yaml"  # its staff sign in to the web chat from Entra tenant tenant-stone
    spec = yaml.safe_load(org_file.read_text("utf-8"))
    spec["platforms"]["entra_tenants"] = ["tenant-stone"]
    org_file.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    capture = _Capture()
    root = logging.getLogger()
    saved_levels = {name: lg.level for name, lg in logging.root.manager.loggerDict.items()
                    if isinstance(lg, logging.Logger)}
    saved_root = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    patch = pytest.MonkeyPatch()
    real_getaddrinfo = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise OSError(f"test tried to reach {host!r}: nothing may touch the internet")
        return real_getaddrinfo(host, *args, **kwargs)

    patch.setattr(socket, "getaddrinfo", local_only)
    mailbox = _SmtpLogin()
    smtp = AnyPortController(mailbox, hostname="127.0.0.1", port=0, authenticator=mailbox.authenticate,
                             auth_require_tls=False)
    smtp.start()
    out = Captured()
    try:
        with FakeSlackApi() as fake_slack, fake_teams_connector() as connector, \
                tg.FakeTelegramApi(token=TELEGRAM_TOKEN) as fake_telegram:
            settings = settings_for(
                corpus, tmp / "index", tmp / "var", environment="production", web_org=ORG,
                secret_key=SecretStr(SESSION_SECRET_KEY),
                slack_bot_token=SecretStr(SLACK_BOT_TOKEN), slack_signing_secret=SecretStr(SLACK_SIGNING_SECRET),
                slack_api_url=fake_slack.url,
                teams_app_id=APP_ID, teams_app_password=SecretStr(TEAMS_APP_PASSWORD),
                telegram_token=SecretStr(TELEGRAM_TOKEN), telegram_api_url=fake_telegram.url,
                telegram_webhook_secret=SecretStr(TELEGRAM_WEBHOOK_SECRET), telegram_mode="webhook",
                smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="policybot@stonebay.example",
                smtp_user="policybot", smtp_password=SecretStr(SMTP_PASSWORD), smtp_starttls=False,
                public_url="https://policybot.stonebay.example",
                oidc_entra_client_id="policybot", oidc_entra_client_secret=SecretStr(OIDC_CLIENT_SECRET))
            runtime = runtime_mod.build(settings, emb=HashEmbedder())
            try:
                auth.set_password(runtime.db, load_org(corpus / ORG), "head@stonebay.example", DASHBOARD_PASSWORD,
                                  datetime.now(timezone.utc))
                _everything(runtime, settings, fake_slack, connector, fake_telegram, mailbox, out)
            finally:
                runtime.close()
    finally:
        smtp.stop()
        patch.undo()
        root.removeHandler(capture)
        root.setLevel(saved_root)
        for name, level in saved_levels.items():
            existing = logging.root.manager.loggerDict.get(name)
            if isinstance(existing, logging.Logger):
                existing.setLevel(level)
        for lg in logging.root.manager.loggerDict.values():
            if isinstance(lg, logging.Logger) and capture in lg.handlers:
                lg.removeHandler(capture)
    out.records = [r for r in capture.records if not r.name.startswith(IGNORED_LOGGERS)]
    out.texts = [(r, _all_text(r)) for r in out.records]
    print(leak_summary(out))  # shown with -s, and with any failure: which logger leaked what
    yield out


def leak_summary(out: Captured) -> str:
    lines = [f"{len(out.records)} log records captured from {len({r.name for r in out.records})} loggers"]
    needles = {**SECRETS, **{f"question: {w}": q for w, q in QUESTIONS.items()},
               **{f"personal data: {p}": t for p, t in PIECES.items()}, "a feedback comment": FEEDBACK_COMMENT,
               **{f"run-time secret: {k}": v for k, v in out.secrets.items()}}
    for what, needle in needles.items():
        by_logger: dict[tuple[str, str], int] = {}
        first: dict[tuple[str, str], str] = {}
        for record, text in out.texts:
            if needle.lower() in text.lower():
                key = (record.name, record.levelname)
                by_logger[key] = by_logger.get(key, 0) + 1
                first.setdefault(key, f"{record.pathname}:{record.lineno}: {record.getMessage()[:600]!r}")
        for (name, level), count in by_logger.items():
            lines.append(f"LEAK {what}: {count} record(s) from {name} at {level}, e.g. {first[(name, level)]}")
    lines += [f"{r.levelname} {r.name}: {r.getMessage()[:200]!r} {(r.exc_text or '')[-600:]}" for r in out.records if r.levelno >= logging.WARNING]
    return "\n".join(lines)


def _everything(runtime: Any, settings: Any, fake_slack: FakeSlackApi, connector: FakeConnector,
                fake_telegram: tg.FakeTelegramApi, mailbox: Mailbox, out: Captured) -> None:
    assert runtime.chat is not None
    chat = runtime.chat
    socket_settings = settings.model_copy(update={"slack_app_token": SecretStr(SLACK_APP_TOKEN),
                                                  "slack_signing_secret": SecretStr("")})
    web_chat = web.build(settings, chat)  # production: sign-in required (a session as its callback sets)
    adapters = [web_chat, slack_adapter.build(settings, chat),
                slack_adapter.build(socket_settings, chat),
                # Reply tokens from the fake (MSAL refuses a token endpoint that is not https, so the app
                # password cannot be exchanged with the fake); the password is configured all the same.
                teams.build(settings, chat, cloud=connector.cloud(),
                            token=lambda scope, _tenant: connector.outbound_token(
                                scope if isinstance(scope, str) else scope[0])),
                telegram.build(settings, chat)]
    from bot.alerts.teams_sender import TeamsEndpoints, TeamsSender
    from bot.server import build_app

    # The Teams alert sender's token request (client credentials: the app password) and its messages go
    # to the fake instead of Entra and Microsoft's service URL.
    connector.client_secret = TEAMS_APP_PASSWORD
    [sender] = [s for s in runtime.alerts.dispatcher.senders if isinstance(s, TeamsSender)]
    sender._endpoints = TeamsEndpoints(login_endpoint=connector.url + "/login")
    sender._service_url = connector.url

    app = build_app(runtime, chores=True, adapters=adapters)
    _every_logger_at_debug()
    served = _serve(app)
    _every_logger_at_debug()  # loggers the adapters made while starting
    try:
        with httpx.Client(base_url=served.url, timeout=60) as http:
            http.cookies.set(SESSION_COOKIE, web_chat.signin.session_value(Identity(
                "entra", "https://login.microsoftonline.com/t/v2.0", "sub-1", "tess@stonebay.example",
                "Tess Teacher", "tenant-stone", ORG)))
            _ask_everywhere(http, fake_slack, connector, fake_telegram, out)
            _dashboard(http, out)
            out.seen["smtp logins"] = _wait(lambda: len(mailbox.envelopes) >= 1, 20) and len(mailbox.logins)
            out.seen["mails"] = len(mailbox.envelopes)
            out.seen["dsl slack alerts"] = len([c for c in fake_slack.calls_to("chat.postMessage")
                                                if c.params.get("channel") == "U0DSL"])
            out.secrets["session key"] = _session_key(settings)
            out.secrets["outbound teams token"] = connector.outbound_token("https://api.botframework.com/.default")
    finally:
        served.server.should_exit = True
        served.thread.join(20)
        if runtime.alerts is not None:
            runtime.alerts.close()  # alerts still being sent are finished (and logged) before the search


def _every_logger_at_debug() -> None:
    """Whatever reaches the root logger at DEBUG is captured, and so is whatever a logger that does not
    propagate emits. Levels the bot sets on loggers of its own on purpose (bot.alerts.slack_sender's quiet
    SDK logger) are left as they are: they are part of what is being checked."""
    capture = next(h for h in logging.getLogger().handlers if isinstance(h, _Capture))
    for lg in list(logging.root.manager.loggerDict.values()):
        if isinstance(lg, logging.Logger) and not lg.propagate and capture not in lg.handlers:
            lg.addHandler(capture)


def _session_key(settings: Any) -> str:
    import hashlib
    import hmac

    from bot import wiring

    return hmac.new(wiring.secret_key(settings), b"dashboard sessions", hashlib.sha256).hexdigest()


def _ask_everywhere(http: httpx.Client, fake_slack: FakeSlackApi, connector: FakeConnector,
                    fake_telegram: tg.FakeTelegramApi, out: Captured) -> None:
    # The web chat: a question, then feedback with a comment.
    assert http.get("/").status_code == 200
    reply = http.post("/api/web/ask", json={"question": QUESTIONS["the web chat"], "org": ORG})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer", reply.text
    answer = reply.json()["answer"]
    out.seen["web urgent"] = answer["urgent"]
    feedback = http.post("/api/web/feedback", json={"log_id": answer["log_id"], "helpful": False,
                                                    "comment": FEEDBACK_COMMENT, "org": ORG})
    assert feedback.status_code == 200 and feedback.json()["kind"] == "feedback", feedback.text

    # Slack over HTTP: a signed mention, and a request whose signature is wrong.
    body = json.dumps(event_callback(mention(QUESTIONS["a slack mention"]), "EvLeak1"))
    response = http.post("/slack/events", content=body.encode(), headers=signed_headers(
        body, "application/json", secret=SLACK_SIGNING_SECRET))
    assert response.status_code == 200, response.text
    assert fake_slack.wait_for("chat.postMessage"), "the Slack mention was not answered"
    body = json.dumps(event_callback(mention(QUESTIONS["a badly signed slack request"], ts="1700000000.000900"),
                                     "EvLeak2"))
    response = http.post("/slack/events", content=body.encode(), headers=signed_headers(
        body, "application/json", secret="not-the-signing-secret"))
    out.seen["bad slack signature"] = response.status_code
    # Slack over Socket Mode (the app token opened the connection).
    fake_slack.wait_for_socket()
    out.seen["socket opened with the app token"] = [c.token for c in fake_slack.calls_to("apps.connections.open")]
    before = len([c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("thread_ts")])
    fake_slack.send_envelope("events_api", event_callback(mention(QUESTIONS["slack socket mode"],
                                                                  ts="1700000000.000500"), "EvLeak3"), "env-leak")
    out.seen["socket mode answered"] = _wait(lambda: len([c for c in fake_slack.calls_to("chat.postMessage")
                                                          if c.params.get("thread_ts")]) > before)

    # Teams, authentication on: a valid Bot Framework token, and a token signed by someone else.
    activity = teams_message(connector, QUESTIONS["teams"], msg_id="leak-1")
    good = {"Authorization": "Bearer " + connector.token(APP_ID, activity["serviceUrl"])}
    response = http.post("/api/messages", json=activity, headers=good)
    assert response.status_code == 200, response.text
    out.seen["teams answered"] = _wait(lambda: any((r.body or {}).get("attachments") for r in connector.activities))
    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = connector.token(APP_ID, activity["serviceUrl"], key=rsa.generate_private_key(65537, 2048))
    out.secrets["bad teams token"] = forged
    bad = teams_message(connector, QUESTIONS["teams with a bad token"], msg_id="leak-2")
    out.seen["teams app password sent to the token endpoint"] = sum(
        1 for r in connector.requests if r.path.endswith("/oauth2/v2.0/token"))
    out.seen["bad teams token"] = http.post("/api/messages", json=bad,
                                            headers={"Authorization": "Bearer " + forged}).status_code

    # Telegram by webhook: the right secret, and a wrong one.
    update = {**tg.message(4242, QUESTIONS["the telegram webhook"]), "update_id": 1}
    response = http.post(telegram.WEBHOOK_PATH, json=update, headers={telegram.SECRET_HEADER: TELEGRAM_WEBHOOK_SECRET})
    assert response.status_code == 200, response.text
    out.seen["telegram answered"] = bool(fake_telegram.wait_for("sendMessage"))
    update = {**tg.message(4242, QUESTIONS["telegram with a wrong secret"]), "update_id": 2}
    out.seen["wrong telegram secret"] = http.post(telegram.WEBHOOK_PATH, json=update, headers={
        telegram.SECRET_HEADER: WRONG_WEBHOOK_SECRET}).status_code


def _dashboard(http: httpx.Client, out: Captured) -> None:
    """A wrong password, then the right one, then the dashboard and the concerns page."""
    def sign_in(password: str) -> httpx.Response:
        page = http.get("/slt/login")
        return http.post("/slt/login", data={"csrf": csrf_of(page.text), "org": ORG,
                                             "email": "head@stonebay.example", "password": password})

    wrong = sign_in(WRONG_DASHBOARD_PASSWORD)
    out.seen["wrong dashboard password"] = wrong.status_code
    right = sign_in(DASHBOARD_PASSWORD)
    out.seen["dashboard signed in"] = right.status_code in (302, 303)
    page = http.get("/slt/")
    out.seen["dashboard page"] = page.status_code


def test_the_run_did_everything_it_claims(captured: Captured) -> None:
    """The search below means something only if the run really went through every path."""
    seen = captured.seen
    assert seen["web urgent"]  # the disclosure was flagged: an alert was raised
    assert seen["bad slack signature"] == 401
    assert seen["socket opened with the app token"] == [SLACK_APP_TOKEN] and seen["socket mode answered"]
    assert seen["teams answered"] and seen["bad teams token"] == 401
    assert seen["teams app password sent to the token endpoint"]  # by the alert sender, to the fake
    assert seen["telegram answered"] and seen["wrong telegram secret"] == 403
    assert seen["wrong dashboard password"] == 401 and seen["dashboard signed in"] and seen["dashboard page"] == 200
    assert seen["smtp logins"] and seen["mails"] >= 1 and seen["dsl slack alerts"] >= 1
    assert len(captured.records) > 50
    assert any("body (withheld)" in text for _, text in captured.texts)  # the bad signature was logged
    names = {r.name for r in captured.records}
    assert any(n.startswith("uvicorn") for n in names) and any(n.startswith("bot.") for n in names)
    assert min(r.levelno for r in captured.records) == logging.DEBUG  # DEBUG records were made and captured


SECRETS = {
    "the Slack bot token": SLACK_BOT_TOKEN, "the Slack signing secret": SLACK_SIGNING_SECRET,
    "the Slack app token": SLACK_APP_TOKEN, "the Telegram bot token": TELEGRAM_TOKEN,
    "the secret part of the Telegram bot token": TELEGRAM_SECRET_PART,
    "the Telegram webhook secret": TELEGRAM_WEBHOOK_SECRET, "a wrong Telegram webhook secret": WRONG_WEBHOOK_SECRET,
    "the Teams app password": TEAMS_APP_PASSWORD, "the dashboard password": DASHBOARD_PASSWORD,
    "a wrong dashboard password": WRONG_DASHBOARD_PASSWORD, "the SMTP password": SMTP_PASSWORD,
    "the session secret key": SESSION_SECRET_KEY, "the sign-in client secret": OIDC_CLIENT_SECRET,
}
# Leaks this test found (December 2026), each with the record that leaked; the owners' fixes turn them
# into failures, and then the entry goes.
# Leaks found by this test and since fixed (each SDK logger that prints payloads now withholds them,
# bot.adapters.log_privacy): the Socket Mode envelope on bot.adapters.slack.bolt, "Received activity" on
# microsoft_teams.apps.app_process and "Processing update" on telegram.ext.Application, all at DEBUG.
KNOWN_LEAKS: dict[str, str] = {}


def _param(what: str, needle: str) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[what])] if what in KNOWN_LEAKS else []
    return pytest.param(what, needle, id=what, marks=marks)


@pytest.mark.parametrize(("what", "needle"), [_param(w, n) for w, n in SECRETS.items()])
def test_no_log_record_carries_a_secret(captured: Captured, what: str, needle: str) -> None:
    assert captured.hits(needle) == []


@pytest.mark.parametrize("what", ["session key", "outbound teams token", "bad teams token"])
def test_no_log_record_carries_a_key_or_token_made_during_the_run(captured: Captured, what: str) -> None:
    assert captured.hits(captured.secrets[what]) == []


@pytest.mark.parametrize(("what", "needle"), [
    *(_param(f"question: {where}", text) for where, text in QUESTIONS.items()),
    *(_param(f"personal data: {piece}", text) for piece, text in PIECES.items()),
    _param("a feedback comment", FEEDBACK_COMMENT)])
def test_no_log_record_carries_a_question_or_personal_data(captured: Captured, what: str, needle: str) -> None:
    assert captured.hits(needle) == []
