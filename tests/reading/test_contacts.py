"""The people a policy names, in the forms schools write them, as known answers."""

from __future__ import annotations

import pytest

from bot.reading.contacts import looks_like_a_name, people


def found(*lines: str) -> list[tuple[str | None, str | None]]:
    return [(p.role_key, p.name) for p in people(list(lines))]


@pytest.mark.parametrize(("line", "expected"), [
    ("Designated Safeguarding Lead (DSL): Sam Patel", [("dsl", "Sam Patel")]),
    ("Deputy DSL\tJo King\tjo@oak.example", [("deputy_dsl", "Jo King")]),
    ("Our designated person (a member of staff) who co-ordinates child protection is the deputy manager, "
     "Ann Lowe.", [("dsl", "Ann Lowe")]),
    ("We name a member of staff as SENCO and tell parents who it is. Our SENCO is Ravi Shah.", [("senco", "Ravi Shah")]),
    ("Ravi Shah is our SENCo.", [("senco", "Ravi Shah")]),
    ("The member of staff responsible for health and safety is Tom Reed, who is trained for it.",
     [("health_safety", "Tom Reed")]),
    ("Any questions go to Mrs Jo King (SENDCo) in the first instance.", [("senco", "Mrs Jo King")]),
    ("The designated person for looked after children is the designated Child Protection co-ordinator, Ann "
     "Lowe, who will meet the carers.", [("designated_teacher", "Ann Lowe")]),
])
def test_forms_of_naming(line: str, expected: list[tuple[str, str]]) -> None:
    assert found(line) == expected


def test_role_on_one_line_name_on_the_next() -> None:
    assert found("Designated Safeguarding Lead", "Sam Patel", "Tel 01234 567890") == [("dsl", "Sam Patel")]
    assert found("All messages are open to the SLT for monitoring.", "Learner Responsibilities") == []


def test_not_people() -> None:
    assert found("The Headteacher is responsible for this policy.") == []
    assert found("Our designated officer (a member of the committee) who oversees this is Nick Ames.") == []
    assert found("Technical staff or other relevant designated person: Technical Staff") == []
    assert not looks_like_a_name("Decoy Primary School") and not looks_like_a_name("Families Partnership Tool")
    assert looks_like_a_name("Jo King") and looks_like_a_name("Mrs Vicky Stables")


def test_each_person_once_per_role() -> None:
    assert found("DSL: Sam Patel", "Designated Safeguarding Lead\tSam Patel") == [("dsl", "Sam Patel")]


def test_a_role_then_the_name_between_commas() -> None:
    from bot.reading.contacts import people

    found = [(p.role_key, p.name) for p in people(["The Attendance Officer, Ravi Shah, meets families each term.",
                                                   "Our SENCo, Priya Patel, leads on support plans."])]
    assert found == [("attendance", "Ravi Shah"), ("senco", "Priya Patel")]
    assert people(["Pupils, Staff Members, and parents all agree."]) == []  # no role: no person
