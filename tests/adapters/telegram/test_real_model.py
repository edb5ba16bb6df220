"""The brief's own question through Telegram with the real embedding model (abstention is calibrated
for it; the hashing embedder abstains on this wording)."""

from __future__ import annotations


import pytest

from bot.adapters import telegram
from bot.core import compose
from bot.core.models import Question
from bot.core.service import AnswerService
from bot.runtime import Runtime
from tests.adapters.telegram.conftest import chat_of, check_html, run_polling, telegram_settings, wait_for
from tests.conftest import logged_entries
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_telegram_api import FakeTelegramApi

pytestmark = [pytest.mark.slow, pytest.mark.integration]
QUESTION = "can I accept a friend request from an ex-pupil on facebook?"


def test_friend_request_question_is_answered_from_stone_bay_policy(real_runtime: Runtime,
                                                                   fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(4242, QUESTION))
        [sent] = await wait_for(api)
        text = sent.params["text"]
        _, shown = check_html(text)
        assert "<blockquote expandable>" in text
        assert ("All members of staff are advised not to communicate with or add any current or their family "
                "members, as 'friends' on any personal social media accounts.") in text
        assert "<i>Social Media Policy" in text
        live = real_runtime.service
        core = AnswerService(live.searcher, live.orgs, list(live.documents.values())).answer(Question(QUESTION, "stone-bay-school"))
        assert f"Who to contact: {compose.describe(core.contacts[0])}" in shown  # the core's choice, as it is

    run_polling(telegram_settings(real_runtime, fake_api), chat_of(real_runtime), fake_api, scenario)
    [entry] = logged_entries(real_runtime.settings.database_url)
    assert entry.channel == "telegram" and entry.org == "stone-bay-school" and entry.answered
