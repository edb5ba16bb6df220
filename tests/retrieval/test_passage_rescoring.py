"""The best clauses are scored again on the passage each would be quoted as: a line whose neighbours
answer the question outranks a line that only sounds like it. Vectors are set by hand, so the ranking
is known before the search runs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bot.reading.documents import Clause, DocumentInfo, Organisation
from bot.retrieval.search import HybridSearcher, SearchParams, passage_embedding_texts


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


class FixedEmbedder:
    """Every question is the first axis."""

    model_id = "fixed:3"

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return np.tile(unit(1, 0, 0), (len(texts), 1))


def clause(i: int, section: str, text: str) -> Clause:
    return Clause(id=str(i), org="o", source="o/p.md", document="P", section=section, text=text, kind="sentence")


CLAUSES = [
    clause(0, "Trips", "Zebra crossings are used."),  # sounds close on its own; its section says little more
    clause(1, "Trips", "Coaches are booked."),
    clause(2, "Medicines", "Quagga forms are kept."),  # less close on its own, but its passage answers
    clause(3, "Medicines", "Yak consent comes first."),
]
OWN = np.stack([unit(0.9, 1, 0), unit(0, 0, 1), unit(0.7, 1, 0), unit(0, 1, 1)])
AROUND = np.stack([unit(0.1, 1, 0), unit(0.1, 1, 0), unit(1, 0.1, 0), unit(1, 0.1, 0)])


def searcher(params: SearchParams | None = None, around: np.ndarray | None = AROUND) -> HybridSearcher:
    return HybridSearcher({"o": Organisation("o", "O")}, [DocumentInfo("o", "o/p.md", "P", "x")], CLAUSES, OWN,
                          FixedEmbedder(), params, passage_embeddings=around)


def first(s: HybridSearcher) -> int:
    return int(s.search("o", "what about it", k=1).hits[0].clause.id)


def test_a_clause_whose_passage_answers_outranks_one_that_only_sounds_close() -> None:
    assert first(searcher(around=None)) == 0  # on the clauses' own text
    assert first(searcher()) == 2


def test_passages_count_with_their_weight() -> None:
    assert first(searcher(SearchParams(passage_weight=0.0))) == 0
    assert first(searcher(SearchParams(passage_weight=0.05))) == 0  # 0.67 vs 0.57 on their own: 0.05 of
    # passage closeness (0.10 vs 0.99) does not make that up; 0.5 does (above)


def test_a_memory_mapped_matrix_gives_the_same_ranking(tmp_path) -> None:
    np.save(tmp_path / "around.npy", AROUND)
    mapped = np.load(tmp_path / "around.npy", mmap_mode="r")
    assert first(searcher(around=mapped)) == 2


def test_each_clause_is_embedded_as_the_passage_it_would_be_quoted_as() -> None:
    assert passage_embedding_texts(CLAUSES) == [
        "Trips: Zebra crossings are used. Coaches are booked.",
        "Trips: Zebra crossings are used. Coaches are booked.",  # in reading order, whichever line is hit
        "Medicines: Quagga forms are kept. Yak consent comes first.",
        "Medicines: Quagga forms are kept. Yak consent comes first.",
    ]
