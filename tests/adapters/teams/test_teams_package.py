"""`policybot teams-package`: a zip Teams accepts — manifest.json and both icons at its root."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.teams_package import TEAMS_DIR, build_manifest
from bot.errors import ConfigError

APP_ID = "1f2e3d4c-5b6a-4789-8abc-def012345678"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("POLICYBOT_TEAMS_APP_ID", APP_ID)
    return tmp_path


def test_the_package_has_a_manifest_for_our_bot_and_both_icons(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["teams-package", "--out", "dist/teams.zip", "--domain",
                                      "policybot.stonebay.example"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(workdir / "dist" / "teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        sizes = {name: png_size(package.read(name)) for name in ("color.png", "outline.png")}
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["manifestVersion"] == "1.19" and manifest["version"].count(".") == 2
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["validDomains"] == ["policybot.stonebay.example"]
    assert manifest["developer"]["websiteUrl"] == "https://policybot.stonebay.example/"
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert "{{" not in json.dumps(manifest)


def test_without_a_guid_app_id_it_says_what_to_set(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_TEAMS_APP_ID", "my-bot")
    result = CliRunner().invoke(app, ["teams-package"])
    assert result.exit_code == 2 and "POLICYBOT_TEAMS_APP_ID" in result.output
    assert not (workdir / "policybot-teams.zip").exists()


def test_manifest_values_cannot_change_its_structure() -> None:
    template = json.loads((TEAMS_DIR / "manifest.template.json").read_text("utf-8"))
    with pytest.raises(ConfigError, match="host name"):
        build_manifest(template, APP_ID, domain='evil.example", "x": "y')
    plain = build_manifest(template, APP_ID.upper())
    assert plain["id"] == APP_ID and plain["validDomains"] == []
    assert plain["developer"]["privacyUrl"].startswith("https://")
