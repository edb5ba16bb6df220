"""Alembic environment: the engine comes from bot.storage.database (or POLICYBOT_DATABASE_URL for the
alembic command line, e.g. `alembic revision --autogenerate -m "..."` from the repository root)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bot.storage.tables import Base

config = context.config
MIGRATION_LOCK = 0x706F6C6963790001  # "policy" + 1: this project's advisory lock key for migrations


def _engine() -> Engine:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        from bot.config import Settings
        from bot.storage.database import make_engine
        engine = make_engine(Settings().database_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
            # drop would cascade and delete every child row (feedback, vectors). Off while migrating.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several replicas may start together on one database: one migrates while the others wait
                # here, then find nothing left to do. Released when this transaction ends.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
