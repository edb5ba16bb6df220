"""No platform token or secret in any log record (issue 12): whoever logs it, at whatever level, in the
message, its args or an exception's text. Building an adapter registers its secrets
(bot.alerts.quiet_logs.mask_secrets); token-shaped strings are blanked even when nobody registered them."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.adapters import slack as slack_adapter
from bot.adapters import teams
from bot.alerts import quiet_logs
from bot.runtime import Runtime

SLACK_BOT = "xoxb-MASKTEST-1111-bot-token"
SLACK_APP = "xapp-MASKTEST-2222-app-token"
SLACK_SIGNING = "MASKTEST-signing-secret-3333"
TEAMS_PASSWORD = "MASKTEST~teams.app_password-4444"


def all_text(record: logging.LogRecord) -> str:
    formatted = logging.Formatter("%(message)s").format(record)
    return "\n".join([formatted, repr(record.msg), repr(record.args), record.exc_text or "", record.stack_info or ""])


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("some.third.party.library")  # no filter of ours on it: the factory masks
    logger.setLevel(logging.DEBUG)
    return logger


def test_slack_and_teams_secrets_are_blanked_wherever_they_are_logged(adapter_runtime: Runtime, log: logging.Logger,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    assert adapter_runtime.chat is not None
    settings = adapter_runtime.settings.model_copy(update={
        "slack_bot_token": SecretStr(SLACK_BOT), "slack_app_token": SecretStr(SLACK_APP),
        "slack_signing_secret": SecretStr(SLACK_SIGNING), "environment": "production",
        "teams_app_id": "00000000-0000-4000-8000-00000000b075", "teams_app_password": SecretStr(TEAMS_PASSWORD)})
    slack_adapter.build(settings, adapter_runtime.chat)
    teams.build(settings, adapter_runtime.chat)
    caplog.clear()  # what building logged is not under test here
    secrets = (SLACK_BOT, SLACK_APP, SLACK_SIGNING, TEAMS_PASSWORD)
    for secret in secrets:
        log.debug("token %s in the args", secret)
        log.info(f"token {secret} in the message")
        log.warning("as a mapping: %(token)s", {"token": secret})
        try:
            raise RuntimeError(f"the request with client_secret={secret} failed")
        except RuntimeError:
            log.exception("an error")
        log.error("with the stack", stack_info=True, extra={"ignored": None})
    texts = [all_text(r) for r in caplog.records]
    assert len(texts) == 5 * len(secrets)
    assert not [t for t in texts for s in secrets if s in t]
    assert sum("[redacted]" in t for t in texts) == 4 * len(secrets)
    assert all("RuntimeError" in (r.exc_text or "") for r in caplog.records if r.getMessage() == "an error")


def test_token_shaped_strings_are_blanked_even_unregistered(log: logging.Logger,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    quiet_logs.mask_secrets()  # the factory in place, nothing registered by this test
    telegram = "7012345678:AAF-someone_elses_bot_token_0123456"
    slack = "xoxp-9999-8888-someone-elses-user-token"
    log.info("GET https://api.telegram.org/bot%s/getMe and Bearer %s", telegram, slack)
    [record] = caplog.records
    assert record.getMessage() == "GET https://api.telegram.org/bot[redacted]/getMe and Bearer [redacted]"


def test_a_record_without_secrets_is_left_as_it_was_made(log: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    quiet_logs.mask_secrets()
    log.info("asked %d questions in %s", 3, "12:30")
    [record] = caplog.records
    assert record.msg == "asked %d questions in %s" and record.args == (3, "12:30")


def test_httpx_and_httpcore_are_turned_down_unless_the_deployment_chose_their_level() -> None:
    loggers = [logging.getLogger(name) for name in quiet_logs.CHATTY_LOGGERS]
    saved = [lg.level for lg in loggers]
    try:
        loggers[0].setLevel(logging.NOTSET)
        loggers[1].setLevel(logging.INFO)
        quiet_logs.mask_secrets()
        assert [lg.level for lg in loggers] == [logging.WARNING, logging.INFO]
    finally:
        for lg, level in zip(loggers, saved):
            lg.setLevel(level)


def test_a_short_secret_is_not_blanked_out_of_every_record(log: logging.Logger,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """A password like "secret" (as a test or a careless deployment sets) would garble every record with the
    word in it: only secrets of MIN_SECRET_LENGTH characters or more are registered."""
    quiet_logs.mask_secrets("secret", "changeme")
    log.info("the signing secret was wrong; changeme later")
    [record] = caplog.records
    assert record.getMessage() == "the signing secret was wrong; changeme later"
