"""The induction walkthrough: one key point at a time (quote, section, contact), Next / Back / "I have a
question", a short true/false check where the org file gives statements, then "I have read and
understood <policy>", recorded against the policy's version. Also: telling someone when a policy they
acknowledged has changed since.

Where each person is, and the group sessions, are kept by the stores passed in (bot.core.chat_state:
in memory by default; in the database, shared by every server and kept across restarts, when the server
builds it, bot.storage.chat_state). A press is applied by compare-and-set, so two servers seeing presses
of the same person apply each once and record one acknowledgement.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.core import compose
from bot.core.chat_state import MemoryRooms, MemoryWalks, Rooms, WalkState, Walks
from bot.core.induction_pack import Changes, changes, key_points
from bot.core.models import Contact, Passage
from bot.core.service import AnswerService
from bot.errors import StorageError
from bot.reading.documents import Clause, DocumentInfo, InductionPolicy, Organisation, Statement

log = logging.getLogger(__name__)


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
    # Which position of which stored walkthrough this step shows ("" for a step that is no position): an
    # adapter that can carry it in its buttons gives it back with the press, and a press of an older
    # card's button (the walkthrough has moved on since) then changes nothing.
    token: str = ""


class AckStore(Protocol):
    def record(self, org: str, person_key: str, person_name: str, source: str, title: str, version_hash: str,
               version_date: str | None, clauses: Sequence[str], channel: str, session: str | None = None) -> None: ...

    def latest_for(self, org: str, person_key: str) -> Mapping[str, object]: ...

    def clauses_of(self, source: str, version_hash: str) -> list[str] | None: ...


Pack = list[tuple[DocumentInfo, list[tuple[str, object]]]]  # each policy: (doc, steps)
_TRIES = 5  # compare-and-set attempts for one press (each lost race means another press came first)


@dataclass(frozen=True)
class _Walk:
    state: WalkState
    policies: Pack  # the plan's policies as the current index has them
    renewed: bool = False  # the policies changed since it was stored: *state* starts it again


@dataclass(frozen=True)
class _Move:
    state: WalkState | None  # None: the walkthrough is over
    ack: DocumentInfo | None = None  # to record as acknowledged by this move
    step: InductionStep | None = None  # to show instead of the new position


@dataclass
class Induction:
    answers: Callable[[], AnswerService]
    acks: AckStore
    walks: Walks = field(default_factory=MemoryWalks)  # who is where (shared by servers: bot.storage)
    rooms: Rooms = field(default_factory=MemoryRooms)  # group sessions, "platform:workspace" -> session id
    _diffs: dict[tuple[str, str, str], Changes] = field(default_factory=dict)  # (source, old, new) -> changes
    _packs: dict[str, Pack] = field(default_factory=dict)  # org -> its pack, for the service _packed_for names
    _packed_for: weakref.ref[AnswerService] | None = None  # weak: a replaced index is not kept alive by this
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- group sessions -------------------------------------------------------------------------
    def start_session(self, room: str) -> str:
        session = uuid.uuid4().hex[:12]
        self.rooms.open(room, session)
        return session

    def end_session(self, room: str) -> str | None:
        return self.rooms.close(room)

    def session_of(self, room: str) -> str | None:
        return self.rooms.session_of(room)

    # --- the walkthrough ------------------------------------------------------------------------
    def start(self, person: str, org: str, session: str | None = None) -> InductionStep:
        pack = self._pack(org)
        todo = self._todo(org, person, pack)
        if not pack:
            return InductionStep("Induction", "There is no induction pack for your organisation yet.")
        if not todo:
            self.walks.drop(person)
            return _UP_TO_DATE
        state = self.walks.put(person, WalkState(org, _plan(todo), session=session))
        return self._render(_Walk(state, todo))

    def active(self, person: str) -> bool:
        return self.walks.get(person) is not None

    def asking(self, person: str) -> bool:
        state = self.walks.get(person)
        return state is not None and state.asking

    def current(self, person: str) -> InductionStep | None:
        """The step they are at (after answering the question they asked during it); None if there is none,
        or it cannot be worked out now (the answer goes out without it)."""
        try:
            return self._change(person, lambda walk: _Move(replace(walk.state, asking=False)))
        except StorageError as exc:
            log.warning("induction: no step after the answer (%s)", exc)
            return None

    def act(self, person: str, action: str, name: str, channel: str, token: str = "") -> InductionStep:
        """Apply a press of *action*; with the *token* of the step whose button it was, only while the
        walkthrough is still at that step (otherwise MOVED_ON, and nothing changes)."""
        def move(walk: _Walk) -> _Move:
            if token and token != step_token(walk.state):
                return _Move(walk.state, step=MOVED_ON)
            return self._apply(walk, action)

        step = self._change(person, move, name, channel)
        return step or InductionStep("Induction", "Type /induction to start (or carry on with) your induction.")

    def _change(self, person: str, move_of: Callable[[_Walk], _Move], name: str = "", channel: str = ""
                ) -> InductionStep | None:
        """Apply *move_of* to the walkthrough as stored, by compare-and-set (again, to the new position,
        if another server changed it first); record the acknowledgement the move makes, once."""
        for _ in range(_TRIES):
            walk = self._load(person)
            if walk is None:
                return None
            if walk.renewed:  # the policies changed: show the new start (or that nothing is left), not the press
                move = _Move(walk.state, step=None) if walk.policies else _Move(None, step=_UP_TO_DATE)
            else:
                move = move_of(walk)
            if move.state is None:
                if not self.walks.end(person, walk.state.version):
                    continue
            elif move.state != walk.state or walk.renewed:
                stored = self.walks.swap(person, walk.state.version, move.state)
                if stored is None:
                    continue
                move = replace(move, state=stored)
            if move.ack is not None:
                self._acknowledge_or_undo(person, walk, move, name, channel)
            if move.step is not None:
                return move.step
            return self._render(_Walk(move.state, walk.policies)) if move.state else _UP_TO_DATE
        log.warning("induction: a press lost the race %d times; showing the step as it is", _TRIES)
        walk = self._load(person)
        return self._render(walk) if walk else None

    def _acknowledge_or_undo(self, person: str, walk: _Walk, move: _Move, name: str, channel: str) -> None:
        """Record the acknowledgement this move claimed; if that fails, put the walkthrough back where it
        was (so they can press again) and let the error through."""
        assert move.ack is not None
        try:
            self._acknowledge(walk.state, person, name, channel, move.ack)
        except Exception:  # whatever it was, the claim is undone before it goes on up
            if move.state is None:
                self.walks.put(person, walk.state)
            else:
                self.walks.swap(person, move.state.version, walk.state)
            raise

    def _load(self, person: str) -> _Walk | None:
        """The stored walkthrough with its policies; if any of them changed since (a reindex), a new
        start from the first policy still to acknowledge (to be stored by the caller)."""
        state = self.walks.get(person)
        if state is None or state.org not in self.answers().orgs:
            return None
        pack = self._pack(state.org)
        by_source = {doc.source: (doc, steps) for doc, steps in pack}
        policies = [by_source[s] for s, sha in state.plan if s in by_source and by_source[s][0].sha256 == sha]
        if len(policies) == len(state.plan) and state.policy < len(policies) \
                and state.step < len(policies[state.policy][1]):  # the org file's pack may have changed too
            return _Walk(state, policies)
        todo = self._todo(state.org, person, pack)
        note = "The induction policies have changed since you started, so this starts again from the first " \
               "one you still need to acknowledge."
        if not todo:
            return _Walk(replace(state, plan=()), [], renewed=True)
        fresh = WalkState(state.org, _plan(todo), session=state.session, note=note, version=state.version)
        return _Walk(fresh, todo, renewed=True)

    def _todo(self, org: str, person: str, pack: Pack) -> Pack:
        done = self.acks.latest_for(org, person)
        return [(doc, steps) for doc, steps in pack if getattr(done.get(doc.source), "version_hash", None) != doc.sha256]

    def _apply(self, walk: _Walk, action: str) -> _Move:
        """What *action* does at the walkthrough's position (a press that does not fit it does nothing)."""
        state = replace(walk.state, note="")
        doc, steps = walk.policies[state.policy]
        kind, item = steps[state.step]
        if action == "back":
            return _Move(_moved(state, steps, -1))
        if action == "next" and kind == "point":
            return _Move(_moved(state, steps, +1))
        if action in ("true", "false") and kind == "check":
            assert isinstance(item, Statement)
            right = (action == "true") == item.true
            note = ("Right: " if right else "Not quite: ") + f"that statement is {str(item.true).lower()}."
            return _Move(_moved(replace(state, note=note), steps, +1))
        if action == "ask":
            return _Move(replace(state, asking=True), step=InductionStep(
                "Induction", "Type your question. I'll answer it from the policies, then we'll carry on from here."))
        if action == "ack" and kind == "ack":
            if state.policy + 1 >= len(walk.policies):
                return _Move(None, ack=doc, step=InductionStep(
                    "Induction complete", f"Recorded: you have read and understood {doc.title}. That was the "
                    "last policy — thank you. Your answers are in the school's register."))
            return _Move(replace(state, policy=state.policy + 1, step=0,
                                 note=f"Recorded: you have read and understood {doc.title}."), ack=doc)
        return _Move(state)

    def _acknowledge(self, state: WalkState, person: str, name: str, channel: str, doc: DocumentInfo) -> None:
        texts = [c.text for c in self._clauses(doc)]
        version = doc.approved or doc.next_review_text
        if self._overdue(doc):  # the register shows it was acknowledged while overdue (in the version's date)
            version = overdue_version_date(version, _due(doc))
        self.acks.record(state.org, person, name, doc.source, doc.title, doc.sha256, version, texts, channel,
                         state.session)

    def _overdue(self, doc: DocumentInfo) -> bool:
        return compose.review_status(doc, self.answers().today()) == "overdue"

    def _overdue_warning(self, org: str, doc: DocumentInfo) -> tuple[str, Contact | None]:
        """"This policy was due for review on ...; tell <its lead>." and that lead, when *doc* is overdue."""
        if not self._overdue(doc):
            return "", None
        lead = self._lead(org, doc)
        who = compose.describe(lead) if lead else "your senior leadership team"
        return (f"This policy was due for review on {_due(doc)}; tell {who} that it is overdue. You can still "
                "acknowledge this version."), lead

    def _lead(self, org: str, doc: DocumentInfo) -> Contact | None:
        """Who answers for the policy: its own lead or owner, else the organisation's general contact."""
        service = self.answers()
        directory = compose.Directory([service.orgs[o] for o in service.searcher.scope_orgs(org)],
                                      service.documents.values())
        if doc.owner_role:
            return directory.for_role(doc.owner_role)
        phrase = service.orgs[org].general_contact
        return directory.for_phrase(phrase) if phrase else None

    def _render(self, walk: _Walk) -> InductionStep:
        state = walk.state
        if not walk.policies:
            return _UP_TO_DATE
        doc, steps = walk.policies[state.policy]
        kind, item = steps[state.step]
        lead = (state.note + " ") if state.note else ""
        back = (Button("Back", "back"),) if state.step > 0 else ()
        points = sum(1 for k, _ in steps if k == "point")
        token = step_token(state)
        if kind == "point":
            assert isinstance(item, Clause)
            n = sum(1 for k, _ in steps[:state.step + 1] if k == "point")
            return InductionStep(f"{doc.title} — key point {n} of {points}", lead + "Read this, then press Next.",
                                 passage=_passage(item), contact=self._contact(state.org, item),
                                 buttons=(*back, Button("Next", "next"), Button("I have a question", "ask")),
                                 token=token)
        if kind == "check":
            assert isinstance(item, Statement)
            return InductionStep(f"{doc.title} — quick check", lead + f"True or false? {item.text}",
                                 buttons=(*back, Button("True", "true"), Button("False", "false")), token=token)
        overdue, contact = self._overdue_warning(state.org, doc)
        return InductionStep(f"{doc.title} — acknowledgement", lead + (overdue + " " if overdue else "") +
                             f"If you have read and understood the key points, press the button to record it "
                             f"(version of {doc.approved or doc.next_review_text or 'this policy'}).",
                             contact=contact, buttons=(*back, Button(f"I have read and understood {doc.title}", "ack"),
                                                       Button("I have a question", "ask")), token=token)

    # --- the pack ---------------------------------------------------------------------------------
    def _pack(self, org: str) -> Pack:
        """*org*'s policies with their steps, worked out once per index (every press needs them)."""
        service = self.answers()
        with self._lock:
            if self._packed_for is None or self._packed_for() is not service:  # a new index: start afresh
                self._packs, self._packed_for = {}, weakref.ref(service)
            cached = self._packs.get(org)
        if cached is not None:
            return cached
        pack = self._build_pack(service, org)
        with self._lock:
            if self._packed_for() is service:
                self._packs[org] = pack
        return pack

    def _build_pack(self, service: AnswerService, org: str) -> Pack:
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


