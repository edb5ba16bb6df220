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


def test_how_to_reach_a_contact_in_words_and_as_links() -> None:
    from bot.core.compose import describe, links, reach
    from bot.core.models import Contact

    jo = Contact("SENCo", "Jo Sim", email="jo@oak.example", phone="+44 (0)1234 567890")
    assert reach(jo) == (("email", "jo@oak.example"), ("phone", "+44 (0)1234 567890"))
    assert links(jo) == (("jo@oak.example", "mailto:jo@oak.example"), ("+44 (0)1234 567890", "tel:+441234567890"))
    assert describe(jo) == "Jo Sim (SENCo), jo@oak.example, +44 (0)1234 567890"
    nobody = Contact("Headteacher", None)
    assert reach(nobody) == () and links(nobody) == () and describe(nobody) == "the Headteacher"
    # older data with only `how`: an address or number is still recognised; other words stay words
    assert links(Contact("DSL", "Dee", how="dee@oak.example")) == (("dee@oak.example", "mailto:dee@oak.example"),)
    assert links(Contact("DSL", "Dee", how="room 4")) == (("room 4", ""),)


def test_a_role_holder_without_a_way_to_reach_them_gets_the_one_their_name_has_elsewhere() -> None:
    from dataclasses import replace

    org = replace(ORG, people=(Person("Designated Safeguarding Lead", "dsl", "Dee Lead"),))
    doc = DocumentInfo(org="s", source="s/cp.pdf", title="Child Protection Policy", sha256="x",
                       people=(Person("Safeguarding lead", "dsl", "Dee Lead", how="01234 567890",
                                      phone="01234 567890"),))
    dee = Directory([org], [doc]).for_role("dsl")
    assert (dee.name, dee.role, dee.phone, dee.email) == ("Dee Lead", "Designated Safeguarding Lead",
                                                          "01234 567890", None)
