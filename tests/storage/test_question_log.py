"""The question log on SQLite and PostgreSQL: what is stored, pseudonyms, feedback, the spool."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from bot.core.models import Answer, Passage, Question
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.question_log import LogPolicy, SqlQuestionLog, make_record, week_of
from bot.storage.spool import Spool
from bot.storage.tables import LogEntry
from tests.conftest import logged_entries

KEY = b"k" * 32
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=timezone.utc)
PASSAGE = Passage(text="Staff must not ...", org="oak", document="Social Media Policy", section="4. Personal use",
                  source="oak/social.txt", score=0.81)


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    for engine in ENGINES:
        engine.dispose()
    ENGINES.clear()


ENGINES: list[Engine] = []


def _log(url: str, tmp_path: Path, policy: LogPolicy = LogPolicy()) -> SqlQuestionLog:
    engine = make_engine(url)
    ENGINES.append(engine)
    upgrade(engine)
    return SqlQuestionLog(sessions(engine), Spool(tmp_path / "spool.jsonl"), KEY, policies=lambda org: policy,
                          embed=lambda texts: np.ones((len(texts), 4), np.float32) / 2, clock=lambda: NOW)


def _answer(text: str, answered: bool = True, concern: str = "") -> Answer:
    return Answer(question=text, org="oak", answered=answered, passages=(PASSAGE,) if answered else (),
                  concern=concern)


def test_an_entry_keeps_what_slt_need(database_url: str, tmp_path: Path) -> None:
    log = _log(database_url, tmp_path)
    q = Question("Can Jayden Okafor's mum add me on Facebook?", "oak", channel="slack", user="slack:T1:U9")
    entry_id = log.record(q, _answer(q.text))
    [entry] = logged_entries(database_url)
    assert entry.id == entry_id and entry.org == "oak" and entry.channel == "slack" and entry.answered
    assert "Jayden" not in entry.question and "Okafor" not in entry.question and "[name]" in entry.question
    assert entry.asker != "slack:T1:U9" and entry.asker_identity is None
    assert entry.asked_at.replace(tzinfo=timezone.utc) == NOW and entry.week == week_of(NOW)
    assert [(c.rank, c.source, c.section, c.score) for c in entry.clauses] == [(0, "oak/social.txt", "4. Personal use", 0.81)]
    assert entry.top_document == "Social Media Policy" and entry.gap is None  # answered: nothing to group


def test_unanswered_and_flagged_entries(database_url: str, tmp_path: Path) -> None:
    log = _log(database_url, tmp_path)
    log.record(Question("How much annual leave do I get?", "oak"), _answer("How much annual leave do I get?", False))
    log.record(Question("a pupil told me he is hit at home", "oak"),
               _answer("a pupil told me he is hit at home", False, concern="disclosure"))
    assert [e.gap for e in logged_entries(database_url)] == [None, None]  # nothing embedded while staff wait
    assert log.fill_gap_vectors() == 2 and log.fill_gap_vectors() == 0
    leave, concern = logged_entries(database_url)
    assert not leave.answered and not leave.flagged and leave.gap is not None
    assert concern.flagged and concern.flag_reason == "disclosure"


def test_pseudonyms_are_stable_per_org_and_identity_only_on_opt_in(tmp_path: Path) -> None:
    q = Question("Who is the DSL?", "oak", user="telegram:42", user_name="Sam Teacher")
    a, b = (make_record(q, _answer(q.text), LogPolicy(), KEY, NOW) for _ in range(2))
    other_org = make_record(Question(q.text, "elm", user=q.user), _answer(q.text), LogPolicy(), KEY, NOW)
    other_key = make_record(q, _answer(q.text), LogPolicy(), b"x" * 32, NOW)
    assert a.asker == b.asker and a.asker != other_org.asker and a.asker != other_key.asker
    assert "42" not in a.asker and a.asker_identity is None and a.id != b.id
    opted_in = make_record(q, _answer(q.text), LogPolicy(log_identities=True), KEY, NOW)
    assert opted_in.asker_identity == "Sam Teacher (telegram:42)"


def test_feedback_is_kept_replaced_and_refused_across_organisations(database_url: str, tmp_path: Path) -> None:
    log = _log(database_url, tmp_path)
    entry_id = log.record(Question("Who is the DSL?", "oak"), _answer("Who is the DSL?"))
    assert entry_id
    log.feedback(entry_id, False, "It didn't say what Mrs Patel's number is: 07700 900123", "oak")
    [entry] = logged_entries(database_url)
    assert entry.feedback is not None and entry.feedback.helpful is False
    assert "07700" not in (entry.feedback.comment or "") and "[phone]" in (entry.feedback.comment or "")
    log.feedback(entry_id, True, None, "oak")  # changed their mind: one feedback row, the latest
    log.feedback(entry_id, False, "from another school", "elm")  # not their entry: ignored
    [entry] = logged_entries(database_url)
    assert entry.feedback is not None and entry.feedback.helpful is True and entry.feedback.comment is None


def test_unreachable_database_spools_then_writes_once(tmp_path: Path) -> None:
    dead_engine = make_engine("postgresql://postgres@127.0.0.1:1/none")
    ENGINES.append(dead_engine)
    dead = SqlQuestionLog(sessions(dead_engine),
                          Spool(tmp_path / "spool.jsonl"), KEY, policies=lambda org: LogPolicy(), clock=lambda: NOW)
    ids = [dead.record(Question(f"Question number {n}?", "oak"), _answer(f"Question number {n}?")) for n in range(3)]
    assert all(ids) and dead.spool.pending() == 3
    dead.feedback(ids[0], False, "not clear", "oak")
    assert dead.spool.pending() == 4
    url = f"sqlite:///{tmp_path}/log.db"
    alive = _log(url, tmp_path)  # the same spool file, a database that works
    # A crash after the commit but before the spool was emptied: the same items are written again.
    alive._write([json.loads(line) for line in (tmp_path / "spool.jsonl").read_text().splitlines()])
    assert alive.flush() == 4 and alive.spool.pending() == 0
    entries = logged_entries(url)
    assert sorted(e.id for e in entries) == sorted(ids)  # each entry once
    assert [e.feedback.helpful for e in entries if e.feedback] == [False]


def test_a_torn_spool_line_is_set_aside_not_lost(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append({"kind": "entry", "id": "a"})
    with open(spool.path, "a") as fh:
        fh.write('{"kind": "entry", "id": "b", "que')  # the process died mid-line
    got: list[dict[str, object]] = []
    assert spool.drain(got.extend) == 1 and got == [{"kind": "entry", "id": "a"}]
    assert '"id": "b"' in spool.path.with_suffix(".bad").read_text()


def test_a_failed_write_keeps_the_spool(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append({"kind": "entry", "id": "a"})

    def fail(_items: list[dict[str, object]]) -> None:
        raise RuntimeError("database went away mid-write")

    with pytest.raises(RuntimeError):
        spool.drain(fail)
    assert spool.pending() == 1


def test_writes_count(database_url: str, tmp_path: Path) -> None:
    log = _log(database_url, tmp_path)
    for n in range(20):
        log.record(Question(f"Is question {n} covered?", "oak"), _answer(f"Is question {n} covered?"))
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LogEntry)) == 20
    engine.dispose()


def test_the_first_writes_arriving_together_are_all_kept(tmp_path: Path) -> None:
    """Adapters answer in worker threads: right after start, several first writes race to migrate."""
    from concurrent.futures import ThreadPoolExecutor

    url = f"sqlite:///{tmp_path}/log.db"
    engine = make_engine(url)
    ENGINES.append(engine)
    log = SqlQuestionLog(sessions(engine), Spool(tmp_path / "spool.jsonl"), KEY, policies=lambda org: LogPolicy(),
                         clock=lambda: NOW, prepare=lambda: upgrade(engine))
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda n: log.record(Question(f"Question {n}?", "oak"), _answer(f"Question {n}?")),
                            range(16)))
    assert all(ids) and log.spool.pending() == 0 and len(logged_entries(url)) == 16
