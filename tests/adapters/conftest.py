"""A runtime for adapter tests: the bundled corpus with platform mappings (tests.conftest.map_platforms)
and a policy carrying hostile markup, the hashing embedder, SQLite under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from tests.conftest import add_hostile_policy, map_platforms, built_runtime

# With the hashing embedder (no model), this question is answered for Stone Bay School with this clause
# and the DSL, Martyn Nash, as first contact. ("friend request from an ex-pupil" is declined by it.)
ANSWERABLE = "a parent messaged me on my personal facebook account, what should I do?"
EXPECTED_QUOTE = "Any communication from learners and parents/carers received on personal social media"
EXPECTED_CONTACT = "Martyn Nash"
# Answered with the hostile clause (tests.conftest.HOSTILE_POLICY) quoted first.
HOSTILE_QUESTION = "what do I do with a script alert message that says channel?"


@pytest.fixture
def adapter_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """Build your adapter with `adapter_runtime.settings` (copy it with model_copy(update={...}) for your
    platform's tokens/URLs) and `adapter_runtime.chat`. Log entries: tests.conftest.logged_entries(
    adapter_runtime.settings.database_url)."""
    with built_runtime(tmp_path, map_platforms, add_hostile_policy) as rt:
        yield rt


@pytest.fixture
def real_runtime(tmp_path: Path, real_embedder: object) -> Iterator[Runtime]:
    """The same, with the real all-MiniLM-L6-v2 model (abstention is calibrated for it)."""
    with built_runtime(tmp_path, map_platforms, emb=real_embedder) as rt:
        yield rt


def configure_induction(corpus: Path) -> None:
    """An induction pack for Stone Bay School in *corpus*: two key points of the social media policy and
    one true/false check; Tess Teacher is Telegram user 4242 and Slack user U1."""
    import yaml

    path = corpus / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["induction"] = {"max_points": 2, "policies": [{
        "file": "social-media-policy.txt",
        "statements": [{"text": "I may accept a friend request from a current pupil.", "true": False}]}]}
    spec["staff"] = [{"name": "Tess Teacher", "telegram": 4242, "slack": "U1"}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")


@pytest.fixture
def induction_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """adapter_runtime with Stone Bay's induction pack (configure_induction)."""
    with built_runtime(tmp_path, map_platforms, add_hostile_policy, configure_induction) as rt:
        yield rt
