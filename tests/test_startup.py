"""The server answers from its first second: /healthz says "starting" (503) while the runtime is built in
the background, "ok" (200) once it is ready; other routes answer 503 with Retry-After meanwhile; a start-up
that fails says so in /healthz and in the log."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot import runtime as runtime_mod
from bot.adapters import web
from bot.errors import IndexMissing
from bot.server import build_app
from bot.startup import Ready, Startup
from tests.conftest import CORPUS, RUNTIME_NOW, settings_for
from tests.doubles.hash_embedder import HashEmbedder


def _wait_for_status(client: TestClient, status: str, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get("/healthz").json()
        if body["status"] == status:
            return body
        time.sleep(0.05)
    raise AssertionError(f"/healthz never said {status!r}")


def test_healthz_says_starting_until_the_runtime_is_built_then_ok(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")
    release = threading.Event()

    def build() -> Ready:
        release.wait(30)
        rt = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: RUNTIME_NOW)
        assert rt.chat is not None
        return Ready(rt, [web.build(settings, rt.chat)])

    startup = Startup(settings, build)
    with TestClient(build_app(startup, chores=False)) as client:
        starting = client.get("/healthz")
        assert starting.status_code == 503 and starting.json() == {"status": "starting"}
        for path in ("/", "/api/web/config", "/slt/login"):
            waiting = client.get(path)
            assert waiting.status_code == 503 and int(waiting.headers["Retry-After"]) > 0, path
        assert client.post("/api/web/ask", json={"question": "who is the DSL?"}).status_code == 503
        release.set()
        ready = _wait_for_status(client, "ok")
        assert ready["organisations"] == 5
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/web/config").status_code == 200
        assert client.get("/slt/login").status_code == 200
    startup.close()


def test_a_failed_start_up_shows_in_healthz_and_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")

    def build() -> Ready:
        raise IndexMissing(f"no index in {tmp_path / 'index'}: run `policybot index` first")

    caplog.set_level(logging.ERROR, logger="bot.startup")
    with TestClient(build_app(Startup(settings, build), chores=False)) as client:
        failed = _wait_for_status(client, "failed")
        assert client.get("/healthz").status_code == 503
        assert "IndexMissing" in str(failed["error"]) and "policybot index" in str(failed["error"])
        assert client.get("/api/web/config").status_code == 503
    assert any("start-up failed" in r.getMessage() and r.exc_info for r in caplog.records)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthz(port: int) -> tuple[int, dict[str, object]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return None


@pytest.mark.integration
def test_policybot_serve_reports_a_corpus_that_is_not_there(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "POLICYBOT_DATABASE_URL": f"sqlite:///{tmp_path}/log.db",
           "POLICYBOT_SPOOL_FILE": str(tmp_path / "spool.jsonl"), "POLICYBOT_SECRET_KEY_FILE": str(tmp_path / "key")}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--corpus",
                             str(tmp_path / "missing"), "--index", str(tmp_path / "index")],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, seen = time.monotonic() + 60, None
        while time.monotonic() < deadline and (seen is None or seen[1]["status"] != "failed"):
            seen = _healthz(port)
            time.sleep(0.1)
        assert seen is not None and seen[0] == 503 and "corpus folder not found" in str(seen[1]["error"])
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert "start-up failed" in stderr
