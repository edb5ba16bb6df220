"""Telegram (python-telegram-bot 22): translates updates into ChatService calls and replies into HTML
messages. No decisions are taken here — who may ask, help, welcome, rate limits and feedback are all
ChatService's.

    getUpdates (polling, default) ─┐
    POST /telegram/webhook ────────┴▶ Application ─▶ handler ─▶ ChatService (in a thread) ─▶ sendMessage

Polling needs no public URL. Webhook mode (POLICYBOT_TELEGRAM_MODE=webhook) mounts /telegram/webhook on
the one server; the URL is registered with Telegram outside the bot (setWebhook with the same
secret_token), and every request must carry that secret in X-Telegram-Bot-Api-Secret-Token. Telegram
sends an update again until it gets a 200 for it: an update_id already handled (by this replica, another
one sharing the database, or this one before a restart) is answered 200 and not queued again. Polling
needs no such check: one poller per token (Telegram refuses a second), and its offset confirms updates.

Groups: the bot answers commands, messages that @mention it and replies to its own messages — what
Telegram's privacy mode delivers anyway; with privacy mode off, other group chatter is still ignored.
Private chats: every text message is a question. `/start <code>` redeems a join code
(`policybot invite --org SLUG`); `/start`, `/help`, any other command and anything that is not text
(a photo, a voice note) get the help.

Induction: `/induction` (and `/induction session`, `/induction end`) go to ChatService.handle as typed;
a step is a message with one inline button per step button (callback data "in:<action>"), and a press
goes to ChatService.induction_action; the next step is sent as a new message.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from json import JSONDecodeError
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, CallbackQuery, LinkPreviewOptions, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)

from bot.adapters.log_privacy import withhold
from bot.adapters import telegram_format as fmt
from bot.adapters.telegram_keyboards import Outgoing, outgoing
from bot.alerts.quiet_logs import mask_secrets
from bot.config import Settings
from bot.core.chat import SORRY, ChatService, Reply, Sender
from bot.core.deliveries import Deliveries, MemoryDeliveries, off_loop
from bot.errors import ConfigError

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 16  # updates answered at once; each question runs in a worker thread
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
UPDATE_TTL = 25 * 3600.0  # Telegram keeps an update it could not deliver for 24 hours

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramAdapter:
    name = "telegram"

    def __init__(self, settings: Settings, chat: ChatService, application: TelegramApp,
                 deliveries: Deliveries | None = None) -> None:
        self.settings = settings
        self.chat = chat
        self.application = application
        self.deliveries: Deliveries = deliveries or MemoryDeliveries()
        # Update ids are the bot's own sequence: the bot id (the token's public part) makes them one key.
        self.bot_id = settings.telegram_token.get_secret_value().partition(":")[0]
        self.webhook = settings.telegram_mode == "webhook"
        new = filters.UpdateType.MESSAGE  # edited messages are not questions asked again
        application.add_handler(CommandHandler("start", self._on_start, filters=new))
        application.add_handler(CommandHandler("help", self._on_help, filters=new))
        application.add_handler(CommandHandler("induction", self._on_induction_command, filters=new))
        application.add_handler(CommandHandler("link", self._on_link_command, filters=new))
        application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND & (
            filters.ChatType.PRIVATE | filters.REPLY | filters.Entity(MessageEntity.MENTION)), self._on_text))
        # Anything else in a private chat (another command, a photo, a voice note) gets the help, not silence.
        application.add_handler(MessageHandler(new & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
                                               self._on_help))
        application.add_handler(CallbackQueryHandler(self._on_feedback, pattern=rf"^{fmt.FEEDBACK_PREFIX}:"))
        application.add_handler(CallbackQueryHandler(self._on_induction, pattern=rf"^{fmt.INDUCTION_PREFIX}:"))
        application.add_error_handler(self._on_error)

    # --- the Adapter protocol -------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])] if self.webhook else []

    async def start(self) -> None:
        try:
            await self.application.initialize()  # getMe: fails here, at start, on a wrong token
        except BaseException:
            # Application.shutdown() does nothing for an application that never initialised, but the bot's
            # HTTP clients were opened before getMe failed: close them, or each failed start leaks sockets.
            await self.application.bot.shutdown()
            raise
        await self.application.start()
        if not self.webhook and self.application.updater is not None:
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        log.info("telegram: @%s %s", self.application.bot.username, "webhook" if self.webhook else "polling")

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    # --- webhook --------------------------------------------------------------------------------
    async def _webhook(self, request: Request) -> Response:
        """Check the secret, queue the update, answer at once (the reply goes out through the Bot API)."""
        expected = self.settings.telegram_webhook_secret.get_secret_value().encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            payload = await request.json()
            if not isinstance(payload, dict):
                raise TypeError("an Update is a JSON object")
            update = Update.de_json(payload, self.application.bot)
        except (JSONDecodeError, UnicodeDecodeError, AttributeError, KeyError, TypeError, ValueError):
            log.warning("telegram: ignored a webhook request that is not an Update")
            return PlainTextResponse("not an update", status_code=400)
        problem = unusable(update)
        if problem:  # the handlers' filters would fail on it, with a traceback, after the 200
            log.warning("telegram: ignored an update Telegram never sends (%s)", problem)
            return PlainTextResponse("not an update", status_code=400)
        if not await off_loop(self.deliveries.first_time, "telegram", f"{self.bot_id}:{update.update_id}", UPDATE_TTL):
            log.info("telegram: ignored update %s, delivered again", update.update_id)
            return Response(status_code=200)
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    # --- handlers -------------------------------------------------------------------------------
    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, sender = _message_and_sender(update)
        if message is None or sender is None:
            return
        code = " ".join(context.args or ())
        if code:
            reply = await asyncio.to_thread(self.chat.join, sender, code)
        else:
            reply = await asyncio.to_thread(self.chat.handle, sender, "/start")
        await self._send(message, reply)

    async def _on_help(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message, sender = _message_and_sender(update)
        if message is not None and sender is not None:
            await self._send(message, await asyncio.to_thread(self.chat.handle, sender, "/help"))

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, sender = _message_and_sender(update)
        if message is None or sender is None:
            return
        text = addressed_text(message, context.bot)
        if text is None:
            return  # group chatter not meant for the bot
        await _typing(message)
        await self._send(message, await asyncio.to_thread(self.chat.handle, sender, text))

    async def _on_induction_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/induction, /induction session, /induction end: passed on as typed."""
        message, sender = _message_and_sender(update)
        if message is not None and sender is not None:
            text = " ".join(["/induction", *(context.args or ())])
            await self._send(message, await asyncio.to_thread(self.chat.handle, sender, text))

    async def _on_link_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/link <school e-mail>, then /link <code>: this account linked to the staff directory."""
        message, sender = _message_and_sender(update)
        if message is not None and sender is not None:
            text = " ".join(["/link", *(context.args or ())])
            await self._send(message, await asyncio.to_thread(self.chat.handle, sender, text))

    async def _on_induction(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An induction button: the next step as a new message in the same chat (a refusal or anything
        without a step answers the press instead)."""
        query = update.callback_query
        action = fmt.parse_induction(query.data if query and isinstance(query.data, str) else None)
        if query is None or action is None:
            return
        chat_id, sender = _presser(update, query)
        reply = await asyncio.to_thread(self.chat.induction_action, sender, action)
        if reply.step is None:
            await query.answer(fmt.callback_answer(reply.text))
            return
        await query.answer()
        if isinstance(query.message, Message) and query.message.chat.type == ChatType.PRIVATE:
            try:  # pressed: the step is behind them (in a group the buttons may be someone else's)
                await query.message.edit_reply_markup(reply_markup=None)
            except TelegramError as exc:
                log.info("telegram: could not remove induction buttons: %s", exc)
        await _deliver(context.bot, chat_id, outgoing(reply))

    async def _on_feedback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        parsed = fmt.parse_feedback(query.data if query and isinstance(query.data, str) else None)
        if query is None or parsed is None:
            return
        chat_id, sender = _presser(update, query)
        reply = await asyncio.to_thread(self.chat.feedback, sender, parsed[0], parsed[1])
        await query.answer(fmt.callback_answer(reply.text))
        if reply.kind == "feedback" and isinstance(query.message, Message):
            try:  # the buttons have done their job; a failure here only leaves them visible
                await query.message.edit_reply_markup(reply_markup=None)
            except TelegramError as exc:
                log.info("telegram: could not remove feedback buttons: %s", exc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error and tell the person, so that nobody is left waiting in silence."""
        log.error("telegram: failed to handle an update", exc_info=context.error)
        if not isinstance(update, Update):
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(fmt.callback_answer(SORRY))
            elif update.effective_chat is not None:
                await context.bot.send_message(update.effective_chat.id, fmt.escape(SORRY),
                                               parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # Telegram itself is failing: the log above is all we can do
            log.error("telegram: could not send the apology either: %s", exc)

    async def _send(self, message: Message, reply: Reply) -> None:
        """The reply as HTML messages, as a reply to the question (quoted in groups only); the feedback
        buttons go on the answer's last message, an induction step's buttons on the step's last."""
        for n, (chunk, keyboard) in enumerate(outgoing(reply)):
            await message.reply_text(chunk, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                                     reply_markup=keyboard, do_quote=None if n == 0 else False)


async def _deliver(bot: Bot, chat_id: int, messages: Outgoing) -> None:
    """Messages into a chat, not as a reply to anything (the answer to a button press)."""
    for chunk, keyboard in messages:
        await bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                               reply_markup=keyboard)


