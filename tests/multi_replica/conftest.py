"""Two real `policybot serve` replicas (A and B) on one throwaway PostgreSQL (its database migrated first
by `policybot index`, which publishes the index version there), sharing one corpus and index, Slack in HTTP mode against one fake Slack (tests.doubles.
fake_slack_api). Module-scoped: starting them costs two model loads; each test uses its own event ids,
people and questions."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.adapters.slack.payloads import SECRET, TOKEN, event_callback, mention, signed_headers
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.multi_replica.replicas import TEAM, Replica, base_env, build_index, small_corpus
from tests.throwaway_postgres import throwaway_postgres

_TS = itertools.count(1)


@dataclass
class Cluster:
    a: Replica
    b: Replica
    slack: FakeSlackApi
    database_url: str
    corpus: Path
    root: Path
    env: dict[str, str]
    admin_url: str  # the throwaway server's `postgres` database, for CREATE DATABASE

    def replica(self, name: str, **env: str) -> Replica:
        """Another replica over the same corpus and index (*env* overrides, e.g. another database)."""
        return Replica(name, self.root, self.corpus, self.root / "index", {**self.env, **env})

    def new_database(self, name: str) -> str:
        """An empty database on the throwaway server; its URL."""
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def mention(self, replica: Replica, question: str, event_id: str, user: str = "U_ASKER",
                ts: str | None = None, retry: int | None = None) -> str:
        """A signed app_mention event to *replica*'s /slack/events (Slack's re-delivery when *retry*);
        returns the message ts the answer is threaded under."""
        ts = ts or f"1800000000.{next(_TS):06d}"
        body = json.dumps(event_callback(mention(question, ts=ts, user=user, team=TEAM), event_id, TEAM))
        resp = httpx.post(f"{replica.url}/slack/events", content=body.encode(), timeout=30,
                          headers=signed_headers(body, "application/json", retry=retry))
        assert resp.status_code == 200, (resp.status_code, resp.text)
        return ts

    def replies(self, ts: str) -> list[dict[str, Any]]:
        """The bot's chat.postMessage calls in the thread of message *ts*."""
        return [c.params for c in self.slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]

    def log_rows(self) -> int:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM log_entries")).scalar_one())
        finally:
            engine.dispose()

    def scalar(self, sql: str) -> Any:
        return self.scalar_at(self.database_url, sql)

    @staticmethod
    def scalar_at(url: str, sql: str) -> Any:
        """The rows of *sql* on the database at *url*."""
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).all()
        finally:
            engine.dispose()


def ready_together(*replicas: Replica) -> dict[str, dict[str, Any]]:
    """Wait for every replica (started already) at once; what each /healthz said when ready."""
    health: dict[str, dict[str, Any]] = {}
    waits = [threading.Thread(target=lambda r=r: health.__setitem__(r.name, r.wait_ready())) for r in replicas]
    for w in waits:
        w.start()
    for w in waits:
        w.join()
    for r in replicas:
        if r.name not in health:  # wait_ready raised in its thread: say why here
            r.wait_ready(timeout=1)
    return health


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("replicas")
    with throwaway_postgres() as pg, FakeSlackApi(team_id=TEAM) as slack:
        env = base_env(pg.url, POLICYBOT_SLACK_BOT_TOKEN=TOKEN, POLICYBOT_SLACK_SIGNING_SECRET=SECRET,
                       POLICYBOT_SLACK_API_URL=slack.url, POLICYBOT_RATE_LIMIT_BURST="3",
                       POLICYBOT_RATE_LIMIT_PER_MINUTE="1")
        corpus = small_corpus(root / "corpus")
        build_index(corpus, root / "index", env)
        a, b = (Replica(name, root, corpus, root / "index", env) for name in ("a", "b"))
        try:
            a.start()
            b.start()
            ready_together(a, b)
            yield Cluster(a, b, slack, pg.url, corpus, root, env, pg.url)
        finally:
            a.stop()
            b.stop()
