"""The brief's own question through Telegram with the real embedding model (abstention is calibrated
for it; the hashing embedder abstains on this wording)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import runtime as runtime_mod
from bot.adapters import telegram
from bot.runtime import Runtime
from tests.adapters.telegram.conftest import chat_of, check_html, run_polling, telegram_settings, wait_for
from tests.admin.conftest import NOW
from tests.conftest import CORPUS, logged_entries, map_platforms, settings_for
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_telegram_api import FakeTelegramApi

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def real_runtime(tmp_path: Path, real_embedder: object) -> Iterator[Runtime]:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    map_platforms(tmp_path / "corpus")
    rt = runtime_mod.build(settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var"),
                           emb=real_embedder, clock=lambda: NOW)  # type: ignore[arg-type]
    yield rt
    rt.close()


def test_friend_request_question_is_answered_from_stone_bay_policy(real_runtime: Runtime,
                                                                   fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(4242, "can I accept a friend request from an ex-pupil on facebook?"))
        [sent] = await wait_for(api)
        text = sent.params["text"]
        _, shown = check_html(text)
        assert ("<blockquote expandable>All members of staff are advised not to communicate with or add any "
                "current or their family members, as 'friends' on any personal social media accounts.") in text
        assert "<i>Social Media Policy" in text
        # The core names the policy's owner for this clause; the DSL is named for reporting clauses.
        assert "Who to contact: Jane Hatwell (Headteacher)" in shown

    run_polling(telegram_settings(real_runtime, fake_api), chat_of(real_runtime), fake_api, scenario)
    [entry] = logged_entries(real_runtime.settings.database_url)
    assert entry.channel == "telegram" and entry.org == "stone-bay-school" and entry.answered
