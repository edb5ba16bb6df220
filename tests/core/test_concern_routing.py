"""A flagged message goes to the right person (KCSIE): a concern about a child to the DSL and deputies,
one about an adult who works with children to the headteacher, one about the headteacher to the chair of
governors; "call 999" always; one clear reply (never "your policies don't cover this"), kept for the DSL
and not passed to the SLT's gap list. Rules decide here (the hash embedder is not the model the trained
detector reads); tests/core/test_concern_model.py covers the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import Question
from bot.core.service import AnswerService
from tests.conftest import logged_entries, make_service

ORG = """name: Elm Tree Primary
general_contact: Headteacher
contacts:
  - {role: Designated Safeguarding Lead, name: Priya Shah, email: dsl@elm.example}
  - {role: Deputy DSL, name: Tom Reed, phone: "01234 567890"}
  - {role: Headteacher, name: Alison Grey, email: head@elm.example}
  - {role: Chair of Governors, name: Bernard Cole, email: chair@elm.example}
"""
POLICY = """# Child Protection Policy

## Reporting a concern

Any member of staff with a concern about a child must report it to the Designated Safeguarding Lead the same day.

## Allegations against staff

Allegations about a member of staff are reported to the Headteacher; allegations about the Headteacher are reported to the Chair of Governors.
"""
UNRELATED = """# Uniform Policy

## Shoes

Pupils wear plain black shoes.
"""


@pytest.fixture
def elm(tmp_path: Path) -> AnswerService:
    school = tmp_path / "corpus" / "elm-tree"
    school.mkdir(parents=True)
    (school / "org.yaml").write_text(ORG)
    (school / "child-protection.md").write_text(POLICY)
    (school / "uniform.md").write_text(UNRELATED)
    return make_service(tmp_path / "corpus", tmp_path / "index", tmp_path / "var")


@pytest.fixture
def bare(tmp_path: Path) -> AnswerService:
    """A school whose policies say nothing about reporting."""
    school = tmp_path / "bare" / "ash"
    school.mkdir(parents=True)
    (school / "org.yaml").write_text(ORG.replace("Elm Tree Primary", "Ash School"))
    (school / "uniform.md").write_text(UNRELATED)
    return make_service(tmp_path / "bare", tmp_path / "bare-index", tmp_path / "bare-var")


def ask(service: AnswerService, org: str, text: str):  # type: ignore[no-untyped-def]
    return service.answer(Question(text=text, org=org))


def test_a_concern_about_a_child_goes_to_the_dsl_and_the_deputy(elm: AnswerService) -> None:
    a = ask(elm, "elm-tree", "a pupil told me her stepdad hits her at home")
    assert a.urgent.startswith("Act now: speak to the DSL today — Priya Shah")
    assert "dsl@elm.example" in a.urgent and "call 999" in a.urgent
    assert [c.name for c in a.contacts][:2] == ["Priya Shah", "Tom Reed"]


def test_a_concern_about_a_member_of_staff_goes_to_the_headteacher(elm: AnswerService) -> None:
    a = ask(elm, "elm-tree", "a TA keeps touching a year 4 girl on the leg and telling her it's their secret")
    assert a.concern and "Alison Grey" in a.urgent and "call 999" in a.urgent
    assert a.contacts[0].name == "Alison Grey" and "Priya Shah" in [c.name for c in a.contacts]
    assert "not to the person concerned" in a.urgent


def test_a_concern_about_the_headteacher_goes_to_the_chair(elm: AnswerService) -> None:
    a = ask(elm, "elm-tree", "the headteacher keeps touching a year 4 girl on the leg and telling her it's their secret")
    assert a.contacts[0].name == "Bernard Cole" and "Bernard Cole" in a.urgent
    assert "Alison Grey" not in a.urgent


def test_a_flagged_question_the_policies_do_not_answer_quotes_the_reporting_clause(elm: AnswerService,
                                                                                    tmp_path: Path) -> None:
    a = ask(elm, "elm-tree", "my tutee showed me cuts on her arm and said she has been cutting herself again")
    assert a.urgent and a.answered
    assert "don't cover" not in a.message and "senior leadership" not in a.message
    assert a.passages and "Designated Safeguarding Lead" in a.passages[0].text
    entry = logged_entries(tmp_path / "var")[-1]
    assert entry.flagged  # kept for the DSL: the gap list leaves flagged questions out


def test_without_a_reporting_clause_the_reply_still_says_what_to_do_and_never_that_nothing_covers_it(
        bare: AnswerService) -> None:
    a = ask(bare, "ash", "a pupil told me her stepdad hits her at home")
    assert a.urgent.startswith("Act now: speak to the DSL today — Priya Shah")
    assert "don't cover" not in a.message and "senior leadership" not in a.message
    ordinary = ask(bare, "ash", "how many days sick leave do I get?")
    assert not ordinary.urgent and "don't cover" in ordinary.message  # the ordinary reply is unchanged


@pytest.mark.slow
def test_with_the_real_model_a_concern_in_other_words_is_flagged_and_routed(real_service: AnswerService) -> None:
    a = ask(real_service, "stone-bay-school", "he wrote in his english book that he wants to kill himself")
    assert a.urgent.startswith("Act now: speak to the DSL today — Martyn Nash")
    assert "don't cover" not in a.message and a.contacts[0].name == "Martyn Nash"
    staff = ask(real_service, "stone-bay-school", "a TA has been giving a pupil lifts home and buying him presents")
    assert staff.urgent and "Jane Hatwell" in staff.urgent  # the headteacher, named in the policy
    ordinary = ask(real_service, "stone-bay-school", "can i show the class a photo of my puppy")
    assert ordinary.urgent == ""
