"""Alembic environment: the engine comes from bot.storage.database (or POLICYBOT_DATABASE_URL for the
alembic command line, e.g. `alembic revision --autogenerate -m "..."` from the repository root)."""

from __future__ import annotations

from alembic import context

from bot.storage.tables import Base

config = context.config


def _engine():  # type: ignore[no-untyped-def]
    engine = config.attributes.get("engine")
    if engine is None:
        from bot.config import Settings
        from bot.storage.database import make_engine
        engine = make_engine(Settings().database_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
