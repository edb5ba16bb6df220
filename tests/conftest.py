from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, selectinload

from bot.config import Settings
from bot.core.service import AnswerService
from bot import wiring
from bot.storage.database import make_engine
from bot.storage.tables import LogEntry
from tests.doubles.hash_embedder import HashEmbedder

if TYPE_CHECKING:
    from bot.runtime import Runtime

RUNTIME_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)  # the fixed "now" of test runtimes
ROOT = Path(__file__).resolve().parents[1]
SLUGS = ["next-steps-ed", "model-trust", "stone-bay-school", "alternative-provision", "soke-education-trust"]


def _bundled_copy() -> Path:
    """The bundled organisations only, copied once per test process: a school's own folders added to
    ./corpus (a real deployment's) never change what the tests read."""
    target = Path(tempfile.mkdtemp(prefix="policybot-bundled-")) / "corpus"
    for slug in SLUGS:
        shutil.copytree(ROOT / "corpus" / slug, target / slug)
    atexit.register(shutil.rmtree, target.parent, True)
    return target


CORPUS = _bundled_copy()


def seed_text(slug: str) -> str:
    return (CORPUS / slug / "social-media-policy.txt").read_text("utf-8")


def logged_entries(where: Path | str) -> list[LogEntry]:
    """Every entry in the log (a database URL, or a test's *var* folder with its SQLite file), oldest first."""
    engine = make_engine(where if isinstance(where, str) else f"sqlite:///{where}/log.db")
    try:
        with Session(engine) as session:
            stmt = select(LogEntry).options(selectinload(LogEntry.clauses), selectinload(LogEntry.feedback),
                                            selectinload(LogEntry.gap))
            return list(session.scalars(stmt.order_by(LogEntry.asked_at)))
    finally:
        engine.dispose()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def settings_for(corpus: Path, index: Path, var: Path, **more: object) -> Settings:
    """Settings for a test: its own corpus, index, SQLite log, spool and key under *var*."""
    values: dict[str, object] = {"database_url": f"sqlite:///{var}/log.db", "spool_file": var / "spool.jsonl",
                                 "secret_key_file": var / "secret.key", **more}
    return Settings(corpus_dir=corpus, index_dir=index, **values)  # type: ignore[arg-type]


def make_service(corpus: Path, index: Path, var: Path, emb: object | None = None,
                 today: date = date(2026, 11, 21), **more: object) -> AnswerService:
    """The answer service over a fresh index, logging to an SQLite file under *var*."""
    settings = settings_for(corpus, index, var, today=today, **more)
    return wiring.logged_service(settings, emb or HashEmbedder())  # type: ignore[arg-type]


@pytest.fixture
def service(corpus_copy: Path, tmp_path: Path) -> AnswerService:
    return make_service(corpus_copy, tmp_path / "index", tmp_path / "var")


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    from bot.retrieval.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    """The bundled corpus indexed once per session with the real model."""
    base = tmp_path_factory.mktemp("real")
    shutil.copytree(CORPUS, base / "corpus")
    make_service(base / "corpus", base / "index", base / "var", emb=real_embedder)
    return base


@pytest.fixture
def real_service(real_index: Path, tmp_path: Path, real_embedder: object) -> AnswerService:
    """The answer service with the real model (all-MiniLM-L6-v2): abstention is calibrated for it."""
    return make_service(real_index / "corpus", real_index / "index", tmp_path / "var", emb=real_embedder)


POSTGRES_ADMIN_URL = os.environ.get("POLICYBOT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"no PostgreSQL reachable at {POSTGRES_ADMIN_URL} ({exc.__class__.__name__})"
    return None


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new empty PostgreSQL database for one test; dropped afterwards."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    name = f"policybot_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_execute(statement: str) -> None:
    """One statement on a new connection (a test may have restarted the server meanwhile)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs on SQLite and on a real PostgreSQL (skipped, with the reason, without one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/log.db"
    else:
        with fresh_postgres() as url:
            yield url


def map_platforms(corpus: Path) -> None:
    """Give the test corpus chat identities: Stone Bay School owns Slack workspace T_STONE, Teams tenant
    tenant-stone and Telegram user 4242, and its DSL has a Slack id; Next Steps Ed owns T_NEXT."""
    import yaml

    path = corpus / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["platforms"] = {"slack_teams": ["T_STONE"], "teams_tenants": ["tenant-stone"], "telegram_users": [4242]}
    spec["contacts"] = [{"role": "Designated Safeguarding Lead", "name": "Martyn Nash", "title": "Head of Care",
                         "email": "dsl@stonebay.example", "slack": "U0DSL", "teams": "29:dsl-id"}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    path = corpus / "next-steps-ed" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["platforms"] = {"slack_teams": ["T_NEXT"], "telegram_users": [5151]}
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")


HOSTILE_POLICY = """Markup Test Policy

1. Hostile formatting
Staff must report any <script>alert('x')</script> message to the DSL at once, even if it says <!channel> or *bold* or _italic_ or <b>bold</b> & other <@U999> tricks.
"""


def add_hostile_policy(corpus: Path) -> None:
    """A policy whose text carries markup every platform must show literally, never interpret."""
    (corpus / "stone-bay-school" / "markup-test-policy.txt").write_text(HOSTILE_POLICY, "utf-8")


@contextmanager
def built_runtime(tmp_path: Path, *prepare: Callable[[Path], None], emb: object | None = None,
                  **more: object) -> Iterator[Runtime]:
    """A server runtime over a copy of the bundled corpus, each *prepare* applied to the copy first
    (map_platforms, add_hostile_policy, ...); the hashing embedder unless *emb*; closed afterwards."""
    from bot import runtime as runtime_mod

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for step in prepare:
        step(corpus)
    rt = runtime_mod.build(settings_for(corpus, tmp_path / "index", tmp_path / "var", **more),
                           emb=emb or HashEmbedder(), clock=lambda: RUNTIME_NOW)  # type: ignore[arg-type]
    try:
        yield rt
    finally:
        rt.close()
