"""Pseudonymous asker ids: the same person gets the same id within an organisation, and nobody can
recover who it was without the deployment's secret key (a keyed hash, not a plain one: a plain hash of
a Slack id can be reversed by hashing every id in the workspace)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

KEY_BYTES = 32


def pseudonym(key: bytes, org: str, user: str) -> str:
    digest = hmac.new(key, f"{org}\x00{user}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def load_or_create_key(path: Path) -> bytes:
    """The key kept in *path*, made (random, readable by the owner only) on first use."""
    if path.is_file():
        key = bytes.fromhex(path.read_text("ascii").strip())
        if len(key) >= 16:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key.hex() + "\n", "ascii")
    tmp.chmod(0o600)
    tmp.replace(path)
    return key
