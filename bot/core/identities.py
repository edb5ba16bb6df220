"""Who is who on the chat platforms: a chat identity ("slack:T1:U2") matched to a member of the school's
staff directory by the e-mail the platform gives (Slack users.info, Teams member info, the web chat's
sign-in), by a handle the org file lists, or, where the platform has no e-mail (Telegram), by a one-time
code e-mailed to the directory address and typed back from the account (`/link`).

Matching runs off the message path: an adapter answers first and asks `learn` afterwards, in the
background; what was learnt is cached, so the platform is asked again only after `recheck` (or `retry`
after a failure). A failed lookup or an unreachable database is logged and never reaches the person asking.
The question log is not told any of this: it stays pseudonymous.
"""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any, Protocol

from bot.core.chat import Sender
from bot.errors import PolicybotError
from bot.reading.documents import Organisation, StaffMember

log = logging.getLogger(__name__)

EmailLookup = Callable[[], Awaitable[str | None]]  # the platform's e-mail for one sender (None: none given)
SendCode = Callable[[str, str, str], None]  # (address, code, organisation name): e-mails the code
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_INTERVAL = timedelta(minutes=2)  # one code e-mail per account at most this often (no mail-bombing staff)
_CODE = re.compile(r"^[A-Za-z0-9]{8}$")


class Directory(Protocol):
    """What matching needs of the staff directory (bot.storage.staff.SqlStaff)."""

    def record_lookup(self, org: str, person_key: str, platform: str, email: str | None,
                      named: StaffMember | None = None) -> Any: ...

    def issue_code(self, org: str, person_key: str, email: str, days: int = 1) -> tuple[str, Any] | None: ...

    def confirm_code(self, org: str, person_key: str, platform: str, code: str) -> Any: ...

    def checked_at(self, org: str, person_key: str) -> datetime | None: ...


