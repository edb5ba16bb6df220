"""The `policybot ask --json` line format is a contract: checks depend on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def run(args: list[str], real_index: Path, stdin: bytes = b"",
        extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    var = real_index / "cli-var"
    env = {**os.environ, "POLICYBOT_DATABASE_URL": f"sqlite:///{var}/log.db",
           "POLICYBOT_SPOOL_FILE": str(var / "spool.jsonl"), "POLICYBOT_SECRET_KEY_FILE": str(var / "key"),
           **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args, "--corpus", str(real_index / "corpus"),
                           "--index", str(real_index / "index")], input=stdin, capture_output=True,
                          env=env, timeout=300)


def test_json_lines_in_order_with_bad_lines_answered_in_place(real_index: Path) -> None:
    lines = [b"can i add an ex pupil on insta?", b"", b"\xff\xfe\x00\x01\x02garbage\x80", b"x" * 10_000,
             b"How many days of annual leave do I get?"]
    proc = run(["ask", "--org", "next-steps-ed", "--json"], real_index, b"\n".join(lines) + b"\n")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(rows) == len(lines)
    first = rows[0]
    assert set(first) == {"question", "org", "answered", "passages", "contacts", "warnings", "urgent"}
    assert first["answered"] and first["org"] == "next-steps-ed"
    assert set(first["passages"][0]) == {"text", "org", "document", "section", "source", "score", "approved"}
    assert set(first["contacts"][0]) == {"role", "name", "how", "handles"}
    assert "must not engage with learners or ex-learners" in first["passages"][0]["text"]
    assert all(r["answered"] is False and r["passages"] == [] for r in rows[1:4])
    assert "empty" in rows[1]["error"] and "10,000 characters" in rows[3]["error"]
    assert "\x00" not in rows[2]["question"] or rows[2]["answered"] is False  # garbage: declined, no crash
    assert rows[4]["answered"] is False and "error" not in rows[4]


def test_top_k_returns_more_passages(real_index: Path) -> None:
    proc = run(["ask", "--org", "stone-bay-school", "--json", "--top", "5"], real_index,
               b"who is the designated safeguarding lead\n")
    row = json.loads(proc.stdout)
    assert len(row["passages"]) == 5
    assert all(p["org"] == "stone-bay-school" and len(p["text"]) <= 600 for p in row["passages"])


def test_unknown_org_is_a_clear_error(real_index: Path) -> None:
    proc = run(["ask", "--org", "atlantis-academy", "who is the DSL?"], real_index)
    assert proc.returncode == 2
    assert b"unknown organisation 'atlantis-academy'" in proc.stderr
    assert b"stone-bay-school" in proc.stderr


def test_readable_answer_and_orgs_table(real_index: Path) -> None:
    proc = run(["ask", "--org", "stone-bay-school", "Who is in charge of online safety overall?"], real_index)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "overall responsibility for online safety" in out
    assert "Martyn Nash" in out and "due for review" in out
    table = run(["orgs"], real_index).stdout.decode()
    for slug in ("next-steps-ed", "soke-educat"):
        assert slug in table


BAR_MARKS = ("Loading weights", "Batches", "it/s]", "\r", "\u2588", "%|")


@pytest.mark.parametrize("backend", ["torch", "auto"])
def test_ask_prints_no_progress_bar_when_stderr_is_not_a_terminal(real_index: Path, tmp_path: Path, backend: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """torch loads the weights on every call (transformers draws "Loading weights"); auto with an empty
    model cache loads them once to export the ONNX model. Neither may draw a bar into a captured stderr."""
    extra = {"POLICYBOT_EMBEDDING_BACKEND": backend, "POLICYBOT_MODEL_CACHE_DIR": str(tmp_path / "models")}
    for name in ("TQDM_DISABLE", "TQDM_DELAY", "HF_HUB_DISABLE_PROGRESS_BARS"):
        monkeypatch.delenv(name, raising=False)  # the command decides, not this process's environment
    proc = run(["ask", "--org", "stone-bay-school", "who is the designated safeguarding lead?"], real_index,
               extra_env=extra)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Martyn Nash" in proc.stdout.decode()
    stderr = proc.stderr.decode()
    assert not [m for m in BAR_MARKS if m in stderr], stderr[:500]
