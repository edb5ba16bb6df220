"""Real `policybot serve` processes for tests: each on a free port, in a folder of its own (its spool and
log file), all sharing one corpus, one index and one database, as two replicas of a deployment do
(deploy/compose.yaml). The real embedding model runs in each (there is no other in a real process).

    corpus = small_corpus(tmp / "corpus")
    build_index(corpus, tmp / "index", env)
    a = Replica("a", tmp, corpus, tmp / "index", env); a.start(); a.wait_ready()
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import CORPUS, ROOT

SCHOOL = "stone-bay-school"
TEAM = "T_STONE"
SECRET_KEY = "multi-replica-test-key-shared-by-every-replica"
SLT_EMAIL, SLT_NAME, SLT_PASSWORD = "head@stonebay.example", "Jane Hatwell", "correct horse battery"
READY_TIMEOUT_S = 300.0  # two model loads on two shared cores: generous, and only a ceiling


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def small_corpus(target: Path) -> Path:
    """One school (Stone Bay, one policy: a quick index) with a Slack workspace, an SLT member, a member
    of staff and a two-point induction pack with one true/false check."""
    shutil.copytree(CORPUS / SCHOOL, target / SCHOOL)
    path = target / SCHOOL / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["platforms"] = {"slack_teams": [TEAM]}
    spec["slt"] = [{"email": SLT_EMAIL, "name": SLT_NAME}]
    spec["staff"] = [{"name": "Tess Teacher", "slack": "U_TESS"}]
    spec["induction"] = {"max_points": 2, "policies": [{
        "file": "social-media-policy.txt",
        "statements": [{"text": "I may accept a friend request from a current pupil.", "true": False}]}]}
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return target


def base_env(database_url: str, **more: str) -> dict[str, str]:
    """What every replica shares: the database, one secret key (pseudonyms and dashboard sessions must
    agree between replicas), the exported model's cache, one thread each for the model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env.update({"POLICYBOT_DATABASE_URL": database_url, "POLICYBOT_SECRET_KEY": SECRET_KEY,
                "POLICYBOT_MODEL_CACHE_DIR": str(ROOT / "var" / "models"), "POLICYBOT_EMBEDDING_THREADS": "1",
                "PYTHONUNBUFFERED": "1", **more})
    return env


def build_index(corpus: Path, index: Path, env: dict[str, str]) -> None:
    """`policybot index`, the one-shot job of a deployment, before any replica starts."""
    proc = subprocess.run([sys.executable, "-m", "bot", "index", "--corpus", str(corpus), "--index", str(index)],
                          env=env, cwd=index.parent, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def healthz(port: int) -> tuple[int, dict[str, Any]] | None:
    """(status, body) of /healthz, or None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (OSError, ValueError):
        return None


class Replica:
    """One `policybot serve` process; restartable on the same port."""

    def __init__(self, name: str, root: Path, corpus: Path, index: Path, env: dict[str, str],
                 extra: tuple[str, ...] = ()) -> None:
        self.name = name
        self.folder = root / f"replica-{name}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.env = {**env, "POLICYBOT_SPOOL_FILE": str(self.folder / "spool.jsonl")}
        self.args = [sys.executable, "-m", "bot", "serve", "--port", str(self.port), "--corpus", str(corpus),
                     "--index", str(index), *extra]
        self.log_path = self.folder / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.proc is None, f"replica {self.name} is running already"
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {time.strftime('%H:%M:%S')}\n".encode())
            self.proc = subprocess.Popen(self.args, env=self.env, cwd=self.folder, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> dict[str, Any]:
        """The body of /healthz once it says ok; AssertionError (with the log's end) if the process exits,
        the start-up fails or *timeout* passes."""
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"replica {self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            seen = healthz(self.port)
            if seen is not None and seen[1].get("status") == "ok":
                return seen[1]
            if seen is not None and seen[1].get("status") == "failed":
                raise AssertionError(f"replica {self.name} failed to start: {seen[1]}\n{self.log_tail()}")
            time.sleep(0.2)
        raise AssertionError(f"replica {self.name} not ready after {timeout:.0f} s (last: {seen})\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), SIGKILL after 30 s; the whole process group, so worker
        processes go too."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    def restart(self) -> dict[str, Any]:
        self.stop()
        self.start()
        return self.wait_ready()

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]
