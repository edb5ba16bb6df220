"""`make run PORT=… HOST=…` reaches `policybot serve` (and bot.early, which binds the port first); the
defaults stay 127.0.0.1:8000. `make -n` prints the commands without running them."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer

from bot import early
from bot.cli import app

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def serve_line(*args: str) -> list[str]:
    """The `policybot serve` command `make -n run ARGS` would run, as argv (from `serve` on)."""
    proc = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"})  # no PORT or HOST from this process's environment
    lines = [shlex.split(line) for line in proc.stdout.splitlines() if "policybot serve" in line]
    assert len(lines) == 1, proc.stdout
    argv = lines[0]
    assert argv[0].endswith(".venv/bin/policybot")
    return argv[1:]


def serve_params(argv: list[str]) -> dict[str, object]:
    command = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    return command.make_context("serve", argv[1:]).params


def test_port_and_host_reach_the_serve_command() -> None:
    argv = serve_line("PORT=8123", "HOST=0.0.0.0")
    assert argv[0] == "serve"
    params = serve_params(argv)
    assert params["port"] == 8123 and params["host"] == "0.0.0.0"
    assert early._address(argv) == ("0.0.0.0", 8123)  # python -m bot binds this port before the imports


def test_defaults_stay_127_0_0_1_port_8000() -> None:
    argv = serve_line()
    params = serve_params(argv)
    assert params["port"] == 8000 and params["host"] == "127.0.0.1"
    assert early._address(argv) == ("127.0.0.1", 8000)


def test_a_port_that_is_not_a_number_is_refused_by_serve() -> None:
    argv = serve_line("PORT=eighty")
    with pytest.raises(typer.BadParameter, match="valid integer"):
        serve_params(argv)