_UP_TO_DATE = InductionStep("Induction", "You're up to date: you have acknowledged the current version of every "
                            "induction policy. Type /induction again any time after a policy changes.")


MOVED_ON = InductionStep("Induction", "That step has moved on: carry on from the latest induction card (or type "
                         "/induction to see where you are).")


def step_token(state: WalkState) -> str:
    """The stored walkthrough's version and position: a new one after every change, so an older card's
    token no longer matches (the position too, as a version starts again at 1 for a new walkthrough)."""
    return f"{state.version}.{state.policy}.{state.step}"


OVERDUE_NOTE = "acknowledged while overdue for review"
_VERSION_DATE_MAX = 100  # acknowledgements.version_date is a String(100)


def overdue_version_date(version: str | None, due: str) -> str:
    """The version's date as the register keeps it for an acknowledgement of an overdue policy:
    "September 2023; acknowledged while overdue for review (due October 2024)", within the column's size."""
    note = f"{OVERDUE_NOTE} (due {due})"
    if not version:
        return note[:_VERSION_DATE_MAX]
    room = _VERSION_DATE_MAX - len(note) - 2
    return f"{version[:max(room, 0)]}; {note}"[:_VERSION_DATE_MAX]


def _due(doc: DocumentInfo) -> str:
    return doc.next_review_text or (doc.next_review.strftime("%-d %B %Y") if doc.next_review else "its review date")


def _plan(todo: Pack) -> tuple[tuple[str, str], ...]:
    return tuple((doc.source, doc.sha256) for doc, _ in todo)


def _moved(state: WalkState, steps: list[tuple[str, object]], delta: int) -> WalkState:
    return replace(state, step=max(0, min(len(steps) - 1, state.step + delta)))


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
