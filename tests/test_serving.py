"""`policybot serve --workers N`: N worker processes on one port, each with its own runtime; PostgreSQL
only (SQLite is refused with a clear error)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import serving
from bot.config import Settings
from bot.errors import ConfigError
from tests.conftest import fresh_postgres
from tests.multi_replica.replicas import Replica, base_env, build_index, healthz, small_corpus


def test_workers_are_refused_on_sqlite_and_allowed_on_postgresql() -> None:
    sqlite = Settings(database_url="sqlite:///var/x.db")
    serving.check_workers(sqlite, 1)
    with pytest.raises(ConfigError, match="--workers 2 needs PostgreSQL"):
        serving.check_workers(sqlite, 2)
    serving.check_workers(Settings(database_url="postgresql://u@db/policybot"), 4)
    with pytest.raises(ConfigError, match="at least 1"):
        serving.check_workers(sqlite, 0)


def test_each_worker_gets_its_share_of_the_cores_unless_threads_are_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    env = serving.worker_environment(Settings(), 2, {"corpus_dir": "/srv/corpus"})
    assert env == {"POLICYBOT_CORPUS_DIR": "/srv/corpus", "POLICYBOT_EMBEDDING_THREADS": "4"}
    assert serving.worker_environment(Settings(), 16, {})["POLICYBOT_EMBEDDING_THREADS"] == "1"
    assert serving.worker_environment(Settings(embedding_threads=3), 2, {}) == {}


@pytest.mark.integration
def test_serve_with_workers_on_sqlite_says_why_and_exits(tmp_path: Path) -> None:
    env = {**os.environ, "POLICYBOT_DATABASE_URL": f"sqlite:///{tmp_path}/log.db"}
    proc = subprocess.run([sys.executable, "-m", "bot", "serve", "--workers", "2", "--port", "1"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--workers 2 needs PostgreSQL" in " ".join(proc.stderr.split())
    assert not (tmp_path / "log.db").exists()  # refused before anything was opened


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


@pytest.mark.slow
@pytest.mark.integration
def test_serve_with_two_workers_answers_healthz_from_two_processes(tmp_path: Path) -> None:
    with fresh_postgres() as url:
        env = base_env(url)
        corpus = small_corpus(tmp_path / "corpus")
        build_index(corpus, tmp_path / "index", env)
        server = Replica("workers", tmp_path, corpus, tmp_path / "index", env, extra=("--workers", "2"))
        server.start()
        try:
            server.wait_ready()
            assert server.proc is not None
            seen: set[int] = set()
            deadline = time.monotonic() + 120
            while len(seen) < 2 and time.monotonic() < deadline:  # new connections: the kernel spreads them
                got = healthz(server.port)
                if got is not None and got[0] == 200 and got[1]["status"] == "ok":
                    seen.add(int(got[1]["pid"]))
            assert len(seen) == 2, (seen, server.log_tail())
            assert server.proc.pid not in seen  # the supervisor answers nothing itself
            assert seen <= _children(server.proc.pid)
        finally:
            server.stop()
        assert all(not Path(f"/proc/{pid}").exists() for pid in seen)  # the workers went with it
