"""An org file broken while the server runs (an edit half-saved, a typo) locks nobody out: the runtime
keeps using the file as it was last read, and says why in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import built_runtime


def test_a_broken_org_file_mid_run_falls_back_to_the_last_one_read(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    with built_runtime(tmp_path) as rt:
        path = rt.settings.corpus_dir / "stone-bay-school" / "org.yaml"
        good = rt.current_org("stone-bay-school")
        assert good is not None
        path.write_text(path.read_text("utf-8") + "\nslt: [unclosed\n", "utf-8")
        with caplog.at_level(logging.WARNING, logger="bot.runtime"):
            assert rt.current_org("stone-bay-school") == rt.orgs["stone-bay-school"]
        assert "stone-bay-school: using the org file as it was last read" in caplog.text
        assert rt.current_org("no-such-school") is None
