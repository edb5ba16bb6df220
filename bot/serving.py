"""How `policybot serve` runs the server: in this process (one worker, the default), or as N uvicorn worker
processes on one port (`--workers N`), each building its own runtime from the environment.

Workers need PostgreSQL. On SQLite they are refused: SQLite is the single-process default, and what it
keeps for a server is only required to be right for one process (migrations take no lock there, and the
shared state other replicas read from PostgreSQL has an SQLite path meant for one process). Several
processes on one SQLite file would also queue behind its one writer, which is what the workers are meant
to avoid.

Each worker's embedding model gets the cores divided between the workers (unless
POLICYBOT_EMBEDDING_THREADS says otherwise): two workers each using every core only fight each other.
"""

from __future__ import annotations

import atexit
import logging
import os

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from starlette.applications import Starlette

from bot import runtime as runtime_mod
from bot import wiring
from bot.config import Settings
from bot.errors import ConfigError
from bot.startup import Ready, Startup

FACTORY = "bot.serving:app_from_env"  # what uvicorn imports in each worker process


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def ready(settings: Settings) -> Ready:
    """The runtime and the adapters of the configured chat platforms (built in the background)."""
    runtime = runtime_mod.build(settings)
    assert runtime.chat is not None
    try:
        return Ready(runtime, wiring.adapters(settings, runtime.chat, deliveries=runtime.deliveries))
    except BaseException:
        runtime.close()
        raise


def app_from_env() -> Starlette:
    """The server of one worker process (uvicorn's factory): Settings from the environment, which
    `policybot serve` has completed with its options before starting the workers."""
    from bot.server import build_app

    configure_logging()
    settings = Settings()
    startup = Startup(settings, lambda: ready(settings))
    atexit.register(startup.close)  # the worker's database connections go when it exits
    return build_app(startup)


def check_workers(settings: Settings, workers: int) -> None:
    """ConfigError unless *workers* processes may share *settings*' database."""
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1 (got {workers})")
    if workers == 1:
        return
    try:
        backend = make_url(settings.database_url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"POLICYBOT_DATABASE_URL is not a database URL: {settings.database_url!r}") from exc
    if backend != "postgresql":
        raise ConfigError(f"--workers {workers} needs PostgreSQL (POLICYBOT_DATABASE_URL=postgresql://...): "
                          f"the {backend} database is for one server process. Use one worker, or PostgreSQL.")


def worker_environment(settings: Settings, workers: int, overrides: dict[str, str]) -> dict[str, str]:
    """The environment variables each worker needs beyond ours: the command line's options (the workers
    read only the environment) and, unless configured, its share of the cores for the embedding model."""
    env = {f"POLICYBOT_{key.upper()}": value for key, value in overrides.items()}
    if settings.embedding_threads == 0:
        env["POLICYBOT_EMBEDDING_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    return env
