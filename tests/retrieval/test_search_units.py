from __future__ import annotations

import numpy as np

from bot.retrieval.documents import Clause
from bot.retrieval.search import _distinct, _group_lists, _list_parents, audience_is_others


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


def test_two_items_of_one_list_among_the_best_are_quoted_as_the_list() -> None:
    parents = _list_parents(CLAUSES)
    ranked = _group_lists(np.array([1, 2, 3]), parents, k=3)
    assert _distinct(ranked, CLAUSES) == [(0, 1), (3, 3)]


def test_a_single_item_stays_itself() -> None:
    parents = _list_parents(CLAUSES)
    assert _distinct(_group_lists(np.array([1, 3, 0]), parents, k=2), CLAUSES) == [(1, 1), (3, 3), (0, 0)]


def test_rules_for_pupils_and_parents_are_recognised_by_their_heading() -> None:
    assert audience_is_others(clause(0, "Learner Expectations", "x", "bullet"))
    assert audience_is_others(clause(0, "5. Personal use of social media by parents/carers", "x", "text"))
    assert not audience_is_others(clause(0, "Personal Use of Social Media by Staff", "x", "text"))
    assert not audience_is_others(clause(0, "4.2 Communicating with learners and their families", "x", "text"))
