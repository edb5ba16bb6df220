"""A runtime for adapter tests: the bundled corpus with platform mappings (tests.conftest.map_platforms)
and a policy carrying hostile markup, the hashing embedder, SQLite under tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import runtime as runtime_mod
from bot.runtime import Runtime
from tests.admin.conftest import NOW
from tests.conftest import CORPUS, add_hostile_policy, map_platforms, settings_for
from tests.doubles.hash_embedder import HashEmbedder

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
    shutil.copytree(CORPUS, tmp_path / "corpus")
    map_platforms(tmp_path / "corpus")
    add_hostile_policy(tmp_path / "corpus")
    rt = runtime_mod.build(settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var"),
                           emb=HashEmbedder(), clock=lambda: NOW)
    yield rt
    rt.close()


@pytest.fixture
def real_runtime(tmp_path: Path, real_embedder: object) -> Iterator[Runtime]:
    """The same, with the real all-MiniLM-L6-v2 model (abstention is calibrated for it)."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    map_platforms(tmp_path / "corpus")
    rt = runtime_mod.build(settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var"),
                           emb=real_embedder, clock=lambda: NOW)  # type: ignore[arg-type]
    yield rt
    rt.close()


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
    shutil.copytree(CORPUS, tmp_path / "corpus")
    map_platforms(tmp_path / "corpus")
    add_hostile_policy(tmp_path / "corpus")
    configure_induction(tmp_path / "corpus")
    rt = runtime_mod.build(settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var"),
                           emb=HashEmbedder(), clock=lambda: NOW)
    yield rt
    rt.close()
