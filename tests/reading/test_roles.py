"""Role synonyms as UK schools and early-years settings write them, as known answers."""

from __future__ import annotations

import pytest

from bot.reading.roles import find_roles, role_key


@pytest.mark.parametrize(("text", "key"), [
    ("Designated Safeguarding Lead (DSL)", "dsl"),
    ("our designated person (a member of staff) who co-ordinates child protection", "dsl"),
    ("the child protection co-ordinator", "dsl"),
    ("Designated Safeguarding Officer", "dsl"),
    ("Deputy DSL", "deputy_dsl"),
    ("deputy designated safeguarding lead", "deputy_dsl"),
    ("SENCo", "senco"), ("the SENDCo", "senco"), ("SENCO", "senco"),
    ("Special Educational Needs and Disabilities Co-ordinator", "senco"),
    ("LADO", "lado"), ("the Local Authority Designated Officer", "lado"),
    ("Chair of Governors", "chair"), ("Chair of the Management Committee", "chair"),
    ("Safeguarding Governor", "governor"),
    ("Online Safety Co-ordinator", "online_safety"), ("e-safety lead", "online_safety"),
    ("Designated Teacher for Looked After Children", "designated_teacher"),
    ("Attendance Officer", "attendance"), ("Education Welfare Officer", "attendance"),
    ("a paediatric first aider", "first_aider"),
    ("School Business Manager", "business_manager"),
    ("Health and Safety Coordinator", "health_safety"),
    ("Pre-school Manager", "setting_manager"),
    ("Head Teacher", "headteacher"),
    ("Data Protection Officer", "dpo"),
])
def test_role_synonyms(text: str, key: str) -> None:
    assert role_key(text) == key


def test_ordinary_words_are_not_roles() -> None:
    assert find_roles("it is the attendance of pupils that matters; hr is not a word here") == ()
    assert find_roles("a designated officer (a member of the management committee)") == ()


def test_roles_in_order_each_once_and_the_specific_one_wins() -> None:
    assert find_roles("Tell the Deputy DSL, then the DSL and the SENCo; the DSL decides.") == (
        "deputy_dsl", "dsl", "senco")
    assert find_roles("report to the LADO") == ("lado",)
