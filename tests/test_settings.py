from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    text = ENV_EXAMPLE.read_text("utf-8")
    keys = set(re.findall(r"^(POLICYBOT_[A-Z_]+)=", text, re.M))
    assert keys == {f"POLICYBOT_{name.upper()}" for name in Settings.model_fields}
    for key in keys:  # each key has a comment line somewhere above it
        before = text.split(f"\n{key}=")[0].rstrip().splitlines()
        assert before and before[-1].startswith(("#", "POLICYBOT_")), key


def test_bad_settings_are_refused_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_TELEGRAM_MODE", "carrier-pigeon")
    with pytest.raises(ValidationError, match="telegram_mode"):
        Settings()
