"""The answer service's plain data: what adapters receive and render."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Question:
    text: str
    org: str
    channel: str = "cli"
    user: str = ""  # the asker's id on the channel ("slack:T1:U2"); pseudonymised before it is logged
    user_name: str = ""  # a display name, logged only where the organisation opts in to identities
    context: str = ""  # "induction" (asked during a walkthrough) or "session:<id>" (a group session)


@dataclass(frozen=True)
class Passage:
    text: str  # verbatim clause text (whitespace repaired only)
    org: str  # the organisation whose document this is
    document: str  # document title
    section: str  # section path, "A › B"
    source: str  # file, relative to the corpus folder
    score: float
    approved: str = ""  # for an answer SLT wrote: "SLT answer, approved by <who> on <date>"


@dataclass(frozen=True)
class Contact:
    role: str
    name: str | None
    how: str | None = None  # how to reach them in plain words (their e-mail or phone), when known
    handles: tuple[tuple[str, str], ...] = ()  # (platform, id) from the org file: ("slack", "U0123")
    email: str | None = None  # shown as a mailto: link where the platform has links
    phone: str | None = None  # as written ("01234 567890"); a tel: link where the platform has links


@dataclass(frozen=True)
class Answer:
    question: str
    org: str
    answered: bool
    passages: tuple[Passage, ...] = ()
    contacts: tuple[Contact, ...] = ()
    warnings: tuple[str, ...] = ()
    message: str = ""  # a short lead-in sentence for people
    urgent: str = ""  # a live safeguarding concern: what to do now, shown before anything else
    concern: str = ""  # why the question was flagged as a live concern about a child ("" if not)
    concern_about: str = ""  # whom the concern is about: "child", "staff" or "head" ("" if not flagged)
    log_id: str | None = None  # the question log entry, for feedback buttons; None when not logged

    def to_json(self) -> dict[str, Any]:
        """The line format of `policybot ask --json` (a contract: checks depend on it)."""
        return {
            "question": self.question,
            "org": self.org,
            "answered": self.answered,
            "passages": [asdict(p) for p in self.passages],
            # role, name, how, handles: the contract's keys (e-mail and phone are in `how`)
            "contacts": [{k: v for k, v in asdict(c).items() if k in ("role", "name", "how", "handles")}
                         for c in self.contacts],
            "warnings": list(self.warnings),
            "urgent": self.urgent,
        }
