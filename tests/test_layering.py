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


CLI = BOT / "cli"
CLI_SHARED = {"bot.cli", "bot.cli._shared"}  # the package (which registers the commands) and the shared app


def cli_imports(path: Path, cli: Path = CLI) -> set[str]:
    """The bot.cli modules *path* imports, relative imports and `from bot.cli import x` resolved to modules."""
    tree = ast.parse(path.read_text("utf-8"))
    package = "bot.cli"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bot.cli"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module == "bot":
                found.update(f"bot.{a.name}" for a in node.names if a.name == "cli")
            elif module == "bot.cli":
                subs = {f"bot.cli.{a.name}" for a in node.names if (cli / f"{a.name}.py").is_file()}
                found.update(subs or {"bot.cli"})
            elif module.startswith("bot.cli."):
                found.add(module)
    return found


def cli_graph(cli: Path = CLI) -> dict[str, set[str]]:
    graph = {}
    for path in sorted(cli.glob("*.py")):
        name = "bot.cli" if path.name == "__init__.py" else f"bot.cli.{path.stem}"
        graph[name] = cli_imports(path, cli) - {name}
    return graph


def command_imports_problems(graph: dict[str, set[str]]) -> list[str]:
    """Command modules importing anything of bot.cli but the shared module (another command module, or the
    package, which imports them all)."""
    commands = set(graph) - CLI_SHARED
    return [f"{m} imports {sorted(graph[m] - {'bot.cli._shared'})}" for m in sorted(commands)
            if not graph[m] <= {"bot.cli._shared"}]


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in *graph* (as a path that comes back to its start), or None."""
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, set())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [node, nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, trail + [node])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [])):
            return found
    return None


def test_cli_command_modules_import_only_the_shared_module() -> None:
    """Each command module reaches the app through bot.cli._shared, never through another command module;
    the shared module imports none of bot.cli; the package imports (registers) every command module."""
    graph = cli_graph()
    commands = set(graph) - CLI_SHARED
    assert {"bot.cli.ask", "bot.cli.index", "bot.cli.serve", "bot.cli.report"} <= commands  # the scan sees them
    assert command_imports_problems(graph) == []
    assert graph["bot.cli._shared"] == set(), f"bot.cli._shared imports {sorted(graph['bot.cli._shared'])}"
    assert graph["bot.cli"] >= commands, f"bot.cli does not register {sorted(commands - graph['bot.cli'])}"


def test_cli_import_graph_has_no_cycle() -> None:
    assert import_cycle(cli_graph()) is None


def test_the_checks_see_a_command_importing_another_and_a_cycle(tmp_path: Path) -> None:
    """A guard on the two checks above: a package where ask imports serve and serve imports ask."""
    fake = tmp_path / "cli"
    fake.mkdir()
    (fake / "__init__.py").write_text("from bot.cli import ask, serve\n")
    (fake / "_shared.py").write_text("import typer\n")
    (fake / "ask.py").write_text("from bot.cli._shared import app\nfrom bot.cli.serve import x\n")
    (fake / "serve.py").write_text("from . import ask\n")
    graph = cli_graph(fake)
    assert graph["bot.cli.ask"] == {"bot.cli._shared", "bot.cli.serve"} and graph["bot.cli.serve"] == {"bot.cli.ask"}
    assert command_imports_problems(graph) == ["bot.cli.ask imports ['bot.cli.serve']",
                                               "bot.cli.serve imports ['bot.cli.ask']"]
    assert import_cycle(graph) == ["bot.cli.ask", "bot.cli.serve", "bot.cli.ask"]
    (fake / "serve.py").write_text("from bot.cli._shared import app\n")
    assert import_cycle(cli_graph(fake)) is None and command_imports_problems(cli_graph(fake)) == [
        "bot.cli.ask imports ['bot.cli.serve']"]


def test_the_console_script_and_python_m_bot_share_one_app() -> None:
    code = ("import bot.cli, bot.cli._shared, bot.__main__; assert bot.cli.app is bot.cli._shared.app; "
            "print(sorted(c.name or c.callback.__name__ for c in bot.cli.app.registered_commands))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=BOT.parent).stdout
    for command in ("ask", "index", "serve", "purge", "report", "acks", "invite", "teams-package"):
        assert repr(command) in out, out
