"""Real local stand-ins for every alert channel: an aiosmtpd SMTP server, tests.doubles.fake_slack_api
and tests.doubles.fake_telegram_api, all on 127.0.0.1 with ports the OS picks."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.alerts import Alert, Recipient
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.fake_telegram_api import FakeTelegramApi

# A question a member of staff might type; no alert may ever carry it.
QUESTION = "Amelia in 9C told me her stepdad hits her, what do I do"

ALERT = Alert(org_name="Stone Bay School", concern_id="c-17", raised_at=datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc),
              channel="slack", raiser="Jo Bloggs (slack:T_STONE:U9)", about="child",
              reason="physical abuse", link="https://policybot.stonebay.example/admin/concerns/c-17")
DSL = Recipient(name="Martyn Nash", email="dsl@stonebay.example", handles=(("slack", "U0DSL"), ("telegram", "4242")))


def alert(**changes: Any) -> Alert:
    return replace(ALERT, **changes)


@dataclass
class Mailbox:
    """What the SMTP server accepted: envelopes, and who logged in."""

    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    refuse_rcpt: bool = False

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if self.refuse_rcpt:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: object) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right-password", handled=False)

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]  # type: ignore[misc]


class _AnyPortController(Controller):
    """aiosmtpd's Controller bound to port 0: the real port is read back before its self-check connects."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox: Mailbox) -> Iterator[_AnyPortController]:
    """A real SMTP server (no TLS) that accepts AUTH over plain text, as a test needs."""
    controller = _AnyPortController(mailbox, hostname="127.0.0.1", port=0, authenticator=mailbox.authenticate,
                                    auth_require_tls=False)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening (held for the test, so nothing else takes it): connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi() as api:
        yield api
