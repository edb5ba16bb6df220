"""EmailSender against a real SMTP server (aiosmtpd on 127.0.0.1), and against ones that fail."""

from __future__ import annotations

import pytest

from bot.alerts import AlertError, EmailSender, Recipient, alert_text
from tests.alerts.conftest import ALERT, DSL, QUESTION, Mailbox, _AnyPortController, alert

FROM = "policybot@stonebay.example"


def sender_for(server: _AnyPortController, **more: object) -> EmailSender:
    return EmailSender("127.0.0.1", server.port, FROM, starttls=False, **more)  # type: ignore[arg-type]


def test_the_alert_arrives_from_the_school_address_to_the_recipient(smtp_server: _AnyPortController,
                                                                    mailbox: Mailbox) -> None:
    assert sender_for(smtp_server).send(DSL, ALERT) is True

    [envelope] = mailbox.envelopes
    assert envelope.mail_from == FROM
    assert envelope.rcpt_tos == ["dsl@stonebay.example"]
    [message] = mailbox.messages()
    assert message["From"] == FROM
    assert message["To"] == "dsl@stonebay.example"
    assert message["Subject"] == "Safeguarding concern raised at Stone Bay School"
    assert message["Importance"] == "high"
    assert message["Message-ID"].endswith("@stonebay.example>")
    assert message.get_content().replace("\r\n", "\n").strip() == alert_text(ALERT)
    assert QUESTION.encode() not in envelope.original_content  # type: ignore[operator]
    assert mailbox.logins == []  # no user set: no login


def test_a_reminder_says_so_in_the_subject(smtp_server: _AnyPortController, mailbox: Mailbox) -> None:
    sender_for(smtp_server).send(DSL, alert(repeat=1))
    [message] = mailbox.messages()
    assert message["Subject"] == "Reminder: Safeguarding concern raised at Stone Bay School"
    assert message.get_content().startswith("REMINDER (2nd alert)")


def test_it_logs_in_when_a_user_is_set(smtp_server: _AnyPortController, mailbox: Mailbox) -> None:
    sender_for(smtp_server, user="alerts", password="right-password").send(DSL, ALERT)
    assert mailbox.logins == [(b"alerts", b"right-password")]
    assert len(mailbox.envelopes) == 1


def test_a_wrong_password_is_an_alert_error_that_does_not_quote_it(smtp_server: _AnyPortController,
                                                                   mailbox: Mailbox) -> None:
    with pytest.raises(AlertError, match="SMTPAuthenticationError") as caught:
        sender_for(smtp_server, user="alerts", password="wrong-password").send(DSL, ALERT)
    assert "wrong-password" not in str(caught.value)
    assert mailbox.envelopes == []


def test_without_an_address_it_sends_nothing(smtp_server: _AnyPortController, mailbox: Mailbox) -> None:
    for nobody in (Recipient("Teams only", None, (("teams", "29:x"),)), Recipient("Blank", "  ")):
        assert sender_for(smtp_server).send(nobody, ALERT) is False
    assert mailbox.envelopes == []


def test_a_server_that_refuses_connections_is_an_alert_error(closed_port: int) -> None:
    with pytest.raises(AlertError, match="ConnectionRefusedError"):
        EmailSender("127.0.0.1", closed_port, FROM, starttls=False).send(DSL, ALERT)


def test_a_refused_recipient_is_an_alert_error(smtp_server: _AnyPortController, mailbox: Mailbox) -> None:
    mailbox.refuse_rcpt = True
    with pytest.raises(AlertError, match="SMTPRecipientsRefused"):
        sender_for(smtp_server).send(DSL, ALERT)


def test_starttls_required_but_not_offered_fails_rather_than_sending_in_clear(smtp_server: _AnyPortController,
                                                                              mailbox: Mailbox) -> None:
    with pytest.raises(AlertError, match="SMTPNotSupportedError"):
        EmailSender("127.0.0.1", smtp_server.port, FROM, starttls=True).send(DSL, ALERT)
    assert mailbox.envelopes == []


def test_a_from_with_a_display_name_still_gives_its_domain_to_the_message_id(smtp_server: _AnyPortController,
                                                                            mailbox: Mailbox) -> None:
    EmailSender("127.0.0.1", smtp_server.port, "Policybot <alerts@stonebay.example>", starttls=False).send(DSL, ALERT)
    [message] = mailbox.messages()
    assert message["From"] == "Policybot <alerts@stonebay.example>"
    assert message["Message-ID"].endswith("@stonebay.example>")
