"""The error tree. Core code raises these; the edges (CLI, adapters) catch them and reply politely.

    PolicybotError
    ├── ConfigError             settings or an org.yaml that cannot be used
    ├── CorpusError             the corpus folder itself is missing or empty
    ├── DocumentError           one document cannot be read (others are still indexed)
    ├── UnknownOrganisation     a question names an organisation that is not in the index
    ├── IndexMissing            no built index where one is expected (run `policybot index`)
    ├── QuestionError           the question cannot be answered as asked (empty, too long, not text)
    ├── StorageError            the question log's database cannot be used (unreachable, migration failed)
    └── AccessDenied            an SLT action by someone not allowed to take it
"""

from __future__ import annotations


class PolicybotError(Exception):
    """Base of every error policybot raises on purpose."""


class ConfigError(PolicybotError):
    pass


class CorpusError(PolicybotError):
    pass


class DocumentError(PolicybotError):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class UnknownOrganisation(PolicybotError):
    def __init__(self, slug: str, known: list[str]) -> None:
        listed = ", ".join(known) or "none"
        super().__init__(f"unknown organisation '{slug}' (known: {listed})")
        self.slug = slug


class IndexMissing(PolicybotError):
    pass


class QuestionError(PolicybotError):
    pass


class StorageError(PolicybotError):
    pass


class AccessDenied(PolicybotError):
    pass
