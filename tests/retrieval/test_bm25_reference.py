"""bm25s is what we ship (fast); rank-bm25, the library the client named, is the reference."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from bot.retrieval.bm25 import Bm25Index
from bot.reading.corpus import load_corpus
from bot.retrieval.features import heading
from tests.conftest import CORPUS, SLUGS

QUESTIONS = ["friend request from a former pupil", "whatsapp learners", "who is the designated safeguarding lead",
             "personal social media during lessons", "official accounts managed by", "report concerns to the DSL",
             "privacy settings on personal accounts", "photos of pupils without consent"]


def test_bm25s_and_rank_bm25_rank_the_seed_clauses_alike() -> None:
    corpus = load_corpus(CORPUS)
    from bot.retrieval import analysis

    for slug in SLUGS:
        # Clause and heading words (not the title every clause of a one-policy organisation shares: a term
        # in every clause is where the two IDF formulas differ by design, rank-bm25 flooring it to epsilon).
        docs = [analysis.terms(c.text) + analysis.terms(heading(c)) for c in corpus.clauses if c.org == slug]
        ours = Bm25Index(docs, k1=1.5, b=0.75)
        reference = BM25Okapi(docs, k1=1.5, b=0.75)
        for q in QUESTIONS:
            terms = analysis.terms(q)
            a = ours.scores(terms)
            b = reference.get_scores([t for t in terms if t in ours.vocabulary])
            if a.max() == 0:
                continue
            # Each one's best clause is in the other's top 3 (near-ties may swap: the IDF formulas
            # differ slightly), and the scores are strongly correlated.
            assert int(np.argmax(a)) in np.argsort(-b)[:3], (slug, q)
            assert int(np.argmax(b)) in np.argsort(-a)[:3], (slug, q)
            assert np.corrcoef(a, b)[0, 1] > 0.8, (slug, q)
