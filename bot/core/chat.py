"""The conversation layer every adapter calls: who is asking (which organisation, if any), help and
welcome, rate limiting, and turning errors into polite replies. Adapters only translate a platform
message into `ChatService.handle(sender, text)` and the `Reply` into the platform's native form.

    adapter ─▶ Sender + text ─▶ ChatService.handle ─▶ Reply(kind, text, answer) ─▶ adapter renders
                                   │ Access.org_for(sender)      (unknown → refused, no policy text)
                                   │ RateLimiter.allow(sender)   (too fast → friendly wait message)
                                   └ AnswerService.answer(...)   (every question logged)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.core.chat_state import MemoryNudges, Nudges
from bot.core.induction import Induction, InductionStep
from bot.core.models import Answer, Question
from bot.core.ratelimit import RateLimiter
from bot.core.service import AnswerService
from bot.errors import PolicybotError, QuestionError, StorageError

if TYPE_CHECKING:
    from bot.core.identities import Identities

log = logging.getLogger(__name__)

ReplyKind = Literal["answer", "help", "welcome", "refused", "error", "rate_limited", "feedback", "joined",
                    "induction"]


@dataclass(frozen=True)
class Sender:
    """Who sent a message, as the platform identifies them."""

    platform: str  # "slack", "teams", "telegram", "web"
    user_id: str  # the platform's user id
    workspace: str = ""  # Slack team id, Teams tenant id, Telegram chat id; "" for the web chat
    display_name: str = ""
    org_hint: str = ""  # web chat: the organisation signed in to, or picked on the page (development only)
    email: str = ""  # as the platform or the sign-in gives it ("" when unknown): matched to the staff directory

    @property
    def key(self) -> str:
        """One string per person per platform: rate limits, pseudonyms, first contact, join codes.
        A Slack user id is only unique within its workspace; a Telegram user id is global and the chat
        (private or a group) is not part of who they are."""
        scope = "" if self.platform == "telegram" else self.workspace
        return f"{self.platform}:{scope}:{self.user_id}"


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    text: str  # plain text: the whole reply for everything but answers, the fallback for answers
    answer: Answer | None = None
    welcome: str = ""  # shown before the reply on someone's first contact
    org: str = ""  # the organisation the sender belongs to ("" if refused)
    step: InductionStep | None = None  # an induction step to show (after the answer, if there is one)
    notice: str = ""  # e.g. a policy they acknowledged has changed: shown before the reply



class Access(Protocol):
    def org_for(self, sender: Sender) -> str | None:
        """The organisation this sender belongs to, or None: not mapped, not allowed."""
        ...

    def first_contact(self, sender: Sender, org: str) -> bool:
        """Record that *sender* (of *org*) was seen; True the first time."""
        ...

    def redeem(self, sender: Sender, code: str) -> str | None:
        """Bind *sender* to the organisation of a one-time join code; the org slug, or None if the code
        is unknown, used or expired."""
        ...


HELP = ("Ask me about your school's policies in your own words, for example \"can I accept a friend "
        "request from an ex-pupil?\" or \"who do I tell about a message from a pupil on Instagram?\". "
        "I quote the policy itself, with the document and section, and tell you who to contact. "
        "If the policies don't answer, I say so and pass the question to the senior leadership team. "
        "If you are worried about a child, speak to your Designated Safeguarding Lead today — don't wait "
        "for me.")
SORRY = ("Sorry, something went wrong on my side and I couldn't answer. Please try again in a minute; if "
         "it keeps happening, tell your IT lead.")
UNRECORDED = ("Sorry, I can't record your induction just now. Please try again in a few minutes: you'll carry on "
              "from where you were.")
REFUSED = ("Sorry, I can only answer staff of schools that use policybot, and I don't recognise this "
           "account or workspace. If you are a member of staff, ask your school's senior leadership team "
           "for access.")


class ChatService:
    def __init__(self, answers: Callable[[], AnswerService], access: Access, limiter: RateLimiter,
                 induction: Induction | None = None, nudges: Nudges | None = None,
                 identities: Identities | None = None) -> None:
        self.answers = answers  # a callable: the server swaps in a fresh service after reindexing
        self.access = access
        self.limiter = limiter
        self.induction = induction
        # Reminders SLT asked for (from the register) and notices already shown: in the database when the
        # server builds it (bot.storage.chat_state), so every server shows each once.
        self.nudges: Nudges = nudges if nudges is not None else MemoryNudges()
        self.identities = identities  # matches chat accounts to the staff directory, in the background

    def handle(self, sender: Sender, text: str) -> Reply:
        """One message in, one reply out; never raises for anything a user can type."""
        command = text.strip().lower()
        if command in ("/help", "help", "/start", "?"):
            return Reply("help", HELP)
        org = self.access.org_for(sender)
        if org is None:
            log.info("refused a message from an unmapped %s sender%s", sender.platform,  # a workspace is no person
                     f" (workspace {sender.workspace})" if sender.platform in ("slack", "teams") else "")
            return Reply("refused", REFUSED)
        if self.identities is not None:
            self.identities.noticed(sender)  # a sign-in e-mail: matched in the background
            if command == "/link" or command.startswith("/link "):
                return Reply("help", self.identities.link(sender, org, text.strip()[5:]), org=org)
        welcome = self._welcome(sender, org)
        if command.startswith("/induction") and self.induction is not None:
            return self._induction_command(sender, org, command, welcome)
        wait = self.limiter.wait_seconds(sender.key)
        if wait > 0:
            return Reply("rate_limited", f"You're asking faster than I can keep up — please try again in "
                                         f"{max(1, round(wait))} seconds.", org=org)
        context, step = self._context(sender)
        try:
            answer = self.answers().answer(Question(text=text, org=org, channel=sender.platform, user=sender.key,
                                                    user_name=sender.display_name, context=context))
        except QuestionError as exc:
            return Reply("error", str(exc), welcome=welcome, org=org)
        except PolicybotError:
            log.exception("could not answer a %s question for %s", sender.platform, org)
            return Reply("error", SORRY, org=org)
        return Reply("answer", plain_text(answer), answer=answer, welcome=welcome, org=org,
                     step=step() if step else None, notice=self._notice(sender, org))

    def induction_action(self, sender: Sender, action: str, token: str = "") -> Reply:
        """A button pressed during induction (Next, Back, True/False, I have a question, acknowledge); with
        the *token* of the step it was on, where the platform carries it, a press of an older step's button
        changes nothing (bot.core.induction.MOVED_ON)."""
        org = self.access.org_for(sender)
        if org is None or self.induction is None:
            return Reply("refused", REFUSED)
        name = self._person_name(sender, org)
        try:
            step = self.induction.act(sender.key, action, name, sender.platform, token)
        except StorageError as exc:  # the database is down: the walkthrough waits where it was
            log.warning("induction: a %s press could not be recorded (%s)", sender.platform, exc)
            return Reply("error", UNRECORDED, org=org)
        return Reply("induction", step_text(step), step=step, org=org)

    def _induction_command(self, sender: Sender, org: str, command: str, welcome: str) -> Reply:
        assert self.induction is not None
        room = f"{sender.platform}:{sender.workspace}"
        if command.endswith(" end"):
            ended = self.induction.end_session(room)
            return Reply("induction", "Group induction session ended." if ended else "No session was running here.",
                         org=org)
        session = self.induction.start_session(room) if command.endswith(" session") else \
            self.induction.session_of(room)
        try:
            step = self.induction.start(sender.key, org, session)
        except StorageError as exc:  # what they have acknowledged cannot be read now
            log.warning("induction: could not start for a %s sender (%s)", sender.platform, exc)
            return Reply("error", UNRECORDED, welcome=welcome, org=org)
        lead = "Group induction session started: questions asked here are tagged for SLT. " \
            if command.endswith(" session") else ""
        return Reply("induction", lead + step_text(step), step=step, welcome=welcome, org=org)

    def _context(self, sender: Sender) -> tuple[str, Callable[[], InductionStep | None] | None]:
        """How to tag the question in the log, and the induction step to show after the answer."""
        if self.induction is None:
            return "", None
        if self.induction.asking(sender.key):
            return "induction", lambda: self.induction.current(sender.key) if self.induction else None
        session = self.induction.session_of(f"{sender.platform}:{sender.workspace}")
        return (f"session:{session}" if session else ""), None

    def remind(self, people: list[str]) -> None:
        """Ask these people (chat identities) to complete their induction, the next time they write."""
        self.nudges.remind(people)

    def _notice(self, sender: Sender, org: str) -> str:
        """A reminder or "a policy you acknowledged has changed": an extra, so when it cannot be worked out
        (the database is down) the answer goes out without it."""
        try:
            return self._notice_or_fail(sender, org)
        except Exception as exc:
            log.warning("no policy-change notice for a %s sender (%s)", sender.platform, exc.__class__.__name__)
            return ""

    def _notice_or_fail(self, sender: Sender, org: str) -> str:
        if self.induction is None:
            return ""
        if self.nudges.take_reminder(sender.key):
            return ("Your senior leadership team asks you to complete your induction: type /induction to read "
                    "and acknowledge the school's key policies.")
        notice = self.induction.changed_since_ack(sender.key, org)
        if not notice or not self.nudges.first_showing(sender.key, notice):
            return ""
        return notice

    def _person_name(self, sender: Sender, org: str) -> str:
        """The name for the register: the org file's staff list, else the platform's display name."""
        for member in self.answers().orgs[org].staff:
            if (sender.platform, sender.user_id) in member.handles:
                return member.name
        return sender.display_name or sender.key

    def feedback(self, sender: Sender, log_id: str, helpful: bool, comment: str | None = None) -> Reply:
        org = self.access.org_for(sender)
        if org is None:
            return Reply("refused", REFUSED)
        if not self.answers().feedback(log_id, helpful, org, comment):
            return Reply("error", "Sorry, I couldn't record that feedback (the answer may be too old).", org=org)
        thanks = "Thanks — glad it helped." if helpful else \
            "Thanks for telling us. The senior leadership team reviews answers marked not helpful."
        return Reply("feedback", thanks, org=org)

    def join(self, sender: Sender, code: str) -> Reply:
        org = self.access.redeem(sender, code.strip())
        if org is None:
            return Reply("refused", "That join code isn't valid (codes work once and expire). Ask your "
                                    "school's senior leadership team for a new one.")
        return Reply("joined", "You're in. " + HELP, welcome=self._welcome(sender, org), org=org)

    def _welcome(self, sender: Sender, org: str) -> str:
        if not self.access.first_contact(sender, org):
            return ""
        name = self.answers().orgs[org].name
        return f"Welcome to policybot for {name}. " + HELP


def step_text(step: InductionStep) -> str:
    """An induction step as plain text (fallback, and the whole message where buttons are text)."""
    parts = [step.title, step.text]
    if step.passage is not None:
        p = step.passage
        parts.append(f"“{p.text}” — {p.document}" + (f" › {p.section}" if p.section else ""))
    if step.contact is not None:
        from bot.core.compose import describe

        parts.append("Who to contact: " + describe(step.contact))
    return "\n".join(parts)


def plain_text(answer: Answer) -> str:
    """The whole answer as plain text: the fallback every platform needs (notifications, screen readers)."""
    parts = [answer.urgent] if answer.urgent else []
    parts.append(answer.message)
    for n, p in enumerate(answer.passages, 1):
        where = p.document + (f" › {p.section}" if p.section else "")
        parts.append(f"{n}. “{p.text}” — {where}" + (f" ({p.approved})" if p.approved else ""))
    if answer.contacts:
        from bot.core.compose import describe

        parts.append("Who to contact: " + "; ".join(describe(c) for c in answer.contacts))
    parts.extend(f"⚠ {w}" for w in answer.warnings)
    return "\n".join(parts)
