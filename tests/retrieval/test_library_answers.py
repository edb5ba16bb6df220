"""A school's whole library, handmade here: the right policy and passage, the right person, and
declining what no policy covers (the real model; these documents are the test's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import Question
from tests.conftest import make_service

pytestmark = pytest.mark.slow

POLICIES = {
    "safeguarding.md": """# Child Protection and Safeguarding Policy

## Key people
The Designated Safeguarding Lead (DSL) is Dana Morris.
The Chair of Governors is Colin Pike.

## If a child tells you something
During the conversation staff will:
- listen to what the child has to say and allow them to speak freely;
- never promise to keep a secret;
- tell the child what will happen next.

Staff must pass any disclosure to the DSL the same day.

## Allegations against staff
Concerns about the headteacher are passed to the Chair of Governors, who consults the LADO.
""",
    "medicines.md": """# Supporting Pupils with Medical Conditions

## Giving medicines
No medicine, including paracetamol, is given without the written consent of a parent.
Medicines must be in their original container with the pharmacy label.
Every dose given is recorded on the medication record and signed by the member of staff.

## Inhalers
Pupils with asthma keep their inhalers with them at all times.
""",
    "attendance.md": """# Attendance Policy

## Reporting an absence
Parents must telephone the school office before 9am on every day of absence.
Leave of absence in term time is granted only in exceptional circumstances by the headteacher.

## Persistent absence
The Attendance Officer, Ravi Shah, meets families when attendance falls below 90%.
""",
    "send.md": """# Special Educational Needs and Disability (SEND) Policy

## Who leads
The SENDCo is Priya Patel.

## Identifying needs
Teachers who are concerned about a pupil's progress complete an initial concern form and discuss it with
the SENDCo.
Education, Health and Care Plans are reviewed at least once a year.
""",
    "behaviour.md": """# Behaviour Policy

## Physical intervention
Staff may use reasonable force only as a last resort, to stop a pupil hurting themselves or others.
Every use of force is recorded and reported to parents the same day.

## Rewards
Pupils earn house points for good conduct.
""",
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, real_embedder: object):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("library")
    school = base / "corpus" / "oak-primary"
    school.mkdir(parents=True)
    (school / "org.yaml").write_text("name: Oak Primary\ngeneral_contact: Headteacher\ncontacts:\n"
                                     "  - {role: Headteacher, name: Helen Ward}\n", "utf-8")
    for name, text in POLICIES.items():
        (school / name).write_text(text, "utf-8")
    other = base / "corpus" / "elm-academy"
    other.mkdir()
    (other / "org.yaml").write_text("name: Elm Academy\ncontacts:\n  - {role: SENCo, name: Elliot Other}\n", "utf-8")
    (other / "send.md").write_text("# SEND Policy\n\nThe SENCo is Elliot Other. Concerns about progress go to "
                                   "the SENCo on the yellow form.\n", "utf-8")
    return make_service(base / "corpus", base / "index", base / "var", emb=real_embedder)


def ask(service, text: str, org: str = "oak-primary"):  # type: ignore[no-untyped-def]
    return service.answer(Question(text, org))


@pytest.mark.parametrize(("question", "document", "words"), [
    ("can i give a kid calpol if mum says its ok", "Supporting Pupils with Medical Conditions", "written consent"),
    ("a child told me something and asked me not to tell anyone", "Child Protection and Safeguarding Policy",
     "never promise to keep a secret"),
    ("by what time do parents have to ring in when their child is off", "Attendance Policy", "before 9am"),
    ("can i use force to stop a pupil hurting others", "Behaviour Policy", "reasonable force"),
    ("how often does an EHCP get looked at again", "Special Educational Needs", "reviewed at least once a year"),
])
def test_the_right_policy_and_passage(library, question: str, document: str, words: str) -> None:  # type: ignore[no-untyped-def]
    a = ask(library, question)
    assert a.answered
    assert any(p.document.startswith(document) and words in p.text for p in a.passages)  # among the three quoted
    assert all(len(p.text) <= 600 for p in a.passages)


def test_an_item_is_quoted_with_its_lead_in(library) -> None:  # type: ignore[no-untyped-def]
    top = ask(library, "a child told me something and asked me not to tell anyone").passages[0]
    assert top.text.startswith("During the conversation staff will:")


@pytest.mark.xfail(strict=True, reason="known limitation: all-MiniLM-L6-v2 scores these staff phrasings far "
                   "below any clause (cosine 0.24-0.34), so the first is declined and the second ranks "
                   "the safeguarding list on 'allowed' and 'child' above the behaviour policy")
@pytest.mark.parametrize(("question", "words"), [
    ("i think a girl in my class might be dyslexic, where do i start", "initial concern form"),
    ("am i allowed to hold a child who is throwing chairs", "reasonable force"),
])
def test_phrasings_far_from_the_policy_words(library, question: str, words: str) -> None:  # type: ignore[no-untyped-def]
    a = ask(library, question)
    assert a.answered and any(words in p.text for p in a.passages)


@pytest.mark.parametrize(("question", "name"), [
    ("who's the senco", "Priya Patel"),
    ("who is the designated person for safeguarding", "Dana Morris"),
    ("how often does an EHCP get looked at again", "Priya Patel"),  # the lead on the policy's subject
    ("who do i tell about a worry about the head's behaviour with a pupil", "Colin Pike"),
    ("who is the attendance officer", "Ravi Shah"),
])
def test_the_right_person(library, question: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in [c.name for c in ask(library, question).contacts]


@pytest.mark.parametrize("question", [
    "how much maternity pay do TAs get",
    "whats the wifi password for the staff network",
    "is there staff parking or do i park on the road",
    "when's payday this month",
])
def test_what_no_policy_covers_is_declined(library, question: str) -> None:  # type: ignore[no-untyped-def]
    a = ask(library, question)
    assert not a.answered and not a.passages


def test_a_library_with_a_pay_policy_answers_pay_questions(tmp_path: Path, real_embedder: object) -> None:
    school = tmp_path / "corpus" / "ash-school"
    school.mkdir(parents=True)
    (school / "org.yaml").write_text("name: Ash School\n", "utf-8")
    (school / "pay.md").write_text("# Pay Policy\n\n## Pay day\nSalaries are paid on the 20th of each month, "
                                   "or the working day before it.\n", "utf-8")
    service = make_service(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", emb=real_embedder)
    a = service.answer(Question("what day are salaries paid?", "ash-school"))  # a pay question
    assert a.answered and "20th of each month" in a.passages[0].text


def test_another_schools_policy_and_contacts_are_never_given(library) -> None:  # type: ignore[no-untyped-def]
    for question in ("who's the senco", "concerns about a pupil's progress", "what colour is the concern form"):
        a = ask(library, question)
        assert all(p.org == "oak-primary" for p in a.passages)
        assert "Elliot Other" not in [c.name for c in a.contacts]
    assert ask(library, "who's the senco", org="elm-academy").contacts[0].name == "Elliot Other"  # its own
