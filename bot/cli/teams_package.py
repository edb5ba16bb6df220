"""`policybot teams-package`: the Teams app package (manifest.json and the two icons, zipped at its root) to
upload in Teams ("Upload a custom app") or the Teams admin centre. The manifest comes from
teams/manifest.template.json; the icons from teams/ (drawn by teams/make_icons.py)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from bot.cli._shared import _fail, app, err, out
from bot.config import Settings
from bot.errors import ConfigError

TEAMS_DIR = Path(__file__).resolve().parents[2] / "teams"
ICONS = ("color.png", "outline.png")
PLACEHOLDER_WEBSITE = "https://policybot.invalid"  # shown in the app's About page until --domain is given
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*"
                   r"[A-Za-z0-9])?)*$")


def package_version() -> str:
    try:
        return importlib.metadata.version("policybot")
    except importlib.metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0.1.0"


def build_manifest(template: dict[str, Any], app_id: str, domain: str = "", version: str = "0.1.0") -> dict[str, Any]:
    """The manifest for the Azure bot *app_id* (Teams wants a GUID) served at *domain* (a host name)."""
    try:
        app_id = str(uuid.UUID(app_id.strip()))
    except ValueError:
        raise ConfigError("set POLICYBOT_TEAMS_APP_ID to the Azure bot's Microsoft App ID (a GUID such as "
                          "1f2e3d4c-5b6a-4789-8abc-def012345678)") from None
    if domain and not _HOST.match(domain):
        raise ConfigError(f"--domain takes a host name such as policybot.school.example, not {domain!r}")
    values = {"{{APP_ID}}": app_id, "{{VERSION}}": version,
              "{{WEBSITE}}": f"https://{domain}" if domain else PLACEHOLDER_WEBSITE}
    manifest: dict[str, Any] = _substitute(template, values)
    manifest["validDomains"] = [domain] if domain else []
    return manifest


def _substitute(node: Any, values: dict[str, str]) -> Any:
    """Placeholders replaced inside string values only (the JSON structure never comes from the values)."""
    if isinstance(node, dict):
        return {key: _substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, values) for value in node]
    if isinstance(node, str):
        for placeholder, value in values.items():
            node = node.replace(placeholder, value)
    return node


def write_package(path: Path, manifest: dict[str, Any], icons_dir: Path = TEAMS_DIR) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            package.write(icons_dir / icon, icon)


@app.command("teams-package")
def teams_package(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path("policybot-teams.zip"),
    domain: Annotated[str, typer.Option("--domain", help="This server's public host name, e.g. "
                                                         "policybot.school.example (validDomains and the "
                                                         "app's links).")] = "",
) -> None:
    """Build the Teams app package (manifest + icons) for the bot in POLICYBOT_TEAMS_APP_ID."""
    template: dict[str, Any] = json.loads((TEAMS_DIR / "manifest.template.json").read_text("utf-8"))
    try:
        manifest = build_manifest(template, Settings().teams_app_id, domain, package_version())
    except ConfigError as exc:
        raise _fail(exc) from exc
    write_package(out_file, manifest)
    out.print(f"Wrote {escape(str(out_file))}: upload it in Teams (Apps › Manage your apps › Upload an app) "
              f"or in the Teams admin centre.")
    if not domain:
        err.print("[yellow]note:[/yellow] no --domain given: the app's About links point to "
                  f"{PLACEHOLDER_WEBSITE}")
