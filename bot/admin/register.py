"""The acknowledgement register, for inspection: per induction policy and version, the named people of the
staff directory (bot.storage.staff) who acknowledged it, when and on which platform, and who of them is
outstanding. Outstanding comes from the directory only: an anonymous web-chat cookie or an unmatched
platform id is never "someone outstanding". Acknowledgements by accounts not matched to the directory are
listed apart, so that nothing recorded is hidden."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from bot.reading.documents import DocumentInfo

if TYPE_CHECKING:
    from bot.storage.staff import Member

PLATFORMS = {"slack": "Slack", "teams": "Teams", "telegram": "Telegram", "web": "web chat"}


@dataclass(frozen=True)
class AckRow:
    person_key: str
    person_name: str
    version_hash: str
    version_date: str | None
    acknowledged_at: datetime
    channel: str


@dataclass(frozen=True)
class Person:
    """A member of staff as the register shows them."""

    name: str
    keys: tuple[str, ...]  # chat identities matched to them
    email: str | None = None
    role: str | None = None
    left: bool = False  # no longer in the directory's latest import (shown only if they acknowledged)


@dataclass(frozen=True)
class PolicyRegister:
    title: str
    source: str
    version: str  # "3f2a9c1e (September 2023)"
    acknowledged: tuple[tuple[str, datetime, str], ...]  # (name, when, platform), current version
    older: tuple[tuple[str, datetime, str], ...]  # acknowledged an older version only: asked again
    outstanding: tuple[str, ...]  # directory members who have not acknowledged this version (older included)
    unlisted: tuple[tuple[str, datetime, str], ...] = ()  # acknowledged from an account not in the directory
    reach: tuple[tuple[str, int], ...] = ()  # (platform, outstanding people reachable there)
    unreachable: int = 0  # outstanding people with no chat account linked
    version_hash: str = ""
    version_date: str | None = None


def platform_of(person_key: str) -> str:
    return person_key.partition(":")[0]


def people(members: Iterable[Member]) -> list[Person]:
    """The register's people from the directory's members."""
    return [Person(m.name, tuple(m.keys), m.email, m.role, m.left_at is not None) for m in members]


def _unlisted_name(ack: AckRow) -> str:
    """An account not matched to the directory: its recorded name, never a raw cookie or platform id."""
    platform = PLATFORMS.get(platform_of(ack.person_key), platform_of(ack.person_key))
    if ack.person_name and ack.person_name != ack.person_key and not ack.person_name.startswith(f"{platform_of(ack.person_key)}:"):
        return f"{ack.person_name} ({platform} account, not in the directory)"
    return f"unnamed {platform} account"


def build(documents: Sequence[DocumentInfo], everyone: Sequence[Person],
          acks_by_source: dict[str, list[AckRow]]) -> list[PolicyRegister]:
    registers = []
    known = {k for p in everyone for k in p.keys}
    for doc in documents:
        rows = acks_by_source.get(doc.source, [])
        current, older, outstanding = [], [], []
        reach: dict[str, int] = {}
        unreachable = 0
        for person in everyone:
            mine = [r for r in rows if r.person_key in person.keys]
            now = [r for r in mine if r.version_hash == doc.sha256]
            label = f"{person.name} (left)" if person.left else person.name
            if now:
                current.append((label, now[-1].acknowledged_at, now[-1].channel))
                continue
            if mine:
                older.append((label, mine[-1].acknowledged_at, mine[-1].channel))
            if person.left:
                continue
            outstanding.append(person.name)
            for platform in dict.fromkeys(platform_of(k) for k in person.keys):
                reach[platform] = reach.get(platform, 0) + 1
            unreachable += not person.keys
        unlisted = [(_unlisted_name(r), r.acknowledged_at, r.channel) for r in rows
                    if r.person_key not in known and r.version_hash == doc.sha256]
        registers.append(PolicyRegister(
            title=doc.title, source=doc.source,
            version=doc.sha256[:8] + (f" ({doc.approved or doc.next_review_text})" if doc.approved or
                                      doc.next_review_text else ""),
            acknowledged=tuple(current), older=tuple(older), outstanding=tuple(outstanding),
            unlisted=tuple(unlisted), reach=tuple(sorted(reach.items())), unreachable=unreachable,
            version_hash=doc.sha256, version_date=doc.approved or doc.next_review_text))
    return registers


def outstanding_keys(registers: Sequence[PolicyRegister], everyone: Sequence[Person],
                     platform: str | None = None) -> list[str]:
    """The chat identities of everyone outstanding on any policy (on *platform* only, when given)."""
    names = {name for reg in registers for name in reg.outstanding}
    return [k for p in everyone if p.name in names and not p.left for k in p.keys
            if platform is None or platform_of(k) == platform]


def write_csv(registers: Sequence[PolicyRegister], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(("policy", "version", "person", "status", "acknowledged_at", "channel"))
    count = 0
    for reg in registers:
        for name, when, channel in reg.acknowledged:
            writer.writerow((reg.title, reg.version, name, "acknowledged", when.isoformat(), channel))
        for name, when, channel in reg.older:
            writer.writerow((reg.title, reg.version, name, "older version acknowledged", when.isoformat(), channel))
        older = {o[0] for o in reg.older}
        for name in reg.outstanding:
            if name not in older:
                writer.writerow((reg.title, reg.version, name, "outstanding", "", ""))
        for name, when, channel in reg.unlisted:
            writer.writerow((reg.title, reg.version, name, "acknowledged, not in the directory", when.isoformat(),
                             channel))
        count += 1
    return count


def named_raiser(raiser: str, names: Mapping[str, str]) -> str:
    """A concern's raiser as the DSL sees it, with the directory's name where their chat account is matched:
    "Sam Teacher (slack:T1:U9)" from "slack:T1:U9" or from "sam.t (slack:T1:U9)" (the platform's name)."""
    key = raiser[raiser.rfind("(") + 1:-1] if raiser.endswith(")") and "(" in raiser else raiser
    name = names.get(key)
    return f"{name} ({key})" if name else raiser
