from __future__ import annotations


from bot.reading.documents import Clause
from bot.retrieval.features import list_parents as _list_parents
from bot.retrieval.search import _passages, audience_is_others


def clause(i: int, section: str, text: str, kind: str) -> Clause:
    return Clause(id=str(i), org="o", source="o/p.md", document="P", section=section, text=text, kind=kind)


CLAUSES = [
    clause(0, "Staff", "Staff must not: Post images of pupils Link their profile to work email", "list"),
    clause(1, "Staff › Staff must not", "Post images of pupils", "bullet"),
    clause(2, "Staff › Staff must not", "Link their profile to work email", "bullet"),
    clause(3, "Other", "Report concerns to the DSL.", "bullet"),
]


def test_list_items_know_their_list() -> None:
    assert _list_parents(CLAUSES).tolist() == [-1, 0, 0, -1]


def test_an_item_of_a_short_list_is_quoted_as_its_whole_list_once() -> None:
    parents = _list_parents(CLAUSES)
    found = _passages([1, 2, 3], CLAUSES, k=3, list_of=parents)
    assert [(p.rows, src) for p, src in found] == [((0,), 1), ((3,), 3)]  # item 2 is in that list


def test_without_lists_an_item_is_quoted_with_its_neighbours_and_is_not_quoted_twice() -> None:
    found = _passages([1, 2, 3, 0], CLAUSES, k=3)
    assert [(p.rows, src) for p, src in found] == [((1, 2), 1), ((3,), 3), ((0,), 0)]
    assert found[0][0].clause.text == "Post images of pupils\nLink their profile to work email"


def test_rules_for_pupils_and_parents_are_recognised_by_their_heading() -> None:
    assert audience_is_others(clause(0, "Learner Expectations", "x", "bullet"))
    assert audience_is_others(clause(0, "5. Personal use of social media by parents/carers", "x", "text"))
    assert not audience_is_others(clause(0, "Personal Use of Social Media by Staff", "x", "text"))
    assert not audience_is_others(clause(0, "4.2 Communicating with learners and their families", "x", "text"))


def test_a_pupils_agreement_is_for_pupils_whatever_its_heading() -> None:
    from bot.retrieval.features import audiences, child_pledge

    assert child_pledge("I will tell my teacher or a trusted adult if I see something that upsets me.")
    assert not child_pledge("I will not disclose my username or password to anyone else.")  # a staff AUP line
    assert not child_pledge("Pupils should tell a trusted adult.")  # not a pledge
    charter = [clause(i, "This is how we stay safe", text, "bullet") for i, text in enumerate([
        "I will ask a teacher or suitable adult before I use the computers.",
        "I will keep my password safe.",
        "I will be kind online.",
        "I will tell my teacher if something upsets me."])]
    staff = [clause(9, "Acceptable use agreement", "I will only use school systems for school business.", "bullet"),
             clause(10, "Acceptable use agreement", "I will report any incident to the DSL.", "bullet")]
    assert audiences(charter + staff).tolist() == [True, True, True, True, False, False]


def test_what_a_question_wants_and_what_a_clause_gives() -> None:
    from bot.retrieval.analysis import asks_when, asks_who
    from bot.retrieval.features import SAYS_WHEN, SAYS_WHO, answers

    assert asks_when("how long have we got to reply to a SAR") and asks_when("by what time do parents ring in?")
    assert asks_when("when do i have to hand in my notice") and not asks_when("what do i do when a child is sick")
    assert asks_who("who's the senco") and asks_who("who do i tell?") and asks_who("so who deals with it")
    assert not asks_who("a pupil who is upset said she was hit") and not asks_when("can i post photos")
    assert answers(clause(0, "S", "We will respond within 1 month of receipt.", "text")) == SAYS_WHEN
    assert answers(clause(0, "S", "Parents ring before 8.55am on the first day.", "text")) == SAYS_WHEN
    assert answers(clause(0, "S", "Complaints are answered in 28 working days.", "text")) == SAYS_WHEN
    assert answers(clause(0, "S", "Photos need consent.", "text")) == 0
    named = Clause(id="n", org="o", source="o/p.md", document="P", section="S", text="Tell the DSL.", roles=("dsl",))
    assert answers(named) == SAYS_WHO


def test_the_topic_of_a_policy_question_must_be_something_the_policies_mention() -> None:
    from bot.retrieval.search import topic_is_known

    df = {"social": 5, "media": 5, "~socialmedia": 5, "friend": 2, "lesson": 1}
    assert not topic_is_known("What is the school's policy on restraint of pupils?", df)
    assert not topic_is_known("What is the procedure for giving pupils their medication?", df)
    assert topic_is_known("what's the policy on social media in lessons", df)
    assert topic_is_known("what's the policy on adding ex pupils on insta", df)  # 'insta': a known concept
    assert topic_is_known("can I add a pupil as a friend", df)  # not a 'policy on X' question
    # a concept counts only where these policies mention it: 'insta' means social media, which they don't
    assert not topic_is_known("what's the policy on adding ex pupils on insta", {"friend": 2, "lesson": 1})


def test_reference_matter_is_recognised_by_its_section() -> None:
    from bot.retrieval.search import _REFERENCE

    for section in ("Links to other organisations or documents › Research", "Appendix 2 › Useful contacts",
                    "1. Legal framework", "Further information", "Glossary", "Document control",
                    "Related policies", "Legislation › Protection of Children Act 1978"):
        assert _REFERENCE.search(section), section
    for section in ("4. Reporting concerns", "Staff use of social media", "15. Female Genital Mutilation (FGM)",
                    "Links with parents"):
        assert not _REFERENCE.search(section), section