def _message_and_sender(update: Update) -> tuple[Message | None, Sender | None]:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return None, None
    return message, Sender("telegram", str(user.id), workspace=str(chat.id), display_name="")


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The question in *message*: all of it in a private chat; in a group only a reply to the bot or a
    message mentioning it (the mention removed). None when the message is not for the bot."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return text
    mention = f"@{bot.username}".lower()
    entities = message.parse_entities([MessageEntity.MENTION])
    if any(value.lower() == mention for value in entities.values()):
        return " ".join(part for part in text.split() if part.lower() != mention)
    return None


async def _typing(message: Message) -> None:
    """Show "typing…" while the answer is worked out (cosmetic: a failure is logged, not fatal)."""
    try:
        await message.chat.send_action(ChatAction.TYPING)
    except TelegramError as exc:
        log.info("telegram: no typing indicator: %s", exc)


def file_url(api_url: str) -> str:
    """The Bot API's file URL beside *api_url* ("…/bot" → "…/file/bot")."""
    base = api_url.rstrip("/")
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"


def _presser(update: Update, query: CallbackQuery) -> tuple[int, Sender]:
    """The chat a button was pressed in, and who pressed it."""
    chat_id = update.effective_chat.id if update.effective_chat else query.from_user.id
    return chat_id, Sender("telegram", str(query.from_user.id), workspace=str(chat_id))