LINK_HELP = ("To show your name in the school's induction register, send /link followed by your school e-mail "
             "address, e.g. /link j.smith@school.org. I'll e-mail you a code; send /link and the code here.")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Identities:
    def __init__(self, directory: Directory, orgs: Callable[[], Mapping[str, Organisation]],
                 org_for: Callable[[Sender], str | None], send_code: SendCode | None = None,
                 recheck: timedelta = timedelta(days=1), retry: timedelta = timedelta(minutes=10),
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.directory = directory
        self.orgs = orgs
        self.org_for = org_for
        self.send_code = send_code
        self.recheck = recheck
        self.retry = retry
        self.clock = clock
        self._next: dict[str, datetime] = {}  # identity -> when it may be looked up again (this process)
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._mailed: dict[str, datetime] = {}  # identity -> when a link code was last e-mailed for it
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="identities")

    def noticed(self, sender: Sender) -> None:
        """From the message path: a sender whose e-mail came with the message (the web chat's sign-in) is
        matched on a worker thread; the message goes on at once."""
        if getattr(sender, "email", "") and self.wants(sender):
            try:
                self._pool.submit(self.record, sender, sender.email)
            except RuntimeError:  # shutting down: matched next time
                pass

    async def drain(self, timeout: float = 5.0) -> None:
        """Let this loop's lookups finish (an adapter stopping, before it closes its HTTP clients); any
        still running after *timeout* seconds are cancelled: they are retried after a restart."""
        pending = [t for t in self._tasks if t.get_loop() is asyncio.get_running_loop()]
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wants(self, sender: Sender) -> bool:
        """Whether *sender* is due a lookup; marks them as in hand so that their next messages do not ask
        again meanwhile. In memory only: the message path never waits for the database."""
        now = self.clock()
        with self._lock:
            if self._next.get(sender.key, now) > now:
                return False
            self._next[sender.key] = now + self.retry
            return True

    def spawn(self, sender: Sender, lookup: EmailLookup | None = None) -> None:
        """From an adapter's event loop, after answering: learn *sender*'s e-mail in the background."""
        if not self.wants(sender):
            return
        task = asyncio.get_running_loop().create_task(self.learn(sender, lookup))
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    async def learn(self, sender: Sender, lookup: EmailLookup | None = None) -> None:
        """Ask the platform (through *lookup*; else the sender's own sign-in e-mail) and record the match.
        Never raises: a lookup that fails is retried after `retry`."""
        try:
            if not await asyncio.to_thread(self._due, sender):
                return
            email = await lookup() if lookup is not None else (getattr(sender, "email", "") or None)
        except Exception as exc:  # any platform failure (network, scope missing, rate limit) is only logged
            log.warning("identities: %s e-mail lookup failed (%s); retried later", sender.platform,
                        exc.__class__.__name__)
            return
        await asyncio.to_thread(self.record, sender, email)

    def _due(self, sender: Sender) -> bool:
        """Whether to ask the platform: not for a sender no organisation owns (refused), nor for one looked
        up within `recheck` (by this process or another, or before a restart: the directory says when)."""
        try:
            org = self.org_for(sender)
            last = self.directory.checked_at(org, sender.key) if org is not None else None
        except PolicybotError as exc:
            log.warning("identities: not looked up now (%s)", exc.__class__.__name__)
            return False
        if org is None:
            return False
        if last is not None and self.clock() - last < self.recheck:
            with self._lock:
                self._next[sender.key] = last + self.recheck
            return False
        return True

    def record(self, sender: Sender, email: str | None) -> Any:
        """Store what was learnt; the member matched, or None (also when it cannot be stored now)."""
        try:
            org = self.org_for(sender)
            if org is None:
                return None
            named = self._named(org, sender)
            member = self.directory.record_lookup(org, sender.key, sender.platform, email, named)
        except PolicybotError as exc:  # the database is down: try again later
            log.warning("identities: match not stored (%s)", exc.__class__.__name__)
            return None
        with self._lock:
            self._next[sender.key] = self.clock() + self.recheck
        return member

    def _named(self, org: str, sender: Sender) -> StaffMember | None:
        organisation = self.orgs().get(org)
        staff: Sequence[StaffMember] = organisation.staff if organisation is not None else ()
        return next((m for m in staff if (sender.platform, sender.user_id) in m.handles), None)

    def link(self, sender: Sender, org: str, argument: str) -> str:
        """`/link <school e-mail>` sends a code to that address if it is in the directory; `/link <code>`
        from the same account links it. The reply never says whether an address is in the directory."""
        argument = argument.strip()
        try:
            if _EMAIL.match(argument):
                return self._send(sender, org, argument)
            if _CODE.match(argument):
                member = self.directory.confirm_code(org, sender.key, sender.platform, argument)
                if member is None:
                    return "That code isn't valid (codes work once, for a day, from the account that asked)."
                with self._lock:
                    self._next[sender.key] = self.clock() + self.recheck
                return f"Thanks, {member.name}: this account is now linked to your name in the school's register."
        except PolicybotError as exc:
            log.warning("identities: /link not handled (%s)", exc.__class__.__name__)
            return "Sorry, I can't do that just now. Please try again in a few minutes."
        return LINK_HELP

    def _send(self, sender: Sender, org: str, address: str) -> str:
        sent = "If that address is in your school's staff directory, a code is on its way to it: send /link " \
               "and the code here."
        if self.send_code is None:
            return "Linking by e-mail is not set up for your school; ask your senior leadership team."
        now = self.clock()
        with self._lock:
            if self._mailed.get(sender.key, now - CODE_INTERVAL) > now - CODE_INTERVAL:
                return "I sent a code a moment ago: check your e-mail (and its junk folder), then send /link and the code."
            self._mailed[sender.key] = now
        issued = self.directory.issue_code(org, sender.key, address)
        if issued is not None:
            code, _member = issued
            organisation = self.orgs().get(org)
            try:
                self.send_code(address.strip().lower(), code, organisation.name if organisation else org)
            except Exception as exc:  # SMTP down: say so, rather than leave them waiting for a mail
                log.warning("identities: link code not e-mailed (%s)", exc.__class__.__name__)
                return "Sorry, I couldn't send the e-mail just now. Please try again later."
        return sent


def code_email(address: str, code: str, org_name: str) -> tuple[str, str]:
    """The subject and body of a link-code e-mail."""
    return (f"policybot: your code for {org_name}",
            f"Someone asked policybot to link a chat account to {address}, so that your name shows in "
            f"{org_name}'s induction register.\n\nIf it was you, send this to the bot from that account:\n\n"
            f"    /link {code}\n\nThe code works once, for a day. If it wasn't you, ignore this e-mail: "
            f"nothing is linked without the code.\n")


def smtp_code_sender(settings: Any) -> SendCode | None:
    """Link codes sent through the school's SMTP server (the alerts' settings); None when none is set."""
    if not settings.smtp_host:
        return None
    sender_address = settings.smtp_from or settings.smtp_user

    def send(address: str, code: str, org_name: str) -> None:
        subject, body = code_email(address, code, org_name)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender_address, address, subject
        message.set_content(body)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    return send
