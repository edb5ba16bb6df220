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
