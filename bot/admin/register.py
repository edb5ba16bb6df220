"""The acknowledgement register: per induction policy and version, who acknowledged it and when, and who
is outstanding (the org file's staff list, plus anyone the bot has talked to)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from bot.reading.documents import DocumentInfo, StaffMember


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
    name: str
    keys: tuple[str, ...]  # chat identities known for them


@dataclass(frozen=True)
class PolicyRegister:
    title: str
    source: str
    version: str  # "3f2a9c1e (September 2023)"
    acknowledged: tuple[tuple[str, datetime, str], ...]  # (name, when, channel), current version
    older: tuple[tuple[str, datetime, str], ...]  # acknowledged an older version only: asked again
    outstanding: tuple[str, ...]


def handle_of(person_key: str) -> tuple[str, str]:
    """("slack", "U1") from "slack:T1:U1": the platform and the user's id on it."""
    platform, _, rest = person_key.partition(":")
    return platform, rest.rsplit(":", 1)[-1]


def people(staff: Sequence[StaffMember], seen_keys: Iterable[str], acks: Iterable[AckRow]) -> list[Person]:
    """Everyone expected to complete induction: the staff list first, then anyone else seen or acknowledging."""
    out = [Person(m.name, ()) for m in staff]
    keys_of: dict[int, list[str]] = {i: [] for i in range(len(out))}
    named = {ack.person_key: ack.person_name for ack in acks}
    for key in dict.fromkeys([*seen_keys, *named]):
        match = next((i for i, m in enumerate(staff) if handle_of(key) in m.handles), None)
        if match is None:
            out.append(Person(named.get(key, key), (key,)))
        else:
            keys_of[match].append(key)
    return [Person(p.name, tuple(keys_of[i])) if i in keys_of else p for i, p in enumerate(out)]


def build(documents: Sequence[DocumentInfo], everyone: Sequence[Person],
          acks_by_source: dict[str, list[AckRow]]) -> list[PolicyRegister]:
    registers = []
    for doc in documents:
        rows = acks_by_source.get(doc.source, [])
        current, older = [], []
        for person in everyone:
            mine = [r for r in rows if r.person_key in person.keys]
            now = [r for r in mine if r.version_hash == doc.sha256]
            if now:
                current.append((person.name, now[-1].acknowledged_at, now[-1].channel))
            elif mine:
                older.append((person.name, mine[-1].acknowledged_at, mine[-1].channel))
        done = {name for name, _, _ in current}
        registers.append(PolicyRegister(
            title=doc.title, source=doc.source,
            version=doc.sha256[:8] + (f" ({doc.approved or doc.next_review_text})" if doc.approved or
                                      doc.next_review_text else ""),
            acknowledged=tuple(current), older=tuple(older),
            outstanding=tuple(p.name for p in everyone if p.name not in done)))
    return registers


def write_csv(registers: Sequence[PolicyRegister], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(("policy", "version", "person", "status", "acknowledged_at", "channel"))
    count = 0
    for reg in registers:
        for name, when, channel in reg.acknowledged:
            writer.writerow((reg.title, reg.version, name, "acknowledged", when.isoformat(), channel))
        for name, when, channel in reg.older:
            writer.writerow((reg.title, reg.version, name, "older version acknowledged", when.isoformat(), channel))
        for name in reg.outstanding:
            if not any(name == o[0] for o in reg.older):
                writer.writerow((reg.title, reg.version, name, "outstanding", "", ""))
        count += 1
    return count
