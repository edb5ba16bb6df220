from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage.database import current_revision, head_revision, make_engine, upgrade
from bot.storage.tables import Base


def test_an_empty_database_is_migrated_to_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    assert {"log_entries", "returned_clauses", "feedback", "deletions", "slt_answers",
            "slt_credentials"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:  # the migrations create exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert upgrade(engine) == head_revision()  # running again changes nothing
    engine.dispose()


def test_upgrading_a_database_with_entries_keeps_them(database_url: str) -> None:
    """0001 -> 0002 moves unanswered questions' vectors to their own table and gives feedback its org."""
    from alembic import command
    from sqlalchemy import text

    from bot.storage.database import _alembic_config

    engine = make_engine(database_url)
    command.upgrade(_alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO log_entries (id, asked_at, week, org, channel, asker, question, answered, flagged, vector) "
            "VALUES ('e1', '2026-11-20 09:00:00', '2026-11-16', 'oak', 'web', 'a', 'q?', false, false, :v)"),
            {"v": b"\x00\x00\x80\x3f"})
        conn.execute(text("INSERT INTO feedback (entry_id, helpful, comment, given_at) "
                          "VALUES ('e1', false, 'meh', '2026-11-20 09:01:00')"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT entry_id, vector FROM gap_vectors")).all() == [("e1", b"\x00\x00\x80\x3f")]
        assert conn.execute(text("SELECT org, comment FROM feedback")).all() == [("oak", "meh")]
    engine.dispose()
