"""End to end: the real python-telegram-bot Application, polling (or fed by our webhook route), against
the fake Bot API on 127.0.0.1, over the adapter-test runtime (Telegram user 4242 is Stone Bay School)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.adapters import telegram
from bot.adapters import telegram_format as fmt
from bot.core.chat import HELP, REFUSED, ChatService, Reply, Sender
from bot.core.models import Answer, Passage, Question
from bot.core.service import AnswerService
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.telegram.conftest import (SECRET, chat_of, check_html, run_polling, telegram_settings,
                                              wait_for)
from tests.conftest import logged_entries
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_telegram_api import FakeTelegramApi

pytestmark = pytest.mark.integration

STONE, NEXT, STRANGER = 4242, 5151, 777
# Questions the hashing embedder answers from Stone Bay's social media policy (it abstains on the wording
# "can I accept a friend request from an ex-pupil on facebook?"; test_real_model.py asks that one).
FRIEND_REQUEST = "can I add a pupil as a friend on facebook?"
FRIEND_CLAUSE = "All members of staff are advised not to communicate with or add any current"
ONLINE_SAFETY = "who is responsible for online safety?"
DSL = "Martyn Nash (Designated Safeguarding Lead (Head of Care)), dsl@stonebay.example"


def test_polling_answers_with_the_quote_the_contact_and_feedback_buttons(adapter_runtime: Runtime,
                                                                        fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STONE, FRIEND_REQUEST))
        [sent] = await wait_for(api)
        assert sent.params["chat_id"] == str(STONE) and sent.params["parse_mode"] == "HTML"
        text = sent.params["text"]
        tags, shown = check_html(text)
        assert tags == {"b", "i", "blockquote"}
        assert shown.startswith("Welcome to policybot for Stone Bay School")  # first contact
        assert "<blockquote expandable>" in text and FRIEND_CLAUSE in text
        assert "<i>Social Media Policy" in text
        live = adapter_runtime.service
        core = AnswerService(live.searcher, live.orgs, list(live.documents.values())).answer(Question(FRIEND_REQUEST, "stone-bay-school"))
        assert f"<b>Who to contact:</b> {core.contacts[0].name}" in text  # the core's choice, as it is
        [action] = api.sent("sendChatAction")
        assert action.params == {"chat_id": str(STONE), "action": "typing"}
        assert api.calls.index(action) < api.calls.index(sent)
        buttons = sent.json("reply_markup")["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["👍 Helpful", "👎 Not helpful"]
        [entry] = logged_entries(adapter_runtime.settings.database_url)
        assert entry.channel == "telegram" and entry.org == "stone-bay-school" and entry.answered
        assert buttons[0]["callback_data"] == f"fb:1:{entry.id}"

        api.push(tg.message(STONE, ONLINE_SAFETY))
        second = (await wait_for(api, count=2))[1]
        tags, shown = check_html(second.params["text"])
        assert "Welcome" not in shown  # only on first contact
        assert "<blockquote expandable>As outlined in our child protection policy, the Designated" in \
            second.params["text"]
        assert DSL in shown

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)
    assert fake_api.sent("deleteWebhook"), "polling starts by making sure no webhook is set"


def test_webhook_answers_only_with_the_right_secret(adapter_runtime: Runtime, fake_api: FakeTelegramApi) -> None:
    settings = telegram_settings(adapter_runtime, fake_api, telegram_mode="webhook")
    adapter = telegram.build(settings, chat_of(adapter_runtime))
    assert adapter.application.updater is None
    with TestClient(build_app(adapter_runtime, chores=False, adapters=[adapter])) as client:
        stranger = tg.message(NEXT, "who do I tell about a message from a pupil on instagram?", chat_id=NEXT)
        for headers in ({}, {telegram.SECRET_HEADER: "wrong"}, {telegram.SECRET_HEADER: SECRET + "x"}):
            response = client.post(telegram.WEBHOOK_PATH, json={**stranger, "update_id": 1}, headers=headers)
            assert response.status_code == 403
        assert client.post(telegram.WEBHOOK_PATH, content=b"{not json", headers={telegram.SECRET_HEADER: SECRET},
                           ).status_code == 400
        response = client.post(telegram.WEBHOOK_PATH, json={**tg.message(STONE, FRIEND_REQUEST), "update_id": 2},
                               headers={telegram.SECRET_HEADER: SECRET})
        assert response.status_code == 200
        [sent] = fake_api.wait_for("sendMessage")
        time.sleep(0.2)  # anything wrongly let through would have been answered by now
        assert [c.params["chat_id"] for c in fake_api.sent()] == [str(STONE)]
        assert FRIEND_CLAUSE in sent.params["text"]
    assert not fake_api.sent("getUpdates") and not fake_api.sent("deleteWebhook")
    assert [e.org for e in logged_entries(adapter_runtime.settings.database_url)] == ["stone-bay-school"]


def test_a_stranger_is_refused_until_they_join_with_a_one_time_code(adapter_runtime: Runtime,
                                                                     fake_api: FakeTelegramApi) -> None:
    assert adapter_runtime.access is not None
    code = adapter_runtime.access.issue("stone-bay-school", days=7)

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STRANGER, FRIEND_REQUEST))
        [refusal] = await wait_for(api)
        assert check_html(refusal.params["text"])[1] == REFUSED
        assert "reply_markup" not in refusal.params
        api.push(tg.message(STRANGER, f"/start {code}"))
        joined = (await wait_for(api, count=2))[1]
        assert check_html(joined.params["text"])[1].startswith("You're in.")
        api.push(tg.message(STRANGER, FRIEND_REQUEST))
        answered = (await wait_for(api, count=3))[2]
        assert FRIEND_CLAUSE in answered.params["text"]
        api.push(tg.message(STRANGER + 1, f"/start {code}"))  # the same code again, by someone else
        reused = (await wait_for(api, count=4))[3]
        assert "isn't valid" in reused.params["text"]
        api.push(tg.message(STRANGER + 1, FRIEND_REQUEST))
        still_refused = (await wait_for(api, count=5))[4]
        assert check_html(still_refused.params["text"])[1] == REFUSED

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)
    [entry] = logged_entries(adapter_runtime.settings.database_url)  # refusals answer nothing, log nothing
    assert entry.org == "stone-bay-school" and entry.channel == "telegram"


def test_start_help_other_commands_and_photos_get_the_help(adapter_runtime: Runtime, fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        for text in ("/start", "/help", "/whatever"):
            api.push(tg.message(STRANGER, text))
        photo = tg.message(STRANGER, "")
        del photo["message"]["text"]
        api.push({"message": {**photo["message"], "photo": [{"file_id": "f", "file_unique_id": "u", "width": 9,
                                                              "height": 9}]}})
        sent = await wait_for(api, count=4)
        assert all(check_html(c.params["text"])[1] == HELP for c in sent)

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)


def test_feedback_button_stores_feedback_and_answers_the_callback(adapter_runtime: Runtime,
                                                                   fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STONE, FRIEND_REQUEST))
        [sent] = await wait_for(api)
        not_helpful = sent.json("reply_markup")["inline_keyboard"][0][1]["callback_data"]
        api.push(tg.callback(STONE, not_helpful))
        [answered] = await wait_for(api, "answerCallbackQuery")
        assert "reviews answers marked not helpful" in answered.params["text"]
        [removed] = await wait_for(api, "editMessageReplyMarkup")
        assert removed.params["chat_id"] == str(STONE) and "reply_markup" not in removed.params
        api.push(tg.callback(STRANGER, not_helpful.replace("fb:0", "fb:1")))  # someone not allowed
        refused = (await wait_for(api, "answerCallbackQuery", count=2))[1]
        assert refused.params["text"] == REFUSED
        assert len(api.sent("editMessageReplyMarkup")) == 1

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)
    [entry] = logged_entries(adapter_runtime.settings.database_url)
    assert entry.feedback is not None and entry.feedback.helpful is False


def test_hostile_markup_in_question_and_clause_is_escaped(adapter_runtime: Runtime,
                                                          fake_api: FakeTelegramApi) -> None:
    question = "<script>alert(1)</script> <b>x</b> & *bold* what do I do with a script alert message that says channel?"

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STONE, question))
        [sent] = await wait_for(api)
        text = sent.params["text"]
        tags, shown = check_html(text)
        assert tags <= {"b", "i", "blockquote"}
        assert "&lt;script&gt;alert(" in text and "<script>" not in text
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; other &lt;@U999&gt;" in text
        assert "<!channel>" in shown and "Markup Test Policy" in shown  # shown literally

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)


class SlowLongChat(ChatService):
    """A stand-in ChatService: every question takes 0.5 s and is answered with ~10,000 characters."""

    def __init__(self) -> None:  # noqa: D107 (no collaborators: nothing real is asked)
        self.active = 0
        self.most = 0
        self.lock = threading.Lock()

    def handle(self, sender: Sender, text: str) -> Reply:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.5)
        with self.lock:
            self.active -= 1
        return self.reply_for(sender.user_id)

    @staticmethod
    def reply_for(user_id: str) -> Reply:
        passages = tuple(Passage(f"Clause {n} for {user_id}. " + "Keep records & report. " * 60,
                                 "stone-bay-school", "Long Policy", f"{n}", "long.txt", 1.0) for n in range(8))
        answer = Answer("q", "stone-bay-school", True, passages, message="Long:", log_id="c" * 32)
        return Reply("answer", "plain", answer=answer, org="stone-bay-school")


def test_updates_are_answered_concurrently_and_long_answers_split(adapter_runtime: Runtime,
                                                                  fake_api: FakeTelegramApi) -> None:
    chat = SlowLongChat()

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        assert adapter.application.concurrent_updates > 1
        api.push(tg.message(STONE, "first question"))
        api.push(tg.message(NEXT, "second question"))
        expected = fmt.render(chat.reply_for(str(STONE)))
        assert sum(map(len, expected)) > 10_000 and len(expected) >= 3
        sent = await wait_for(api, count=2 * len(expected))
        for user_id in (STONE, NEXT):
            mine = [c for c in sent if c.params["chat_id"] == str(user_id)]
            assert [c.params["text"] for c in mine] == fmt.render(chat.reply_for(str(user_id)))
            assert all(fmt.units(c.params["text"]) <= 4096 and check_html(c.params["text"]) for c in mine)
            assert f"Clause 0 for {user_id}" in mine[0].params["text"]
            assert f"Clause 7 for {user_id}" in mine[-1].params["text"]
            assert ["reply_markup" in c.params for c in mine] == [False] * (len(mine) - 1) + [True]

    run_polling(telegram_settings(adapter_runtime, fake_api), chat, fake_api, scenario)
    assert chat.most == 2, "the second question waited for the first"


class BrokenChat(ChatService):
    def __init__(self) -> None:  # noqa: D107
        pass

    def handle(self, sender: Sender, text: str) -> Reply:
        raise RuntimeError("the search index vanished")

    def feedback(self, sender: Sender, log_id: str, helpful: bool, comment: str | None = None) -> Reply:
        raise RuntimeError("the database vanished")


def test_an_error_is_logged_and_answered_politely(adapter_runtime: Runtime, fake_api: FakeTelegramApi,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STONE, FRIEND_REQUEST))
        [sent] = await wait_for(api)
        assert sent.params["text"] == telegram.SORRY  # nothing in it needs escaping
        api.push(tg.callback(STONE, "fb:1:" + "d" * 32))
        [answered] = await wait_for(api, "answerCallbackQuery")
        assert answered.params["text"] == telegram.SORRY

    with caplog.at_level(logging.ERROR, logger="bot.adapters.telegram"):
        run_polling(telegram_settings(adapter_runtime, fake_api), BrokenChat(), fake_api, scenario)
    failures = [r for r in caplog.records if r.message == "telegram: failed to handle an update"]
    assert len(failures) == 2 and failures[0].exc_info is not None


def test_in_groups_only_mentions_and_replies_are_answered(adapter_runtime: Runtime,
                                                          fake_api: FakeTelegramApi) -> None:
    group = -100

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        app = adapter.application
        for update in (tg.message(STONE, FRIEND_REQUEST, chat_id=group),
                       tg.message(STONE, f"@someone_else {FRIEND_REQUEST}", chat_id=group)):
            await app.process_update(_update(app, update))
        assert not api.sent()
        await app.process_update(_update(app, tg.message(STONE, f"@{tg.BOT_USERNAME} {FRIEND_REQUEST}", chat_id=group)))
        await app.process_update(_update(app, tg.message(STONE, FRIEND_REQUEST, chat_id=group, reply_to_bot=True)))
        sent = api.sent()
        assert len(sent) == 2 and all(c.params["chat_id"] == str(group) for c in sent)
        assert all("reply_parameters" in c.params for c in sent)  # a reply to the question in a group

    run_polling(telegram_settings(adapter_runtime, fake_api), chat_of(adapter_runtime), fake_api, scenario)
    entries = logged_entries(adapter_runtime.settings.database_url)
    assert [e.question for e in entries] == [FRIEND_REQUEST] * 2  # the mention is not part of the question


def _update(app: Any, payload: dict[str, Any]) -> Any:
    from telegram import Update

    return Update.de_json({**payload, "update_id": 1}, app.bot)


def test_build_refuses_settings_it_cannot_use(adapter_runtime: Runtime, fake_api: FakeTelegramApi) -> None:
    from pydantic import SecretStr

    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="TELEGRAM_TOKEN"):
        telegram.build(adapter_runtime.settings, chat_of(adapter_runtime))
    settings = telegram_settings(adapter_runtime, fake_api, telegram_mode="webhook",
                                 telegram_webhook_secret=SecretStr(""))
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        telegram.build(settings, chat_of(adapter_runtime))
    assert telegram.file_url("http://127.0.0.1:9/bot") == "http://127.0.0.1:9/file/bot"



# A token shaped like a real one (bot id, colon, 35 characters), so that both the registered secret and
# the token shape are exercised; the fake Bot API accepts only it.
REAL_SHAPED_TOKEN = f"{tg.BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET_PART = REAL_SHAPED_TOKEN.partition(":")[2]


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write of *record*: the formatted message, exception and stack text, and
    the raw msg and args."""
    formatted = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    return "\n".join([formatted, repr(record.msg), repr(record.args), record.exc_text or "",
                      record.stack_info or ""])


