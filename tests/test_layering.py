"""One direction: adapters know the platforms; core, reading, retrieval, storage and privacy know none of
them (nor the web framework), reading knows nothing of search, and adapters reach the rest only through
the chat layer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "telegram", "microsoft_teams", "botbuilder")
WEB = ("starlette", "uvicorn", "fastapi")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["core", "reading", "retrieval", "storage", "privacy"])
def test_inner_layers_import_no_platform_sdk_or_web_framework(package: str) -> None:
    for path in sorted((BOT / package).rglob("*.py")):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in PLATFORM_SDKS + WEB}
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_reading_knows_nothing_of_search_chat_or_storage() -> None:
    """Reading turns files into documents and clauses; retrieval builds on it, never the other way."""
    for path in sorted((BOT / "reading").rglob("*.py")):
        bad = {m for m in imported_modules(path)
               if m.startswith(("bot.retrieval", "bot.core", "bot.storage", "bot.adapters", "bot.admin", "sqlalchemy"))}
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_adapters_use_the_chat_layer_not_search_or_storage() -> None:
    for path in sorted((BOT / "adapters").glob("*.py")):
        bad = {m for m in imported_modules(path) if m.startswith(("bot.retrieval", "bot.storage", "sqlalchemy"))}
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_importing_the_answer_service_loads_no_platform_sdk() -> None:
    code = ("import sys, bot.core.service, bot.core.chat, bot.storage.question_log, bot.storage.access, "
            "bot.retrieval.search; print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (PLATFORM_SDKS,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=BOT.parent).stdout
    assert out.strip() == "[]"
