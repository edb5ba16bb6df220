from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.service import AnswerService
from bot import wiring
from tests.doubles.hash_embedder import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SLUGS = ["next-steps-ed", "model-trust", "stone-bay-school", "alternative-provision", "soke-education-trust"]


def seed_text(slug: str) -> str:
    return (CORPUS / slug / "social-media-policy.txt").read_text("utf-8")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def make_service(corpus: Path, index: Path, log_file: Path, emb: object | None = None,
                 today: date = date(2026, 11, 21)) -> AnswerService:
    settings = Settings(corpus_dir=corpus, index_dir=index, log_file=log_file, today=today)
    embedder = emb or HashEmbedder()
    return wiring.answer_service(settings, wiring.ensure_index(settings, embedder), embedder)


@pytest.fixture
def service(corpus_copy: Path, tmp_path: Path) -> AnswerService:
    return make_service(corpus_copy, tmp_path / "index", tmp_path / "log.jsonl")


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    from bot.retrieval.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    """The bundled corpus indexed once per session with the real model."""
    base = tmp_path_factory.mktemp("real")
    shutil.copytree(CORPUS, base / "corpus")
    make_service(base / "corpus", base / "index", base / "unused.jsonl", emb=real_embedder)
    return base


@pytest.fixture
def real_service(real_index: Path, tmp_path: Path, real_embedder: object) -> AnswerService:
    """The answer service with the real model (all-MiniLM-L6-v2): abstention is calibrated for it."""
    return make_service(real_index / "corpus", real_index / "index", tmp_path / "log.jsonl", emb=real_embedder)
