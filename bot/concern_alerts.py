"""Closing the loop with the DSL: when a question is flagged as a live concern, the DSL and deputies are
told at once (bot.alerts: a direct message on Slack, Teams or Telegram, e-mail), from a worker thread so the
member of staff never waits and an unreachable platform delays no answer; a concern nobody has marked
seen is raised again every `concern_realert_minutes` (a server chore, bot.server).

Who is told: the org file's contacts whose role is the DSL or a deputy (their Slack/Teams/Telegram handles
and e-mail), and the SLT members marked `dsl: true` (their e-mail). Nobody else.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bot.alerts import TENANT_HANDLE, Alert, Dispatcher, Recipient
from bot.core.models import Answer, Question
from bot.reading.documents import Organisation
from bot.storage.concerns import ConcernRow, SqlConcerns
from bot.storage.question_log import raiser_of

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DSL_ROLES = frozenset({"dsl", "deputy_dsl"})


def recipients(org: Organisation) -> list[Recipient]:
    """The DSL and deputies of *org*, each once, with every address the org file gives them."""
    found: dict[str, Recipient] = {}
    # A Teams id is only reachable within its tenant: the school's mapped tenant goes with it.
    tenant = tuple((TENANT_HANDLE, value) for kind, value in org.platform_ids if kind == "teams_tenants")[:1]
    for person in org.people:
        if person.role_key in DSL_ROLES:
            email = person.how if person.how and _EMAIL.match(person.how) else None
            name = person.name or person.role
            found[name.lower()] = Recipient(name=name, email=email, handles=person.handles + tenant)
    for member in org.slt:
        if member.dsl:
            known = found.get(member.name.lower())
            if known is None:
                found[member.name.lower()] = Recipient(name=member.name, email=member.email)
            elif not known.email:
                found[member.name.lower()] = Recipient(known.name, member.email, known.handles)
    return list(found.values())


class ConcernAlerts:
    def __init__(self, orgs: Callable[[], dict[str, Organisation]], dispatcher: Dispatcher, store: SqlConcerns,
                 public_url: str = "", realert_minutes: int = 30,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.orgs = orgs
        self.dispatcher = dispatcher
        self.store = store
        self.public_url = public_url.rstrip("/")
        self.realert_minutes = realert_minutes
        self.clock = clock or store.clock
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="concern-alert")
        self._lock = threading.Lock()

    def raised(self, question: Question, answer: Answer, log_id: str) -> None:
        """A question was flagged and logged as *log_id*: tell the DSL and deputies now (in the background)."""
        alert = Alert(org_name=self._name(question.org), concern_id=log_id, raised_at=self.clock(),
                      channel=question.channel, raiser=raiser_of(question), about=answer.concern_about or "child",
                      reason=answer.concern, link=self._link(log_id))
        self._pool.submit(self._send, question.org, alert, False)

    def remind_due(self) -> int:
        """Raise again every concern not marked seen since its last alert; returns how many (a chore)."""
        due = self.store.due_for_reminder(self.realert_minutes)
        for row in due:
            self._send(row.org, self._alert_for(row), True)
        return len(due)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _send(self, org: str, alert: Alert, reminder: bool) -> None:
        organisation = self.orgs().get(org)
        to = recipients(organisation) if organisation is not None else []
        delivered = self.dispatcher.send(alert, to) if to else []
        if not delivered:
            log.warning("safeguarding concern %s of %s: no DSL or deputy could be told (%d named); it waits on "
                        "the dashboard", alert.concern_id, org, len(to))
        try:
            if reminder or delivered:
                self.store.alerted(alert.concern_id)
        except Exception as exc:  # the database may be down: the reminder chore tries again
            log.warning("safeguarding concern %s: could not record the alert (%s)", alert.concern_id,
                        exc.__class__.__name__)

    def _alert_for(self, row: ConcernRow) -> Alert:
        return Alert(org_name=self._name(row.org), concern_id=row.id, raised_at=row.raised_at, channel=row.channel,
                     raiser=row.raiser, about=row.about, reason=row.reason, link=self._link(row.id),
                     repeat=row.alerts_sent)

    def _name(self, org: str) -> str:
        organisation = self.orgs().get(org)
        return organisation.name if organisation is not None else org

    def _link(self, concern_id: str) -> str:
        return f"{self.public_url}/slt/concerns/{concern_id}" if self.public_url else ""
