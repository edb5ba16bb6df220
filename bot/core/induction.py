"""The induction walkthrough: one key point at a time (quote, section, contact), Next / Back / "I have a
question", a short true/false check where the org file gives statements, then "I have read and
understood <policy>", recorded against the policy's version. Also: telling someone when a policy they
acknowledged has changed since.

State is per person, in memory: a server restart means typing /induction again (acknowledgements, which
matter, are in the database).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core import compose
from bot.core.induction_pack import Changes, changes, key_points
from bot.core.models import Contact, Passage
from bot.core.service import AnswerService
from bot.reading.documents import Clause, DocumentInfo, InductionPolicy, Organisation, Statement


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # sent back by the adapter to ChatService.induction: "next", "back", "ask", "true", ...


@dataclass(frozen=True)
class InductionStep:
    title: str  # "Social Media Policy — key point 2 of 6"
    text: str  # what to do, or the result of the last check
    passage: Passage | None = None
    contact: Contact | None = None
    buttons: tuple[Button, ...] = ()


class AckStore(Protocol):
    def record(self, org: str, person_key: str, person_name: str, source: str, title: str, version_hash: str,
               version_date: str | None, clauses: Sequence[str], channel: str, session: str | None = None) -> None: ...

    def latest_for(self, org: str, person_key: str) -> Mapping[str, object]: ...

    def clauses_of(self, source: str, version_hash: str) -> list[str] | None: ...


@dataclass
class _Walk:
    org: str
    policies: list[tuple[DocumentInfo, list[tuple[str, object]]]]  # each: (doc, steps)
    policy: int = 0
    step: int = 0
    asking: bool = False
    session: str | None = None
    note: str = ""


@dataclass
class Induction:
    answers: Callable[[], AnswerService]
    acks: AckStore
    _walks: dict[str, _Walk] = field(default_factory=dict)
    _sessions: dict[str, str] = field(default_factory=dict)  # "platform:workspace" -> session id
    _diffs: dict[tuple[str, str, str], Changes] = field(default_factory=dict)  # (source, old, new) -> changes
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- group sessions -------------------------------------------------------------------------
    def start_session(self, room: str) -> str:
        with self._lock:
            self._sessions[room] = uuid.uuid4().hex[:12]
            return self._sessions[room]

    def end_session(self, room: str) -> str | None:
        with self._lock:
            return self._sessions.pop(room, None)

    def session_of(self, room: str) -> str | None:
        return self._sessions.get(room)

    # --- the walkthrough ------------------------------------------------------------------------
    def start(self, person: str, org: str, session: str | None = None) -> InductionStep:
        pack = self._pack(org)
        done = self.acks.latest_for(org, person)
        todo = [(doc, steps) for doc, steps in pack if getattr(done.get(doc.source), "version_hash", None) != doc.sha256]
        if not pack:
            return InductionStep("Induction", "There is no induction pack for your organisation yet.")
        if not todo:
            self._walks.pop(person, None)
            return InductionStep("Induction", "You're up to date: you have acknowledged the current version of "
                                 "every induction policy. Type /induction again any time after a policy changes.")
        self._walks[person] = _Walk(org, todo, session=session)
        return self._render(person)

    def active(self, person: str) -> bool:
        return person in self._walks

    def asking(self, person: str) -> bool:
        walk = self._walks.get(person)
        return walk is not None and walk.asking

    def current(self, person: str) -> InductionStep | None:
        if person not in self._walks:
            return None
        self._walks[person].asking = False
        return self._render(person)

    def act(self, person: str, action: str, name: str, channel: str) -> InductionStep:
        walk = self._walks.get(person)
        if walk is None:
            return InductionStep("Induction", "Type /induction to start (or carry on with) your induction.")
        kind, item = walk.policies[walk.policy][1][walk.step]
        walk.note = ""
        if action == "back":
            self._move(walk, -1)
        elif action == "next" and kind == "point":
            self._move(walk, +1)
        elif action in ("true", "false") and kind == "check":
            assert isinstance(item, Statement)
            right = (action == "true") == item.true
            walk.note = ("Right: " if right else "Not quite: ") + f"that statement is {str(item.true).lower()}."
            self._move(walk, +1)
        elif action == "ask":
            walk.asking = True
            return InductionStep("Induction", "Type your question. I'll answer it from the policies, then we'll "
                                 "carry on from here.")
        elif action == "ack" and kind == "ack":
            doc = walk.policies[walk.policy][0]
            self._acknowledge(walk, person, name, channel, doc)
            if walk.policy + 1 >= len(walk.policies):
                del self._walks[person]
                return InductionStep("Induction complete", f"Recorded: you have read and understood {doc.title}. "
                                     "That was the last policy — thank you. Your answers are in the school's "
                                     "register.")
            walk.policy, walk.step = walk.policy + 1, 0
            walk.note = f"Recorded: you have read and understood {doc.title}."
        return self._render(person)

    def _acknowledge(self, walk: _Walk, person: str, name: str, channel: str, doc: DocumentInfo) -> None:
        texts = [c.text for c in self._clauses(doc)]
        self.acks.record(walk.org, person, name, doc.source, doc.title, doc.sha256,
                         doc.approved or doc.next_review_text, texts, channel, walk.session)

    def _move(self, walk: _Walk, delta: int) -> None:
        steps = walk.policies[walk.policy][1]
        walk.step = max(0, min(len(steps) - 1, walk.step + delta))

    def _render(self, person: str) -> InductionStep:
        walk = self._walks[person]
        doc, steps = walk.policies[walk.policy]
        kind, item = steps[walk.step]
        lead = (walk.note + " ") if walk.note else ""
        back = (Button("Back", "back"),) if walk.step > 0 else ()
        points = sum(1 for k, _ in steps if k == "point")
        if kind == "point":
            assert isinstance(item, Clause)
            n = sum(1 for k, _ in steps[:walk.step + 1] if k == "point")
            return InductionStep(f"{doc.title} — key point {n} of {points}", lead + "Read this, then press Next.",
                                 passage=_passage(item), contact=self._contact(walk.org, item),
                                 buttons=(*back, Button("Next", "next"), Button("I have a question", "ask")))
        if kind == "check":
            assert isinstance(item, Statement)
            return InductionStep(f"{doc.title} — quick check", lead + f"True or false? {item.text}",
                                 buttons=(*back, Button("True", "true"), Button("False", "false")))
        return InductionStep(f"{doc.title} — acknowledgement", lead + f"If you have read and understood the key points, "
                             f"press the button to record it (version of {doc.approved or doc.next_review_text or 'this policy'}).",
                             buttons=(*back, Button(f"I have read and understood {doc.title}", "ack"),
                                      Button("I have a question", "ask")))

    # --- the pack ---------------------------------------------------------------------------------
    def _pack(self, org: str) -> list[tuple[DocumentInfo, list[tuple[str, object]]]]:
        service = self.answers()
        organisation = service.orgs[org]
        docs = self._docs(service, organisation)
        pack = []
        for doc, spec in docs:
            points = key_points(self._clauses(doc), spec.key_points if spec else (), organisation.induction_max_points)
            steps: list[tuple[str, object]] = [("point", c) for c in points]
            steps += [("check", s) for s in (spec.statements if spec else ())]
            pack.append((doc, steps + [("ack", None)]))
        return pack

    def documents(self, org: str) -> list[DocumentInfo]:
        """The policies of *org*'s induction pack, in reading order."""
        service = self.answers()
        return [d for d, _ in self._docs(service, service.orgs[org])]

    def _docs(self, service: AnswerService, org: Organisation) -> list[tuple[DocumentInfo, InductionPolicy | None]]:
        chain = service.searcher.scope_orgs(org.slug)
        docs = [d for d in service.documents.values() if d.org in chain and not d.source.endswith("slt-answers.yaml")]
        if not org.induction:
            return [(d, None) for d in docs if d.org == org.slug] or [(d, None) for d in docs]
        by_file = {d.source.rsplit("/", 1)[-1]: d for d in sorted(docs, key=lambda d: chain.index(d.org))[::-1]}
        return [(by_file[p.file], p) for p in org.induction if p.file in by_file]

    def _clauses(self, doc: DocumentInfo) -> list[Clause]:
        return [c for c in self.answers().searcher.clauses if c.source == doc.source]

    def _contact(self, org: str, clause: Clause) -> Contact | None:
        service = self.answers()
        directory = compose.Directory([service.orgs[o] for o in service.searcher.scope_orgs(org)],
                                      service.documents.values())
        found = compose.contacts_for([clause], service.documents, directory, None)
        return found[0] if found else None

    # --- changed policies ---------------------------------------------------------------------------
    def _diff(self, doc: DocumentInfo, version: str) -> Changes:
        """What changed between an acknowledged version and the current one: the same for everyone, so it
        is worked out once per pair of versions, not on every message."""
        key = (doc.source, version, doc.sha256)
        if key not in self._diffs:
            before = self.acks.clauses_of(doc.source, version) or []
            self._diffs[key] = changes(before, [c.text for c in self._clauses(doc)])
        return self._diffs[key]

    def changed_since_ack(self, person: str, org: str) -> str:
        """A short notice for each acknowledged policy that has changed since (empty when none)."""
        service = self.answers()
        notes = []
        for source, acked in self.acks.latest_for(org, person).items():
            doc = service.documents.get(source)
            version = getattr(acked, "version_hash", None)
            if doc is None or version == doc.sha256 or version is None:
                continue
            diff = self._diff(doc, version)
            notes.append(f"{doc.title} has changed since you acknowledged it ({diff.summary}): {_listed(diff)}.")
        if not notes:
            return ""
        return " ".join(notes) + " Type /induction to read it again and acknowledge the new version."


def _listed(diff: Changes, most: int = 3) -> str:
    """The first few changes, short: 'added "Staff must not livestream…"; reworded "…"'."""
    items = ([f"added “{_short(t)}”" for t in diff.added] + [f"reworded “{_short(new)}”" for _, new in diff.reworded]
             + [f"removed “{_short(t)}”" for t in diff.removed])
    more = f"; and {len(items) - most} more" if len(items) > most else ""
    return "; ".join(items[:most]) + more


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _passage(clause: Clause) -> Passage:
    return Passage(text=clause.text, org=clause.org, document=clause.document, section=clause.section,
                   source=clause.source, score=1.0, approved=clause.note)
