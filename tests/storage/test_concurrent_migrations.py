"""Replicas starting together on one empty PostgreSQL database: each migrates under an advisory lock, so
one applies the migrations and the others wait and find nothing to do; all come up, migrated once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.storage.database import head_revision
from tests.conftest import fresh_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
UPGRADE = ("import sys; from bot.storage.database import make_engine, upgrade; "
           "print(upgrade(make_engine(sys.argv[1])))")


@pytest.mark.parametrize("replicas", [4])
def test_replicas_starting_together_all_come_up_migrated_once(replicas: int) -> None:
    for _ in range(3):  # a race is a matter of timing: try it a few times
        with fresh_postgres() as url:
            started = [subprocess.Popen([sys.executable, "-c", UPGRADE, url], cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True) for _ in range(replicas)]
            results = [(p.wait(120), *p.communicate()) for p in started]
            for code, out, err in results:
                assert code == 0, err[-2000:]
                assert out.strip() == head_revision()
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            try:
                with engine.connect() as conn:
                    assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            finally:
                engine.dispose()