def unusable(update: Update) -> str:
    """Why *update* cannot be handled ("" when it can): the parts every message and button press has."""
    for message in (update.message, update.edited_message, update.channel_post, update.edited_channel_post):
        if message is not None and (message.chat is None or not isinstance(message.chat.id, int)):
            return "a message without a chat"
        if message is not None and message.from_user is not None and not isinstance(message.from_user.id, int):
            return "a sender without a numeric id"
    query = update.callback_query
    if query is not None and (query.from_user is None or not isinstance(query.from_user.id, int)):
        return "a button press without a sender"
    return ""


def build(settings: Settings, chat: ChatService, deliveries: Deliveries | None = None) -> TelegramAdapter:
    """The adapter for *settings*; nothing is contacted until start(). *deliveries* (the runtime's, shared
    by the replicas) recognises a webhook update another replica already handled."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise ConfigError("Telegram needs POLICYBOT_TELEGRAM_TOKEN (from @BotFather)")
    # The token is in every Bot API URL (…/bot<TOKEN>/getMe), which httpx logs and PTB logs at DEBUG.
    mask_secrets(token, token.partition(":")[2], settings.telegram_webhook_secret.get_secret_value())
    # PTB logs every update, and every Bot API call's parameters and result (messages and their text), at DEBUG.
    withhold("telegram.ext.Application", "Processing update")
    for name in ("telegram.Bot", "telegram.ext.ExtBot"):
        withhold(name, "with parameters", "with return value")
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_secret.get_secret_value():
        raise ConfigError("Telegram webhook mode needs POLICYBOT_TELEGRAM_WEBHOOK_SECRET (the secret_token "
                          "given to setWebhook)")
    builder = (ApplicationBuilder().token(token).base_url(settings.telegram_api_url)
               .base_file_url(file_url(settings.telegram_api_url)).concurrent_updates(CONCURRENT_UPDATES))
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)
    return TelegramAdapter(settings, chat, builder.build(), deliveries)


def bot_username(settings: Settings) -> str | None:
    """The bot's @username from getMe (for deep links), or None without a token or when unreachable."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        return None
    mask_secrets(token, token.partition(":")[2])

    async def ask() -> str:
        async with Bot(token, base_url=settings.telegram_api_url,
                       base_file_url=file_url(settings.telegram_api_url)) as bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except TelegramError as exc:
        log.warning("telegram: could not ask for the bot's name: %s", exc)
        return None
