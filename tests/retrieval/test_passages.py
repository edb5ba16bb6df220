"""Passages: the best clause grown to the lines around it in its own section (known answers)."""

from __future__ import annotations

import numpy as np

from bot.reading.documents import Clause
from bot.retrieval import fusion
from bot.retrieval.passages import MAX_PASSAGE, passage, window


def _c(n: int, text: str, kind: str = "sentence", section: str = "Disclosures", source: str = "a.pdf",
       roles: tuple[str, ...] = ()) -> Clause:
    return Clause(id=f"x/{source}#{n}", org="x", source=source, document="Safeguarding Policy", section=section,
                  text=text, roles=roles, kind=kind)


LIST = [
    _c(0, "Staff must report concerns the same day.", section="Reporting"),
    _c(1, "During their conversation with the pupil staff will;", kind="text"),
    _c(2, "listen to what the child has to say;", kind="bullet"),
    _c(3, "remain calm;", kind="bullet"),
    _c(4, "tell the child what will happen next.", kind="bullet", roles=("dsl",)),
    _c(5, "Records are kept by the DSL.", section="Records"),
]


def test_an_item_is_quoted_with_its_lead_in_and_the_other_items_of_its_section() -> None:
    assert window(LIST, 2) == (1, 2, 3, 4)
    found = passage(LIST, 2)
    assert found.clause.text == ("During their conversation with the pupil staff will;\nlisten to what the child has "
                                 "to say;\nremain calm;\ntell the child what will happen next.")
    assert found.clause.section == "Disclosures" and found.clause.id == "x/a.pdf#2"
    assert found.clause.roles == ("dsl",)  # a role named in the passage is the passage's


def test_a_passage_never_crosses_into_another_section_or_document() -> None:
    assert window(LIST, 0) == (0,)
    assert window(LIST, 5) == (5,)
    other_doc = [_c(0, "One.", source="a.pdf"), _c(1, "Two.", source="b.pdf"), _c(2, "Three.", source="b.pdf")]
    assert window(other_doc, 1) == (1, 2)


def test_running_sentences_are_joined_with_a_space_and_stay_within_the_limit() -> None:
    sentences = [_c(n, f"Sentence {n} " + "x" * 180 + ".") for n in range(6)]
    rows = window(sentences, 3)
    text = passage(sentences, 3).clause.text
    assert 3 in rows and len(text) <= MAX_PASSAGE
    assert rows == (2, 3, 4)  # the line after first, then the line before, while they fit
    assert "\n" not in text and text.startswith("Sentence 2 ")


def test_contact_lines_and_whole_lists_are_quoted_as_they_are() -> None:
    clauses = [_c(0, "Before."), _c(1, "DSL | Jo Bloggs", kind="contact"), _c(2, "After.")]
    assert window(clauses, 1) == (1,)
    listed = [_c(0, "Before."), _c(1, "Staff must not: a; b", kind="list"), _c(2, "After.")]
    assert window(listed, 1) == (1,)
    assert window(listed, 0) == (0,)  # nor is a whole list pulled into its neighbour's passage


def test_a_clause_longer_than_the_limit_is_left_alone() -> None:
    long = [_c(0, "a" * 500 + "."), _c(1, "b" * 300 + "."), _c(2, "c" * 30 + ".")]
    assert window(long, 0) == (0,)
    assert window(long, 1) == (1, 2)


def test_the_document_prior_favours_the_document_with_several_good_clauses() -> None:
    scores = np.array([0.9, 0.1, 0.1, 0.8, 0.8, 0.7], dtype=np.float32)
    document_of = np.array([0, 0, 0, 1, 1, 1])
    prior = fusion.document_prior(scores, document_of, 2, top=3)
    assert prior[3] == prior[4] == prior[5] == 1.0  # mean of its best three: 0.767
    assert np.isclose(prior[0], (0.9 + 0.1 + 0.1) / 3 / ((0.8 + 0.8 + 0.7) / 3))
    assert np.allclose(fusion.document_prior(np.zeros(3, dtype=np.float32), np.array([0, 1, 1]), 2, 3), 1.0)