def test_the_bot_token_reaches_no_log_record_at_any_level(adapter_runtime: Runtime,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every Bot API URL (…/bot<TOKEN>/getMe) at INFO and PTB its URL at DEBUG (issue 12).
    Every logger at DEBUG, httpx, httpcore and PTB's explicitly so, as a deployment debugging them."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(STONE, FRIEND_REQUEST))
        await wait_for(api)

    with FakeTelegramApi(REAL_SHAPED_TOKEN) as api:
        settings = telegram_settings(adapter_runtime, api, telegram_token=SecretStr(REAL_SHAPED_TOKEN))
        run_polling(settings, chat_of(adapter_runtime), api, scenario)
        assert api.sent("getMe") and api.sent("getUpdates")
    texts = [record_text(r) for r in caplog.records]
    assert not [t for t in texts if REAL_SHAPED_TOKEN in t or SECRET_PART in t]
    # The test has teeth: the URLs were logged, with the token blanked out.
    assert any(r.name == "httpx" and "/bot[redacted]/getMe" in r.getMessage() for r in caplog.records)
    assert any(r.name.startswith("telegram") and "[redacted]" in r.getMessage() for r in caplog.records)


def test_a_wrong_token_is_refused_without_the_token_in_the_log(adapter_runtime: Runtime, fake_api: FakeTelegramApi,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """PTB's InvalidToken quotes the token; logged with its traceback, as the server would, it is blanked."""
    import asyncio

    from telegram.error import InvalidToken

    caplog.set_level(logging.DEBUG)
    wrong = f"{tg.BOT_ID}:AAHwrongwrongwrongwrongwrongwrong12"
    adapter = telegram.build(telegram_settings(adapter_runtime, fake_api, telegram_token=SecretStr(wrong)),
                             chat_of(adapter_runtime))

    async def start() -> None:
        try:
            await adapter.start()
        except InvalidToken:
            logging.getLogger("bot.server").exception("telegram could not start")
            raise
        finally:
            await adapter.stop()

    with pytest.raises(InvalidToken):
        asyncio.run(start())
    [failure] = [r for r in caplog.records if r.name == "bot.server"]
    assert "InvalidToken" in (failure.exc_text or "")  # the traceback is kept, as text
    assert not [t for t in map(record_text, caplog.records) if wrong in t or wrong.partition(":")[2] in t]
