"""bot.alerts sits beside the adapters: it may use bot.config and the platform SDKs, nothing of the
answering core, storage, admin or adapters; and importing it loads no chat SDK (they load on use), so
the core may import it without breaking tests/test_layering.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_layering import BOT, PLATFORM_SDKS, imported_modules

FORBIDDEN = ("bot.adapters", "bot.core", "bot.storage", "bot.admin", "bot.retrieval", "bot.reading")


def test_alerts_import_only_config_and_third_party_code() -> None:
    paths = sorted((BOT / "alerts").rglob("*.py"))
    assert paths
    for path in paths:
        bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN)}
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_importing_alerts_loads_no_platform_sdk() -> None:
    code = ("import sys, bot.alerts; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (PLATFORM_SDKS,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(BOT).parent).stdout
    assert out.strip() == "[]"
