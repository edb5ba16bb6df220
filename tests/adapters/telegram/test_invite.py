"""`policybot invite --org SLUG`: a one-time join code, shown as a t.me deep link when the bot's name is
known (--bot, or getMe with the token), else as the /start message to send."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import wiring
from bot.cli import app
from bot.config import Settings
from bot.core.chat import Sender
from bot.storage.access import SqlAccess
from bot.reading.corpus import load_org
from tests.conftest import CORPUS
from tests.doubles.fake_telegram_api import BOT_USERNAME, TOKEN, FakeTelegramApi

pytestmark = pytest.mark.integration
CODE = r"[A-Z2-9]{10}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(CORPUS / "stone-bay-school", tmp_path / "corpus" / "stone-bay-school")
    var = tmp_path / "var"
    return {"POLICYBOT_CORPUS_DIR": str(tmp_path / "corpus"), "POLICYBOT_DATABASE_URL": f"sqlite:///{var}/log.db",
            "POLICYBOT_SPOOL_FILE": str(var / "spool.jsonl"), "POLICYBOT_SECRET_KEY_FILE": str(var / "secret.key"),
            "POLICYBOT_TELEGRAM_TOKEN": "", "POLICYBOT_INVITE_DAYS": "3"}


def redeem(env: dict[str, str], code: str, user_id: str = "777") -> str | None:
    settings = Settings(database_url=env["POLICYBOT_DATABASE_URL"])
    db = wiring.open_database(settings)
    try:
        org = load_org(Path(env["POLICYBOT_CORPUS_DIR"]) / "stone-bay-school")
        return SqlAccess(db, lambda: {org.slug: org}).redeem(Sender("telegram", user_id, user_id), code)
    finally:
        db.kw["bind"].dispose()


def test_invite_prints_a_start_message_that_redeems_once(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["invite", "--org", "stone-bay-school"], env=env)
    assert result.exit_code == 0, result.output
    assert "Stone Bay School" in result.output and "for 3 days" in result.output
    code = re.search(rf"/start ({CODE})\b", result.output)
    assert code is not None, result.output
    assert "t.me" not in result.output
    assert redeem(env, code.group(1)) == "stone-bay-school"
    assert redeem(env, code.group(1), user_id="778") is None  # one time only


def test_invite_prints_a_deep_link_with_the_bot_name(env: dict[str, str]) -> None:
    with FakeTelegramApi() as api:
        asked = CliRunner().invoke(app, ["invite", "--org", "stone-bay-school"],
                                   env={**env, "POLICYBOT_TELEGRAM_TOKEN": TOKEN, "POLICYBOT_TELEGRAM_API_URL": api.url})
    assert asked.exit_code == 0, asked.output
    link = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=({CODE})\b", asked.output)
    assert link is not None, asked.output
    assert redeem(env, link.group(1)) == "stone-bay-school"
    given = CliRunner().invoke(app, ["invite", "--org", "stone-bay-school", "--bot", "@school_policy_bot"], env=env)
    assert re.search(rf"https://t\.me/school_policy_bot\?start={CODE}\b", given.output), given.output


def test_invite_without_a_reachable_telegram_falls_back_to_the_start_message(env: dict[str, str]) -> None:
    with FakeTelegramApi() as api:
        url = api.url  # closed again at once: nothing listens there any more
    result = CliRunner().invoke(app, ["invite", "--org", "stone-bay-school"],
                                env={**env, "POLICYBOT_TELEGRAM_TOKEN": TOKEN, "POLICYBOT_TELEGRAM_API_URL": url})
    assert result.exit_code == 0, result.output
    assert re.search(rf"/start {CODE}\b", result.output) and "--bot NAME" in result.output


def test_unknown_organisation_is_a_clear_error(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["invite", "--org", "atlantis-academy"], env=env)
    assert result.exit_code == 2
    assert "unknown organisation 'atlantis-academy'" in result.output and "stone-bay-school" in result.output
