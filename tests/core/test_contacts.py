"""Who to contact for an answer: known answers for compose.contacts_for over plain data."""

from __future__ import annotations

from bot.core.compose import Directory, contacts_for
from bot.reading.documents import Clause, DocumentInfo, Organisation, Person
from bot.reading.roles import role_key

PEOPLE = tuple(Person(role=r, role_key=role_key(r), name=n) for r, n in [
    ("Headteacher", "Hana Head"), ("Designated Safeguarding Lead", "Dee Lead"), ("SENDCo", "Sam Send"),
    ("Online Safety Co-ordinator", "Olly Line"), ("Health and safety", "Hal Safe")])
ORG = Organisation(slug="s", name="School", general_contact="Headteacher", people=PEOPLE)
DIRECTORY = Directory([ORG], [])
HEAD = DIRECTORY.for_phrase("Headteacher")
DOCS = {f"s/{n}.pdf": DocumentInfo(org="s", source=f"s/{n}.pdf", title=t, sha256="x") for n, t in [
    ("send", "SEND Policy"), ("complaints", "Complaints Procedure"), ("cp", "Child Protection Policy")]}


def clause(doc: str, text: str, section: str = "Duties", roles: tuple[str, ...] = ()) -> Clause:
    return Clause(id=f"s/{doc}.pdf#1", org="s", source=f"s/{doc}.pdf", document=DOCS[f"s/{doc}.pdf"].title,
                  section=section, text=text, roles=roles)


def names(found: tuple) -> list[str | None]:
    return [c.name for c in found]


def test_a_role_named_in_the_text_gives_its_holder() -> None:
    assert names(contacts_for([clause("complaints", "Tell the DSL.", roles=("dsl",))], DOCS, DIRECTORY, HEAD)) \
        == ["Dee Lead"]


def test_a_role_named_in_the_heading_gives_its_holder() -> None:
    found = contacts_for([clause("complaints", "leads the committee", section="Roles › Online safety Coordinator:")],
                         DOCS, DIRECTORY, HEAD)
    assert names(found) == ["Olly Line"]


def test_a_clause_naming_nobody_gives_the_lead_on_its_policy_subject_then_the_general_contact() -> None:
    assert names(contacts_for([clause("send", "Support is graduated.")], DOCS, DIRECTORY, HEAD)) == ["Sam Send"]
    assert names(contacts_for([clause("complaints", "Write to us.")], DOCS, DIRECTORY, HEAD)) == ["Hana Head"]


def test_a_role_the_question_names_comes_first() -> None:
    found = contacts_for([clause("cp", "Report it.", roles=("dsl",))], DOCS, DIRECTORY, HEAD,
                         asked=("health_safety",))
    assert names(found) == ["Hal Safe", "Dee Lead"]  # "who's the H&S person?", from the org file's topic entry


def test_an_asked_role_nobody_holds_here_adds_no_one() -> None:
    found = contacts_for([clause("cp", "Report it.", roles=("dsl",))], DOCS, DIRECTORY, HEAD, asked=("dpo",))
    assert names(found) == ["Dee Lead"]
