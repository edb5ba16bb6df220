"""A server over a copy of the corpus with SLT members at two schools, on SQLite or PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from bot import runtime as runtime_mod
from bot.admin import auth
from bot.reading.corpus import load_org
from bot.runtime import Runtime
from bot.server import build_app
from tests.conftest import CORPUS, settings_for
from tests.doubles.hash_embedder import HashEmbedder

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"
SLT = {
    "stone-bay-school": [("head@stonebay.example", "Jane Hatwell", False), ("dsl@stonebay.example", "Martyn Nash", True)],
    "next-steps-ed": [("head@nextsteps.example", "Pat Leader", False)],
}


@dataclass
class Server:
    runtime: Runtime
    client: TestClient
    corpus: Path


def add_slt(corpus: Path) -> None:
    """Give the test schools their SLT lists (replacing any the bundled org files have)."""
    for slug, members in SLT.items():
        path = corpus / slug / "org.yaml"
        spec = yaml.safe_load(path.read_text("utf-8"))
        spec["slt"] = [{"email": e, "name": n, "dsl": d} for e, n, d in members]
        path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[Server]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    add_slt(corpus)
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var", database_url=database_url)
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    for slug, members in SLT.items():
        for email, _name, _dsl in members:
            auth.set_password(runtime.db, load_org(corpus / slug), email, PASSWORD, NOW)
    with TestClient(build_app(runtime, chores=False), base_url="http://testserver") as client:
        yield Server(runtime, client, corpus)
    runtime.close()


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def sign_in(client: TestClient, org: str, email: str, password: str = PASSWORD) -> object:
    page = client.get("/slt/login")
    return client.post("/slt/login", data={"csrf": csrf_of(page.text), "org": org, "email": email,
                                           "password": password}, follow_redirects=False)
