from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from bot.core.models import Answer, Passage, Question
from bot.storage import retention
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.question_log import LogPolicy, SqlQuestionLog
from bot.storage.spool import Spool
from bot.storage.tables import Deletion, Feedback, LogEntry, ReturnedClause

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
PASSAGE = Passage(text="t", org="oak", document="D", section="S", source="oak/d.txt", score=0.5)


def _ask(db: object, spool: Path, org: str, days_ago: int) -> str:
    when = NOW - timedelta(days=days_ago)
    log = SqlQuestionLog(db, Spool(spool), b"k" * 16, lambda o: LogPolicy(),  # type: ignore[arg-type]
                         embed=lambda t: np.zeros((len(t), 2), np.float32), clock=lambda: when)
    q = Question(f"asked {days_ago} days ago?", org)
    entry_id = log.record(q, Answer(question=q.text, org=org, answered=True, passages=(PASSAGE,)))
    assert entry_id
    log.feedback(entry_id, False, "meh", org)
    return entry_id


def test_expired_entries_go_with_their_clauses_and_feedback_and_the_deletion_is_logged(
        database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    db = sessions(engine)
    spool = tmp_path / "spool.jsonl"
    keep = [_ask(db, spool, "oak", 10), _ask(db, spool, "oak", 364), _ask(db, spool, "elm", 20)]
    for days in (366, 500):
        _ask(db, spool, "oak", days)
    _ask(db, spool, "elm", 31)  # elm keeps 30 days
    _ask(db, spool, "gone", 400)  # an organisation no longer in the corpus: the default year

    deleted = retention.purge(db, {"oak": 365, "elm": 30}, NOW)

    assert deleted == {"oak": 2, "elm": 1, "gone": 1}
    with db() as s:
        assert sorted(s.scalars(select(LogEntry.id))) == sorted(keep)
        assert s.scalar(select(func.count()).select_from(ReturnedClause)) == 3
        assert s.scalar(select(func.count()).select_from(Feedback)) == 3
        logged = {d.org: (d.entries, d.reason) for d in s.scalars(select(Deletion))}
    assert logged == {"oak": (2, "retention"), "elm": (1, "retention"), "gone": (1, "retention")}
    assert retention.purge(db, {"oak": 365, "elm": 30}, NOW) == {}  # nothing more to do: nothing logged
    engine.dispose()
