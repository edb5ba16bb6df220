"""Reply composition: who to contact and what to warn about, as pure functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from bot.core.models import Contact
from bot.reading import reach as reach_mod
from bot.reading import roles
from bot.reading.documents import Clause, DocumentInfo, Organisation, Person
from bot.retrieval.features import heading

MAX_CONTACTS = 3


class Directory:
    """Who holds which role for one organisation: its org file first, then its own documents, then its
    parent trust's (org file, documents). The nearest entry for a role wins."""

    def __init__(self, chain: Sequence[Organisation], documents: Iterable[DocumentInfo]) -> None:
        docs = list(documents)
        self.by_role: dict[str, Person] = {}
        self.by_name: dict[str, Person] = {}
        for org in chain:
            people = list(org.people) + [p for d in docs if d.org == org.slug for p in d.people]
            for person in people:
                self._add(person)

    def _add(self, person: Person) -> None:
        if person.role_key and person.role_key not in self.by_role:
            self.by_role[person.role_key] = person
        elif person.role_key in self.by_role and not self.by_role[person.role_key].name and person.name:
            self.by_role[person.role_key] = person
        if person.name:
            known = self.by_name.get(person.name)
            if known is None or (not known.how and person.how):
                self.by_name[person.name] = person

    def for_role(self, key: str) -> Contact:
        person = self.by_role.get(key)
        if person is None:
            return Contact(role=roles.label(key), name=None)
        reachable = self.by_name.get(person.name) if person.name and not person.how else None
        if reachable is not None and reachable.how:  # the same person, with an e-mail or phone given elsewhere
            person = replace(person, how=reachable.how, email=reachable.email, phone=reachable.phone)
        return _contact(person)

    def holders(self, keys: Iterable[str]) -> list[Contact]:
        """The named holders of these roles, in order; a role nobody here is named for gives no one."""
        return [c for key in keys if (c := self.for_role(key)).name]

    def for_phrase(self, phrase: str) -> Contact | None:
        """A role ("Designated Safeguarding Lead") or a person's name, as an org file may give it."""
        if phrase in self.by_name:
            return _contact(self.by_name[phrase])
        key = roles.role_key(phrase)
        return self.for_role(key) if key else None


def _contact(person: Person) -> Contact:
    role = person.role if not person.title else f"{person.role} ({person.title})"
    return Contact(role=role, name=person.name, how=person.how, handles=person.handles, email=person.email,
                   phone=person.phone)


def contacts_for(clauses: Sequence[Clause], documents: dict[str, DocumentInfo], directory: Directory,
                 fallback: Contact | None, asked: Sequence[str] = ()) -> tuple[Contact, ...]:
    """The people responsible for what these clauses say, best first.

    A role the question itself names ("who's the e-safety lead?") gives its holder first, when this
    organisation names one. Then: a clause that names a person gives that person; one that names a role
    ("report to the DSL"), in its text or its heading ("SENDCo:"), gives whoever holds that role here;
    otherwise the policy's own lead or owner answers for it."""
    found: list[Contact] = directory.holders(asked)
    for clause in clauses:
        found.extend(_for_clause(clause, documents.get(clause.source), directory))
    if not any(c.name for c in found) and fallback:
        found.append(fallback)
    return tuple(_dedupe(found)[:MAX_CONTACTS])


def _for_clause(clause: Clause, doc: DocumentInfo | None, directory: Directory) -> list[Contact]:
    named = [c for n in clause.names if (c := directory.for_phrase(n))]
    if named:
        return named
    by_role = [directory.for_role(k) for k in clause.roles or roles.find_roles(heading(clause))]
    if by_role:
        return by_role
    if doc and doc.owner_role:
        return [directory.for_role(doc.owner_role)]
    subject = roles.subject_role(doc.title) if doc else None
    return directory.holders([subject] if subject else [])  # the lead on the policy's subject, when named


def _dedupe(contacts: list[Contact]) -> list[Contact]:
    seen: set[str] = set()
    out: list[Contact] = []
    for c in sorted(contacts, key=lambda c: c.name is None):  # named people before bare roles
        key = (c.name or c.role).lower()
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def review_status(doc: DocumentInfo, today: date) -> str:
    """'replaced', 'to be replaced', 'overdue', 'current' or 'no review date'."""
    if doc.replaced_on:
        return "replaced" if doc.replaced_on < today else "to be replaced"
    if doc.next_review is None:
        return "no review date"
    return "overdue" if doc.next_review < today else "current"


def warnings_for(documents: Iterable[DocumentInfo], today: date) -> tuple[str, ...]:
    """Staleness warnings for the documents quoted: review date passed, or replacement announced."""
    out: list[str] = []
    for doc in documents:
        status = review_status(doc, today)
        if status in ("replaced", "to be replaced"):
            tense = "was to be" if status == "replaced" else "will be"
            out.append(f"'{doc.title}' says it {tense} replaced ({doc.replaced_by or 'replaced'}). Check that you "
                       "have the current version before relying on it.")
        elif status == "overdue":
            out.append(f"'{doc.title}' was due for review by {doc.next_review_text or doc.next_review}; "
                       "it may be out of date. Check with the policy's lead before relying on it.")
    return tuple(dict.fromkeys(out))


def reach(contact: Contact) -> tuple[tuple[str, str], ...]:
    """How to reach *contact* outside chat, in the order shown: ("email", address), ("phone", number);
    ("text", how) when only words are known. Empty when nothing is (then nothing is shown)."""
    ways = tuple((kind, value) for kind, value in (("email", contact.email), ("phone", contact.phone)) if value)
    if ways or not contact.how:
        return ways
    kind = next((k for k in ("email", "phone") if not reach_mod.problem(k, contact.how)), "text")
    return ((kind, contact.how),)


def links(contact: Contact) -> tuple[tuple[str, str], ...]:
    """(shown, uri) for every way to reach *contact*: ("jo@x.example", "mailto:jo@x.example"),
    ("01234 567890", "tel:01234567890"); words that are neither keep an empty uri (shown as plain text)."""
    uri = {"email": reach_mod.mailto, "phone": reach_mod.tel}
    return tuple((value, uri[kind](value) if kind in uri else "") for kind, value in reach(contact))


def who(contact: Contact) -> str:
    """'Martyn Nash (Designated Safeguarding Lead)', or 'the Headteacher' when nobody is named."""
    return f"{contact.name} ({contact.role})" if contact.name else f"the {contact.role}"


def describe(contact: Contact) -> str:
    """'Martyn Nash (Designated Safeguarding Lead), dsl@school.example, 01234 567890' in plain words; the
    role alone when nobody is named, and no ways to reach them when none are known."""
    return ", ".join([who(contact), *(value for _, value in reach(contact))])
