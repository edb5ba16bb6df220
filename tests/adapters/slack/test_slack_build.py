"""Building the adapter (no network): modes, routes, settings refused, the memory of seen events."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from starlette.routing import Route

from bot.adapters import slack as slack_adapter
from bot.adapters.slack import SeenEvents
from bot.config import Settings
from bot.core.chat import ChatService
from bot.errors import ConfigError
from tests.conftest import ROOT, settings_for


class NoChat(ChatService):
    def __init__(self) -> None:  # never asked anything: these tests only build
        pass


def settings(tmp_path: Path, **slack: str) -> Settings:
    values = {f"slack_{k}": SecretStr(v) for k, v in slack.items()}
    return settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", **values)


def test_http_mode_mounts_the_events_endpoint(tmp_path: Path) -> None:
    adapter = slack_adapter.build(settings(tmp_path, bot_token="xoxb-1", signing_secret="s"), NoChat())
    assert adapter.name == "slack" and not adapter.socket_mode
    [route] = adapter.routes()
    assert isinstance(route, Route) and route.path == "/slack/events" and route.methods == {"POST"}


def test_socket_mode_needs_no_route_and_no_signing_secret(tmp_path: Path) -> None:
    adapter = slack_adapter.build(settings(tmp_path, bot_token="xoxb-1", app_token="xapp-1"), NoChat())
    assert adapter.socket_mode and adapter.routes() == []


@pytest.mark.parametrize("slack", [{}, {"bot_token": "xoxb-1"}, {"signing_secret": "s"}])
def test_incomplete_settings_are_refused(tmp_path: Path, slack: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        slack_adapter.build(settings(tmp_path, **slack), NoChat())


def test_seen_events_remember_a_bounded_number_of_ids() -> None:
    seen = SeenEvents(size=3)
    assert [seen.first_time(e) for e in ["a", "b", "a", "c", "d"]] == [True, True, False, True, True]
    assert seen.first_time("a") is False  # recently seen again: kept
    assert seen.first_time("b") is True  # the oldest: forgotten


def test_the_manifest_asks_slack_for_what_the_adapter_handles() -> None:
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text("utf-8"))
    settings, features = manifest["settings"], manifest["features"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im", "app_home_opened"}
    assert [c["command"] for c in features["slash_commands"]] == ["/policy", "/induction"]
    assert settings["interactivity"]["is_enabled"] and features["app_home"]["home_tab_enabled"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {"app_mentions:read", "im:history", "chat:write", "commands"}
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            *(c["url"] for c in features["slash_commands"])}
    assert {u.rsplit("/", 2)[-2:] == ["slack", "events"] for u in urls} == {True}
    assert settings["socket_mode_enabled"] is False


def test_remembered_signatures_expire_with_the_window_and_are_capped() -> None:
    from bot.adapters.slack import SeenSignatures

    now = [1_000_000.0]
    seen = SeenSignatures(window=300, size=3, clock=lambda: now[0])
    assert seen.first_time("1000000", "v0=a") and not seen.first_time("1000000", "v0=a")
    assert seen.first_time("1000000", "v0=b")  # another signature: another request
    assert seen.first_time("1000001", "v0=a")  # another timestamp: another request
    now[0] += 299
    assert not seen.first_time("1000000", "v0=a")  # still inside the window: still a replay
    now[0] += 2  # the two stamped 1000000 are now too old for the signature check: forgotten
    assert seen.first_time("1000301", "v0=c") and len(seen) == 2
    assert not seen.first_time("1000001", "v0=a")  # its window is not over yet
    assert seen.first_time("1000302", "v0=d") and len(seen) == 3
    assert seen.first_time("1000303", "v0=e") and len(seen) == 3  # the cap: the soonest to expire goes first
    assert seen.first_time("1000001", "v0=a")  # it was that one (forgotten early, as the cap warns)
    assert not seen.first_time("1000303", "v0=e")
