"""Role synonyms as UK schools and early-years settings write them, as known answers."""

from __future__ import annotations

import pytest

from bot.reading.roles import find_roles, role_key, subject_role


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
    ("the H&S person", "health_safety"), ("H & S rep", "health_safety"),
    ("Behaviour named person", "behaviour"), ("the named person for managing behaviour", "behaviour"),
    ("a named lead for children in care", "designated_teacher"),
    ("Designated Officer (management committee)", "governor"),
    ("which committee member oversees safeguarding", "governor"),
    # an org file may name a responsibility by its topic alone
    ("Health and safety", "health_safety"), ("Safeguarding:", "dsl"), ("SEND", "senco"),
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


@pytest.mark.parametrize(("title", "key"), [
    ("Special Educational Needs and Disability (SEND) Policy", "senco"),
    ("Child Protection and Safeguarding Policy", "dsl"),
    ("Looked After and Previously Looked After Children Policy", "designated_teacher"),
    ("Data Protection Policy", "dpo"), ("GDPR Privacy Notice", "dpo"),
    ("Online Safety Policy", "online_safety"), ("Acceptable Use Agreement", "online_safety"),
    ("HEALTH AND SAFETY (H&S) POLICY", "health_safety"),
    ("Attendance Policy", "attendance"), ("Promoting Positive Behaviour Policy", "behaviour"),
    ("Complaints Procedure", None), ("Whistleblowing Policy", None), ("Charging and Remissions", None),
])
def test_the_lead_on_a_policy_subject_comes_from_its_title(title: str, key: str | None) -> None:
    assert subject_role(title) == key


def test_topic_words_in_running_text_are_not_roles() -> None:
    assert find_roles("we keep children safe and promote good behaviour and health and safety") == ()
