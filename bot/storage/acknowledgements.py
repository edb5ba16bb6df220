"""The acknowledgement register: who read which version of which policy, when, and on which channel."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import StorageError
from bot.storage.question_log import utc_now
from bot.storage.tables import Acknowledgement, PolicyVersion


@dataclass(frozen=True)
class Acked:
    source: str
    title: str
    version_hash: str
    person_name: str
    acknowledged_at: datetime
    channel: str


class SqlAcknowledgements:
    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    def record(self, org: str, person_key: str, person_name: str, source: str, title: str, version_hash: str,
               version_date: str | None, clauses: Sequence[str], channel: str, session: str | None = None) -> None:
        try:
            self._record(org, person_key, person_name, source, title, version_hash, version_date, clauses, channel,
                         session)
        except SQLAlchemyError as exc:  # the walkthrough waits at the acknowledgement; they press again
            raise StorageError(f"the acknowledgement could not be recorded ({exc.__class__.__name__})") from exc

    def _record(self, org: str, person_key: str, person_name: str, source: str, title: str, version_hash: str,
                version_date: str | None, clauses: Sequence[str], channel: str, session: str | None) -> None:
        now = self.clock()
        with self.db.begin() as s:
            known = s.scalars(select(PolicyVersion.id).where(PolicyVersion.source == source,
                                                             PolicyVersion.version_hash == version_hash)).first()
            if known is None:
                s.add(PolicyVersion(source=source, version_hash=version_hash, clauses=json.dumps(list(clauses)),
                                    first_seen=now))
            s.add(Acknowledgement(org=org, person_key=person_key, person_name=person_name, source=source, title=title,
                                  version_hash=version_hash, version_date=version_date, acknowledged_at=now,
                                  channel=channel, session=session))

    def latest_for(self, org: str, person_key: str) -> dict[str, Acked]:
        """This person's most recent acknowledgement of each policy of *org*, by source."""
        try:
            with self.db() as s:
                rows = s.scalars(select(Acknowledgement).where(Acknowledgement.org == org,
                                                               Acknowledgement.person_key == person_key)
                                 .order_by(Acknowledgement.acknowledged_at)).all()
        except SQLAlchemyError as exc:
            raise StorageError(f"acknowledgements could not be read ({exc.__class__.__name__})") from exc
        return {r.source: _acked(r) for r in rows}

    def for_org(self, org: str) -> list[Acknowledgement]:
        with self.db() as s:
            return list(s.scalars(select(Acknowledgement).where(Acknowledgement.org == org)
                                  .order_by(Acknowledgement.acknowledged_at)))

    def clauses_of(self, source: str, version_hash: str) -> list[str] | None:
        with self.db() as s:
            raw = s.scalars(select(PolicyVersion.clauses).where(PolicyVersion.source == source,
                                                                PolicyVersion.version_hash == version_hash)).first()
        return json.loads(raw) if raw is not None else None


def _acked(row: Acknowledgement) -> Acked:
    return Acked(row.source, row.title, row.version_hash, row.person_name, row.acknowledged_at, row.channel)
