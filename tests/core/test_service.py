from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import Question
from bot.core.service import AnswerService, clean_question
from bot.errors import QuestionError, UnknownOrganisation
from tests.conftest import CORPUS, SLUGS, logged_entries


def ask(service: AnswerService, org: str, text: str):  # type: ignore[no-untyped-def]
    return service.answer(Question(text=text, org=org))


def test_answer_quotes_verbatim_with_source_and_contact(service: AnswerService) -> None:
    a = ask(service, "stone-bay-school", "a parent messaged me on my personal facebook, what do I do")
    assert a.answered
    top = a.passages[0]
    assert ("Any communication from learners and parents/carers received on personal social media "
            "accounts will be reported to the DSL and the headteacher") in top.text  # with the lines around it
    source = " ".join((CORPUS / top.source).read_text("utf-8").split())
    assert all(" ".join(line.split()) in source for line in top.text.splitlines())  # verbatim
    assert len(top.text) <= 600
    assert top.source == "stone-bay-school/social-media-policy.txt"
    assert top.section.endswith("4.2 Communicating with learners and their families")
    assert [c.name for c in a.contacts][:2] == ["Martyn Nash", "Jane Hatwell"]


def test_clause_naming_a_person_gives_that_person(service: AnswerService) -> None:
    a = ask(service, "next-steps-ed", "who is the IT coordinator")
    assert a.passages[0].text == "IT Coordinator: Olivia Campbell"
    assert a.contacts[0].name == "Olivia Campbell"


@pytest.mark.slow
def test_stale_and_replaced_policies_are_warned_about(real_service: AnswerService) -> None:
    service = real_service
    for slug in ("next-steps-ed", "stone-bay-school", "alternative-provision"):
        a = ask(service, slug, "can I accept a friend request from a pupil on social media")
        assert any("due for review" in w for w in a.warnings), slug
    replaced = ask(service, "model-trust", "can I accept a friend request from a pupil on social media")
    assert any("replaced" in w for w in replaced.warnings)
    current = ask(service, "soke-education-trust", "can I accept a friend request from a pupil on social media")
    assert current.warnings == ()


@pytest.mark.parametrize("slug", SLUGS)
def test_no_passage_or_contact_from_another_organisation(service: AnswerService, slug: str) -> None:
    others = {"Mica Smith", "Olivia Campbell", "Martyn Nash", "Jane Hatwell", "Tom Chadwick", "Alex Krutnik"}
    own = {p.name for d in service.documents.values() if d.org == slug for p in d.people}
    for q in ("who is the designated safeguarding lead", "Stone Bay Class Dojo", "SoundCloud Proprietor",
              "Digi360 model policy", "Governorhub", "IT Coordinator Olivia Campbell"):
        a = ask(service, slug, q)
        assert all(p.org == slug for p in a.passages), (slug, q)
        assert not ({c.name for c in a.contacts} & (others - own)), (slug, q)


@pytest.mark.slow
def test_unanswerable_question_is_declined_with_general_contact_and_logged(real_service: AnswerService,
                                                                          tmp_path: Path) -> None:
    service = real_service
    a = ask(service, "stone-bay-school", "How many days of annual leave do I get?")
    assert not a.answered and a.passages == ()
    assert a.contacts[0].name == "Jane Hatwell"  # the org file's general contact: the Headteacher
    assert "don't cover this" in a.message and "senior leadership team" in a.message
    assert service.log.fill_gap_vectors() == 1  # type: ignore[union-attr]
    entry = logged_entries(tmp_path / "var")[-1]
    assert entry.id == a.log_id and entry.answered is False and entry.org == "stone-bay-school"
    assert entry.gap is not None  # unanswered: embedded (beside the server) for grouping similar gaps


