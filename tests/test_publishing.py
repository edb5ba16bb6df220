"""Index versions: built into a version folder, published (a row and the pointer), followed by a running
server without a restart, old ones pruned; SLT answers indexed from the database, an old
slt-answers.yaml imported once. On SQLite (the single-server default)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

from bot import publishing, wiring
from bot.core.models import Question
from bot.reading import slt_answers
from bot.storage import slt_store
from bot.storage.tables import IndexVersion, SltAnswer
from tests.conftest import CORPUS, RUNTIME_NOW, built_runtime, settings_for
from tests.doubles.hash_embedder import HashEmbedder

LOCKERS = """Locker Policy

1. Staff lockers
Staff lockers in the east corridor are emptied for cleaning on the last Friday of every half term.
"""


def _settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        shutil.copytree(CORPUS, corpus)
    return settings_for(corpus, tmp_path / "index", tmp_path / "var")


def _rows(settings) -> int:  # type: ignore[no-untyped-def]
    db = wiring.open_database(settings)
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(IndexVersion)) or 0)


def test_publishing_builds_a_version_folder_records_it_and_points_to_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = wiring.build_index(settings, HashEmbedder())
    assert first.new and first.report.clauses > 0
    assert (settings.index_dir / publishing.VERSIONS / first.version / "manifest.json").is_file()
    assert publishing.pointer(settings.index_dir) == first.version
    db = wiring.open_database(settings)
    assert publishing.latest(db) == first.version
    with db() as session:
        row = session.scalars(select(IndexVersion)).one()
    assert row.clauses == first.report.clauses and row.built_by
    again = wiring.build_index(settings, HashEmbedder())  # nothing changed: nothing new published
    assert not again.new and again.version == first.version and _rows(settings) == 1


def test_only_the_newest_two_versions_are_kept(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    published = []
    for n in range(4):
        (settings.corpus_dir / "stone-bay-school" / f"locker-policy-{n}.txt").write_text(
            LOCKERS.replace("Friday", f"Friday ({n})"), "utf-8")
        published.append(wiring.build_index(settings, HashEmbedder()).version)
    assert len(set(published)) == 4
    assert publishing.versions_on_disk(settings.index_dir) == sorted(published[-2:])
    index = publishing.load(settings, HashEmbedder(), wiring.open_database(settings), published[-1]).index
    assert any("Friday (3)" in c.text for c in index.clauses)


def test_a_running_server_picks_up_an_index_built_by_a_separate_index_run(tmp_path: Path) -> None:
    with built_runtime(tmp_path) as runtime:
        started_on = runtime.index_version
        assert started_on and not runtime.follow_index()  # nothing new: nothing swapped
        question = Question("When are the staff lockers emptied for cleaning?", "stone-bay-school")
        assert not any("east corridor" in p.text for p in runtime.service.answer(question).passages)
        (runtime.settings.corpus_dir / "stone-bay-school" / "locker-policy.txt").write_text(LOCKERS, "utf-8")
        # `policybot index` is a separate run: its own settings, database connections and embedder
        separate = wiring.build_index(runtime.settings.model_copy(), HashEmbedder())
        assert separate.new and runtime.index_version == started_on
        assert runtime.follow_index()  # the server's poll
        assert runtime.index_version == separate.version
        assert runtime.service.answer(question).passages[0].text.startswith("Staff lockers in the east corridor")


def test_an_slt_answer_is_indexed_from_the_database(tmp_path: Path) -> None:
    with built_runtime(tmp_path) as runtime:
        with runtime.db.begin() as session:
            session.add(SltAnswer(id="a1", org="stone-bay-school", question="Can I wear jeans on INSET days?",
                                  answer="Yes: smart jeans are fine on INSET days.", approved_by="Jane Hatwell",
                                  approved_at=RUNTIME_NOW))
        runtime.reindex()
        answer = runtime.service.answer(Question("jeans on a training day?", "stone-bay-school"))
        assert answer.passages[0].text == "Yes: smart jeans are fine on INSET days."
        assert answer.passages[0].approved == "SLT answer, approved by Jane Hatwell on 21 November 2026"
        assert not (runtime.settings.corpus_dir / "stone-bay-school" / slt_answers.FILE).exists()


def test_an_old_slt_answers_file_is_imported_once_and_nothing_in_it_is_lost(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    folder = settings.corpus_dir / "stone-bay-school"
    old = slt_answers.SltAnswerEntry(id="old1", question="Is the staff room fridge cleared on Fridays?",
                                     answer="Yes, at 4pm every Friday: label what you want kept.",
                                     approved_by="Jane Hatwell", approved_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
    slt_answers.append(folder, old)
    wiring.build_index(settings, HashEmbedder())
    assert not (folder / slt_answers.FILE).exists() and (folder / (slt_answers.FILE + slt_store.IMPORTED)).is_file()
    db = wiring.open_database(settings)
    [kept] = slt_store.by_org(db)["stone-bay-school"]
    assert (kept.id, kept.answer, kept.approved_by) == (old.id, old.answer, old.approved_by)
    slt_answers.append(folder, old)  # the same file put back (a restored backup): imported again, not twice
    loaded = publishing.current(settings, HashEmbedder(), db)
    assert len(slt_store.by_org(db)["stone-bay-school"]) == 1
    assert sum(c.kind == "slt-answer" for c in loaded.index.clauses) == 1


def test_an_unreadable_slt_answers_file_is_left_alone_and_reported(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path)
    broken = settings.corpus_dir / "stone-bay-school" / slt_answers.FILE
    broken.write_text("answers: [ {id: x", "utf-8")
    wiring.build_index(settings, HashEmbedder())
    assert broken.read_text("utf-8") == "answers: [ {id: x"  # never overwritten nor renamed
    assert "not imported" in caplog.text


def test_a_damaged_version_is_built_again_not_a_failed_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = wiring.build_index(settings, HashEmbedder())
    (settings.index_dir / publishing.VERSIONS / first.version / "clauses.jsonl").write_text("{not json\n", "utf-8")
    loaded = publishing.current(settings, HashEmbedder(), wiring.open_database(settings))
    assert loaded.version != first.version and loaded.index.clauses


def test_a_withdrawn_slt_answer_is_quoted_no_more_and_its_questions_are_open_again(tmp_path: Path) -> None:
    from bot.admin.gaps import answer_gap
    from bot.storage.tables import LogEntry

    with built_runtime(tmp_path) as runtime:
        question = "Can I wear jeans on the staff training day?"
        gap = runtime.service.answer(Question(question, "stone-bay-school", channel="web"))
        assert gap.log_id
        saved = answer_gap(runtime.db, "stone-bay-school", [gap.log_id], question,
                           "Yes: smart jeans are fine on INSET days.", "Jane Hatwell", RUNTIME_NOW)
        runtime.reindex()
        asked = Question("jeans on a training day?", "stone-bay-school")
        assert runtime.service.answer(asked).passages[0].text == "Yes: smart jeans are fine on INSET days."
        assert not slt_store.withdraw(runtime.db, "next-steps-ed", saved)  # another school's: refused
        assert slt_store.withdraw(runtime.db, "stone-bay-school", saved)
        runtime.reindex()
        assert all(p.text != "Yes: smart jeans are fine on INSET days." for p in runtime.service.answer(asked).passages)
        with runtime.db() as session:
            assert session.get(LogEntry, gap.log_id).resolved_by is None  # type: ignore[union-attr]


def test_a_new_school_indexed_while_the_server_runs_is_answered_and_logged_by_its_own_org_file(
        tmp_path: Path) -> None:
    from tests.conftest import logged_entries

    with built_runtime(tmp_path) as runtime:
        folder = runtime.settings.corpus_dir / "harbour-primary"
        folder.mkdir()
        (folder / "org.yaml").write_text("name: Harbour Primary\nlog_identities: true\n", "utf-8")
        (folder / "locker-policy.txt").write_text(LOCKERS, "utf-8")
        wiring.build_index(runtime.settings.model_copy(), HashEmbedder())
        assert "harbour-primary" not in runtime.orgs
        assert runtime.follow_index()
        answer = runtime.service.answer(Question("When are the staff lockers emptied for cleaning?",
                                                 "harbour-primary", channel="web", user="u42"))
        assert answer.answered and answer.passages[0].org == "harbour-primary"
        [entry] = [e for e in logged_entries(runtime.settings.database_url) if e.org == "harbour-primary"]
        assert entry.asker_identity  # the school's own org file: identities kept, as it asks
