"""Induction over Telegram, end to end: /induction, the step messages with their inline buttons, a
question asked on the way, the check, the acknowledgement in the register; markup kept inert; strangers
refused. The real python-telegram-bot stack against the fake Bot API (Telegram user 4242 is Tess Teacher
of Stone Bay School in the induction runtime)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.adapters import telegram
from bot.adapters import telegram_format as fmt
from bot.core.chat import REFUSED, Reply
from bot.core.induction import Button, InductionStep
from bot.core.models import Contact, Passage
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from tests.adapters.conftest import ANSWERABLE, EXPECTED_QUOTE, HOSTILE_QUESTION
from tests.adapters.telegram.conftest import chat_of, check_html, run_polling, telegram_settings, wait_for
from tests.conftest import logged_entries
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_telegram_api import Call, FakeTelegramApi

pytestmark = pytest.mark.integration

TESS, STRANGER = 4242, 777
# Stone Bay's two automatic key points: a staff rule, then whom to report to (bot.core.induction_pack)
POINT_1 = "All members of staff are advised that their online conduct on social media can have an impact"
POINT_2 = "Any communication from learners and parents/carers received on personal social media accounts"


def keyboard(call: Call) -> list[tuple[str, str]]:
    """(label, callback data) of every button under a sent message."""
    if "reply_markup" not in call.params:
        return []
    return [(b["text"], b["callback_data"]) for row in call.json("reply_markup")["inline_keyboard"] for b in row]


async def press(api: FakeTelegramApi, data: str, sent_before: int, user: int = TESS) -> Call:
    """Press an induction button; the message the bot sends back."""
    api.push(tg.callback(user, data))
    return (await wait_for(api, count=sent_before + 1))[sent_before]


def test_a_walk_through_induction_ends_in_the_register(induction_runtime: Runtime,
                                                       fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(TESS, "/induction"))
        [first] = await wait_for(api)
        text = first.params["text"]
        tags, shown = check_html(text)
        assert tags == {"b", "i", "blockquote"} and shown.startswith("Welcome to policybot")
        assert "<b>Social Media Policy — key point 1 of 2</b>\nRead this, then press Next." in text
        assert f"<blockquote>{POINT_1}" in text
        assert "<i>Social Media Policy › 4. Staff use of social media › 4.1 Reputation</i>" in text
        assert "<b>Who to contact:</b> Jane Hatwell (Headteacher)" in text
        assert keyboard(first) == [("Next", "in:next"), ("I have a question", "in:ask")]

        second = await press(api, "in:next", 1)
        assert "key point 2 of 2" in second.params["text"] and POINT_2 in second.params["text"]
        assert keyboard(second) == [("Back", "in:back"), ("Next", "in:next"), ("I have a question", "in:ask")]
        assert (await wait_for(api, "answerCallbackQuery"))[0].params.get("text") is None
        [removed] = await wait_for(api, "editMessageReplyMarkup")  # the pressed step's buttons are spent
        assert "reply_markup" not in removed.params

        asking = await press(api, "in:ask", 2)
        assert "Type your question" in check_html(asking.params["text"])[1] and keyboard(asking) == []
        api.push(tg.message(TESS, ANSWERABLE))
        answer, step = (await wait_for(api, count=5))[3:]
        assert EXPECTED_QUOTE in answer.params["text"]
        assert [label for label, _ in keyboard(answer)] == ["👍 Helpful", "👎 Not helpful"]
        assert "key point 2 of 2" in step.params["text"] and ("Next", "in:next") in keyboard(step)
        assert logged_entries(induction_runtime.settings.database_url)[-1].context == "induction"

        check = await press(api, "in:next", 5)
        assert "quick check" in check.params["text"] and "I may accept a friend request" in check.params["text"]
        assert keyboard(check) == [("Back", "in:back"), ("True", "in:true"), ("False", "in:false")]
        ack = await press(api, "in:false", 6)
        assert "Right:" in ack.params["text"] and "acknowledgement" in ack.params["text"]
        assert ("I have read and understood Social Media Policy", "in:ack") in keyboard(ack)
        done = await press(api, "in:ack", 7)
        assert check_html(done.params["text"])[1].startswith("Induction complete")
        assert keyboard(done) == []

    run_polling(telegram_settings(induction_runtime, fake_api), chat_of(induction_runtime), fake_api, scenario)
    [row] = SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school")
    assert (row.person_name, row.channel) == ("Tess Teacher", "telegram")


def test_a_stranger_pressing_an_induction_button_is_refused(induction_runtime: Runtime,
                                                             fake_api: FakeTelegramApi) -> None:
    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.callback(STRANGER, "in:ack"))
        [answered] = await wait_for(api, "answerCallbackQuery")
        assert answered.params["text"] == REFUSED
        api.push(tg.message(STRANGER, "/induction"))
        [refusal] = await wait_for(api)
        assert check_html(refusal.params["text"])[1] == REFUSED and keyboard(refusal) == []

    run_polling(telegram_settings(induction_runtime, fake_api), chat_of(induction_runtime), fake_api, scenario)
    assert SqlAcknowledgements(induction_runtime.db).for_org("stone-bay-school") == []


def test_group_sessions_start_and_end_with_the_command_arguments(induction_runtime: Runtime,
                                                                 fake_api: FakeTelegramApi) -> None:
    group = -100

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(TESS, "/induction session", chat_id=group))
        [started] = await wait_for(api)
        shown = check_html(started.params["text"])[1]
        assert "Group induction session started" in shown and "key point 1 of 2" in shown
        assert shown.index("session started") < shown.index("key point 1")
        assert ("Next", "in:next") in keyboard(started)
        api.push(tg.message(TESS, "/induction end", chat_id=group))
        ended = (await wait_for(api, count=2))[1]
        assert check_html(ended.params["text"])[1] == "Group induction session ended."

    run_polling(telegram_settings(induction_runtime, fake_api), chat_of(induction_runtime), fake_api, scenario)


def _induct_with_the_hostile_policy_first(runtime: Runtime) -> None:
    path = Path(runtime.settings.corpus_dir) / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["induction"]["policies"].insert(0, {"file": "markup-test-policy.txt"})
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    runtime.reindex()


def test_markup_in_a_step_and_in_a_question_asked_during_induction_stays_escaped(
        induction_runtime: Runtime, fake_api: FakeTelegramApi) -> None:
    _induct_with_the_hostile_policy_first(induction_runtime)
    question = "<b>x</b> & " + HOSTILE_QUESTION

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(TESS, "/induction"))
        [step] = await wait_for(api)
        text = step.params["text"]
        tags, shown = check_html(text)
        assert "Markup Test Policy — key point 1 of 1" in shown
        assert "<blockquote>Staff must report any &lt;script&gt;alert('x')&lt;/script&gt;" in text
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; other &lt;@U999&gt;" in text and "<!channel>" in shown
        await press(api, "in:ask", 1)
        api.push(tg.message(TESS, question))
        for call in (await wait_for(api, count=4))[2:]:
            assert check_html(call.params["text"])[0] <= {"b", "i", "blockquote"}
            assert "<script>" not in call.params["text"]
        answer, again = api.sent()[2:]
        assert "&lt;script&gt;alert(" in answer.params["text"] and "key point 1 of 1" in again.params["text"]

    run_polling(telegram_settings(induction_runtime, fake_api), chat_of(induction_runtime), fake_api, scenario)


def test_a_step_renders_escaped_with_its_lead_and_notice() -> None:
    step = InductionStep("<b>Policy</b> — key point 1 of 1", "Read & press Next.",
                         Passage("Never <i>share</i> & tell", "o", "Doc <x>", "1. <y>", "o/doc.txt", 1.0),
                         Contact("DSL", "Ann <Admin>"), (Button("Next", "next"),))
    from bot.core.chat import step_text

    reply = Reply("induction", "Started. " + step_text(step), step=step, notice="<Policy> has changed.")
    [message] = fmt.render(reply)
    tags, shown = check_html(message)
    assert message.startswith("ℹ️ &lt;Policy&gt; has changed.\n\nStarted.\n\n<b>&lt;b&gt;Policy&lt;/b&gt;")
    assert "<blockquote>Never &lt;i&gt;share&lt;/i&gt; &amp; tell</blockquote>\n<i>Doc &lt;x&gt; › 1. &lt;y&gt;</i>" \
        in message
    assert "<b>Who to contact:</b> Ann &lt;Admin&gt; (DSL)" in message
    assert fmt.induction_data("next") == "in:next" and fmt.parse_induction("in:next") == "next"
    assert fmt.parse_induction("fb:1:x") is None and fmt.induction_data("x" * 70) is None


def test_a_notice_comes_before_the_answer(induction_runtime: Runtime, fake_api: FakeTelegramApi) -> None:
    chat_of(induction_runtime).remind(["telegram::4242"])

    async def scenario(adapter: telegram.TelegramAdapter, api: FakeTelegramApi) -> None:
        api.push(tg.message(TESS, ANSWERABLE))
        [sent] = await wait_for(api)
        shown = check_html(sent.params["text"])[1]
        assert shown.startswith("ℹ️ Your senior leadership team asks you to complete your induction")
        assert shown.index("/induction") < shown.index("Welcome") < shown.index(EXPECTED_QUOTE)

    run_polling(telegram_settings(induction_runtime, fake_api), chat_of(induction_runtime), fake_api, scenario)