def test_bad_questions_get_clear_errors(service: AnswerService) -> None:
    with pytest.raises(QuestionError, match="empty"):
        ask(service, "next-steps-ed", "   \n\t ")
    with pytest.raises(QuestionError, match="10,000 characters"):
        ask(service, "next-steps-ed", "a" * 10_000)
    with pytest.raises(QuestionError, match="does not look like a question"):
        ask(service, "next-steps-ed", "\x00\x01\ufffd\ufffd 123")
    with pytest.raises(UnknownOrganisation, match="unknown organisation 'nowhere'"):
        ask(service, "nowhere", "who is the DSL?")


def test_clean_question_keeps_words_and_drops_control_characters() -> None:
    assert clean_question("can i\x00 dm  a\tpupil?\r\n", 2000) == "can i dm a pupil?"


@pytest.mark.slow
@pytest.mark.parametrize(("org", "question"), [
    ("next-steps-ed", "What is the procedure for claiming travel expenses?"),
    ("soke-education-trust", "Can I bring my dog into school?"),
    ("model-trust", "How much maternity pay will I get?"),
])
def test_questions_the_policies_do_not_cover_are_declined(real_service: AnswerService, org: str,
                                                          question: str) -> None:
    assert not ask(real_service, org, question).answered


@pytest.mark.slow
@pytest.mark.parametrize(("org", "question", "expected"), [
    ("next-steps-ed", "can i add an ex pupil on insta?", "must not engage with learners or ex-learners"),
    ("model-trust", "can I go on fb during lessons", "during lesson time is not permitted"),
    ("alternative-provision", "who manages the official accounts", "currently managed by the Proprietor"),
    ("soke-education-trust", "can i put pics of pupils on my insta", "Post images of pupils"),
])
def test_informal_questions_find_the_clause(real_service: AnswerService, org: str, question: str,
                                            expected: str) -> None:
    a = ask(real_service, org, question)
    assert a.answered
    assert any(expected in p.text for p in a.passages[:3])


@pytest.mark.slow
def test_who_is_question_gets_the_contact_line_of_that_role(real_service: AnswerService) -> None:
    deputy = ask(real_service, "next-steps-ed", "Who is the deputy DSL?")
    assert deputy.passages[0].text == "Deputy DSL: Olivia Campbell"
    assert deputy.contacts[0].name == "Olivia Campbell"
    dsl = ask(real_service, "next-steps-ed", "who's the dsl?")
    assert dsl.passages[0].text == "Designated Safeguarding Lead (DSL): Mica Smith"


@pytest.mark.slow
def test_a_question_about_a_list_quotes_the_whole_list(real_service: AnswerService) -> None:
    a = ask(real_service, "soke-education-trust", "what will the school never post on social media?")
    assert a.passages[0].text.startswith("The school and Trust **will not** post on social media accounts:")
    assert "Political statements" in a.passages[0].text


def test_a_live_concern_puts_the_dsl_and_act_now_first(service: AnswerService, tmp_path: Path) -> None:
    a = ask(service, "stone-bay-school", "A pupil told me her stepdad hits her at home")
    assert a.urgent.startswith("Act now: speak to the DSL today") and "Martyn Nash" in a.urgent
    assert a.contacts[0].name == "Martyn Nash" and a.concern
    entry = logged_entries(tmp_path / "var")[-1]
    assert entry.flagged and entry.flag_reason == a.concern and "stepdad" in entry.question
    policy_question = ask(service, "stone-bay-school", "What is the policy if a pupil discloses abuse?")
    assert policy_question.urgent == "" and not logged_entries(tmp_path / "var")[-1].flagged


def test_feedback_reaches_the_log(service: AnswerService, tmp_path: Path) -> None:
    a = ask(service, "next-steps-ed", "Can I add an ex-pupil on Facebook?")
    assert a.log_id and service.feedback(a.log_id, False, "next-steps-ed", "Too long to read")
    entry = logged_entries(tmp_path / "var")[-1]
    assert entry.feedback is not None and entry.feedback.helpful is False and entry.feedback.comment == "Too long to read"
