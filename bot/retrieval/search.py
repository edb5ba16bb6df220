"""Hybrid search over one organisation's clauses (its own documents and its parent trust's).

Each organisation gets its own scope: a BM25 index and an embedding matrix built only from the clauses
it may see, so another organisation's text can never be ranked, let alone returned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from threading import Lock
from typing import TYPE_CHECKING

import numpy as np

from bot.reading import roles
from bot.reading.documents import Clause, DocumentInfo, Organisation
from bot.retrieval import analysis, fusion, passages
from bot.retrieval.bm25 import Bm25Index
from bot.retrieval.embeddings import Embedder
from bot.retrieval.features import (SAYS_WHEN, SAYS_WHO, ClauseFeatures, answers, audience_is_others, clause_terms,
                                    derive, heading, matters_covered)

if TYPE_CHECKING:
    from bot.retrieval.index_store import RowFile

__all__ = ["HybridSearcher", "SearchParams", "Hit", "SearchResult", "clause_embedding_text",
           "passage_embedding_texts", "clause_terms",
           "audience_is_others", "heading", "topic_is_known", "known_word_share"]


@dataclass(frozen=True)
class SearchParams:
    alpha: float = 0.5  # weight of BM25 in the fusion (the rest is the embeddings)
    other_audience: float = 0.85  # factor for clauses that set rules for pupils or parents, not staff
    own_document: float = 1.02  # a school's own clause beats its trust's on a tie
    role_asked: float = 1.15  # "who is the deputy DSL?": that role's contact line ...
    role_not_asked: float = 0.6  # ... over other roles' contact lines
    # "How long have we got to reply?" prefers clauses that give a time or a period; "who do I tell?"
    # clauses that name a role or a person (features.answers).
    asks_when: float = 1.3
    asks_who: float = 1.15
    # Answer when cosine(best clause) + known_weight * (share of the question's words the policies use)
    # reaches min_confidence; below it the policies are taken not to cover the question.
    known_weight: float = 0.5
    min_confidence: float = 0.72
    # Which policy, then which clause: each clause's score is multiplied by its document's relevance
    # (the mean of the document's best few clause scores, against the best document's) to this power.
    document_weight: float = 2.0
    document_top: int = 3
    # Reference matter (links, further reading, the legislation a policy cites, glossaries, version
    # tables) answers no staff question by itself: its clauses rank lower.
    reference: float = 0.8
    # Then which passage: the best clauses are scored again on the passage each would be quoted as (the
    # clause with the lines around it, bot.retrieval.passages), its meaning blended with the clause's own.
    passage_weight: float = 0.5
    passage_rescore: int = 100  # how many of the best clauses are scored on their passage
    # With a second-stage model (bot.retrieval.rerank), its reading of those same passages joins their
    # closeness in meaning with this share: the larger model helps choose the candidates, not only order
    # the last few.
    second_weight: float = 0.5


# The second stage's cosine of a question with the passages of these index rows (None: it has none).
SecondOpinion = Callable[[str, np.ndarray], "np.ndarray | None"]


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    lexical: float
    dense: float


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    answered: bool
    confidence: float
    vector: np.ndarray | None = None  # the question's embedding (the safeguarding model reads it too)


def clause_embedding_text(clause: Clause) -> str:
    """The clause with its heading: "Staff Conduct on Social Media: Staff must not engage with ..."."""
    above = heading(clause)
    return f"{above}: {clause.text}" if above else clause.text


def passage_embedding_texts(clauses: Sequence[Clause]) -> list[str]:
    """For each clause (in index order), the passage it would be quoted as, with its heading."""
    return [clause_embedding_text(passages.passage(clauses, i).clause) for i in range(len(clauses))]


class _Scope:
    """One organisation's clauses, from the features stored with the index: no clause is analysed here.
    Its embeddings are views of the index's one matrix (a run of consecutive rows each: a document's
    clauses are consecutive), never a copy: a trust's rows are in every school's scope once, in memory
    once (and memory-mapped, shared by every process serving the index)."""

    def __init__(self, org: str, rows: np.ndarray, clauses: list[Clause], embeddings: np.ndarray,
                 features: ClauseFeatures, facts: _Facts) -> None:
        self.rows = rows
        self.clauses = [clauses[i] for i in rows.tolist()]
        self.blocks = [embeddings[start:end] for start, end in _runs(rows)]
        starts, ends = features.term_offsets[rows], features.term_offsets[rows + 1]
        self.bm25 = Bm25Index.from_ids(features.term_ids[_ranges(starts, ends)], ends - starts, features.vocabulary)
        self.document_frequency = self.bm25.document_frequency
        sources = {source: n for n, source in enumerate(dict.fromkeys(c.source for c in self.clauses))}
        self.speller = facts.speller(sources)
        self.others = np.where(features.others[rows], 0.0, 1.0).astype(np.float32)
        self.own = np.array([c.org == org for c in self.clauses], dtype=bool)
        self.list_of = _local(features.list_parent[rows], rows, len(clauses))
        self.contact_roles = {i: c.roles[0] for i, c in enumerate(self.clauses) if c.kind == "contact" and c.roles}
        self.document_of = np.array([sources[c.source] for c in self.clauses], dtype=np.int64)
        self.n_documents = len(sources)
        self.matters_covered = frozenset().union(*(facts.matters(source) for source in sources))
        self.reference = facts.reference[rows]
        self.answers = features.answers[rows] if features.answers is not None else \
            np.array([answers(c) for c in self.clauses], dtype=np.uint8)

    def dense(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every clause of the scope with *vector* (unit rows), block by block."""
        if len(self.blocks) == 1:
            return np.asarray(self.blocks[0] @ vector)
        out = np.empty(self.rows.size, dtype=np.result_type(self.blocks[0].dtype, vector.dtype) if self.blocks
                       else np.float32)
        at = 0
        for block in self.blocks:
            np.matmul(block, vector, out=out[at:at + len(block)])
            at += len(block)
        return out


class _Facts:
    """What is read off the clauses' text once for the whole index, not once per scope (a trust's
    documents are in every one of its schools' scopes): which clauses are reference matter, and which
    staff matters each document covers."""

    def __init__(self, clauses: list[Clause], rows_of_source: dict[str, np.ndarray], features: ClauseFeatures) -> None:
        self._clauses, self._rows_of_source, self._features = clauses, rows_of_source, features
        self._matters: dict[str, frozenset[str]] = {
            source: frozenset(found) for source, found in (features.matters or {}).items()}
        self._word_ids: dict[str, np.ndarray] = {}

    @cached_property
    def spellings(self) -> analysis.Spellings:
        return analysis.Spellings(set().union(*self._features.words.values()))

    def speller(self, sources: Iterable[str]) -> analysis.Speller:
        """A speller over these documents' words, sharing the index's one table of deletions."""
        for source in sources:
            if source not in self._word_ids:
                self._word_ids[source] = self.spellings.id_array(self._features.words.get(source, ()))
        return self.spellings.speller(self._word_ids[source] for source in sources)

    @cached_property
    def reference(self) -> np.ndarray:
        return np.array([_is_reference(c.section) for c in self._clauses], dtype=bool)

    def matters(self, source: str) -> frozenset[str]:
        if source not in self._matters:
            rows = self._rows_of_source.get(source, ())
            self._matters[source] = matters_covered(self._clauses[int(i)] for i in rows)
        return self._matters[source]


@lru_cache(maxsize=65536)
def _is_reference(section: str) -> bool:
    return bool(_REFERENCE.search(section))


def _runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """Sorted *rows* as runs of consecutive rows, (start, end) each: [3, 4, 5, 9, 10] -> [(3, 6), (9, 11)]."""
    if not rows.size:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [rows.size]))
    return [(int(rows[a]), int(rows[b - 1]) + 1) for a, b in zip(starts.tolist(), ends.tolist())]


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Indices starts[0]..ends[0]-1, starts[1]..ends[1]-1, ... concatenated, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(total, dtype=np.int64)


def _local(parents: np.ndarray, rows: np.ndarray, n_clauses: int) -> np.ndarray:
    """Index rows of list parents as rows of the scope (-1 where the parent is outside it)."""
    position = np.full(n_clauses + 1, -1, dtype=np.int64)  # the extra slot maps "no parent" (-1) to -1
    position[rows] = np.arange(rows.size)
    return position[parents]


class HybridSearcher:
    def __init__(self, orgs: dict[str, Organisation], documents: list[DocumentInfo], clauses: list[Clause],
                 embeddings: np.ndarray, embedder: Embedder, params: SearchParams | None = None,
                 features: ClauseFeatures | None = None,
                 passage_embeddings: np.ndarray | RowFile | None = None,
                 second: SecondOpinion | None = None) -> None:
        """*features* are the ones stored with the index; without them every clause is analysed here.
        *passage_embeddings* (one row per clause: its passage's embedding, passage_embedding_texts) may be
        an index_store.RowFile (or memory-mapped): only the rows of each question's best clauses are read. Without them clauses are
        ranked on their own text. *second* (the second stage's similarity of the question to index rows'
        passages) joins the rescoring of the best clauses' passages."""
        self.orgs = orgs
        self.second = second
        self.documents = documents
        self.clauses = clauses
        self.embeddings = embeddings
        self.passage_embeddings = passage_embeddings
        self.embedder = embedder
        self.params = params or SearchParams()
        self.features = features if features is not None else derive(clauses)
        self._scopes: dict[str, _Scope] = {}
        self._rows_of_source = _rows_by_source(clauses)
        self._facts = _Facts(clauses, self._rows_of_source, self.features)
        self._documents_of: dict[str, list[DocumentInfo]] = {}
        for d in documents:
            self._documents_of.setdefault(d.org, []).append(d)
        self._lock = Lock()

    def warm(self) -> None:
        """Build every organisation's scope now (a server does this before taking questions)."""
        for org in self.orgs:
            self._scope(org)

    def scope_orgs(self, org: str) -> list[str]:
        """The organisation, then its parent trust(s): the documents its staff may be quoted."""
        chain = [org]
        while (parent := self.orgs[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain

    def _scope(self, org: str) -> _Scope:
        with self._lock:
            if org not in self._scopes:
                self._scopes[org] = _Scope(org, self._rows_for(org), self.clauses, self.embeddings, self.features,
                                           self._facts)
            return self._scopes[org]

    def _rows_for(self, org: str) -> np.ndarray:
        """Clause rows of the organisation's documents and of its trust's documents, except a trust
        document whose title one of its nearer organisations also has (the school's own supersedes it).
        Two documents of one organisation are never merged, whatever their titles."""
        allowed: set[str] = set()
        nearer_titles: set[str] = set()
        for member in self.scope_orgs(org):  # nearest first
            docs = self._documents_of.get(member, [])
            allowed.update(d.source for d in docs if d.title.strip().lower() not in nearer_titles)
            nearer_titles.update(d.title.strip().lower() for d in docs)
        parts = [self._rows_of_source[s] for s in allowed if s in self._rows_of_source]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def search(self, org: str, question: str, k: int = 3) -> SearchResult:
        scope = self._scope(org)
        if not scope.clauses:
            return SearchResult((), False, 0.0)
        text = scope.speller.correct_text(analysis.informal_to_formal(question))
        q_terms = analysis.terms(text)
        lexical = scope.bm25.scores(q_terms)
        vector = self.embedder.encode([text])[0]
        dense = scope.dense(vector)
        prior = self._priors(scope, question)
        weight = self._weights(scope, lexical, dense, prior)
        fused = fusion.convex(lexical, dense, self.params.alpha) * weight
        if self.passage_embeddings is not None and self.params.passage_weight:
            fused = self._on_passages(scope, fused, lexical, dense, weight, vector, k + 10, question)
        ranked = [int(i) for i in fusion.top_k(fused, k + 10)]
        hits = tuple(Hit(quoted.clause, float(fused[src]), float(lexical[src]), float(dense[src]))
                     for quoted, src in _passages(ranked, scope.clauses, k, scope.list_of))
        answered, confidence = self._answerable(scope, text, dense)
        return SearchResult(hits, answered, confidence, vector)

    def _weights(self, scope: _Scope, lexical: np.ndarray, dense: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """Each clause's multiplier: its priors, times its document's relevance to the question."""
        if not self.params.document_weight or scope.n_documents <= 1:
            return prior
        fused = fusion.convex(lexical, dense, self.params.alpha) * prior
        relevance = fusion.document_prior(fused, scope.document_of, scope.n_documents, self.params.document_top)
        return prior * relevance ** self.params.document_weight

    def _on_passages(self, scope: _Scope, fused: np.ndarray, lexical: np.ndarray, dense: np.ndarray,
                     weight: np.ndarray, vector: np.ndarray, at_least: int, question: str = "") -> np.ndarray:
        """The best clauses scored again, their closeness in meaning blended with their passages' (on the
        same scale as the first pass, with the same document relevance: only their rows are touched), and
        with the second stage's reading of those passages when there is one; only they can be ranked now
        (a clause left out keeps no unblended advantage over them)."""
        assert self.passage_embeddings is not None
        best = fusion.top_k(fused, max(self.params.passage_rescore, at_least))
        rows = scope.rows[best]
        order = np.argsort(rows)  # a memory-mapped matrix reads fastest in row order
        around = np.empty(best.size, dtype=np.float32)
        around[order] = np.asarray(self.passage_embeddings[rows[order]], dtype=np.float32) @ vector
        w = self.params.passage_weight
        blended = (1.0 - w) * dense[best] + w * around
        if self.second is not None and self.params.second_weight:
            other = self.second(question, rows)
            if other is not None:
                blended = (1.0 - self.params.second_weight) * blended + self.params.second_weight * other
        rescored = np.zeros_like(fused)
        rescored[best] = fusion.convex_at(lexical, dense, best, blended, self.params.alpha) * weight[best]
        return rescored

    def _priors(self, scope: _Scope, question: str) -> np.ndarray:
        """Multipliers for what a staff member probably means: rules for staff over rules for pupils or
        parents; the school's own documents over its trust's; for "who is the deputy DSL?", the contact
        line of that role over other roles' contact lines."""
        p = self.params
        about_others = bool(re.search(r"\b(?:parents?|carers?|pupils?|students?|learners?|kids?)\b"
                                      r"\s+(?:can|may|should|must|allowed|are|is)\b", question, re.I))
        prior = np.where(scope.others > 0, 1.0, 1.0 if about_others else p.other_audience).astype(np.float32)
        prior = np.where(scope.own, prior * p.own_document, prior).astype(np.float32)
        if p.reference != 1.0:
            prior = np.where(scope.reference, prior * p.reference, prior).astype(np.float32)
        if p.asks_when != 1.0 and analysis.asks_when(question):
            prior = np.where(scope.answers & SAYS_WHEN, prior * p.asks_when, prior).astype(np.float32)
        if p.asks_who != 1.0 and analysis.asks_who(question):
            prior = np.where(scope.answers & SAYS_WHO, prior * p.asks_who, prior).astype(np.float32)
        asked = set(roles.find_roles(question))  # as typed: expansions add "(DSL)" to "deputy DSL"
        if asked:
            for i, role in scope.contact_roles.items():
                prior[i] *= p.role_asked if role in asked else p.role_not_asked
        return prior

    def _answerable(self, scope: _Scope, text: str, dense: np.ndarray) -> tuple[bool, float]:
        """Do the policies answer this at all? Two signals must agree: the best clause is close in
        meaning, and the question's own words are ones this organisation's policies use (a question
        about medication, payslips or dogs uses words a social media policy never does)."""
        best_dense = float(dense.max())
        known = known_word_share(text, scope.document_frequency, len(scope.clauses))
        confidence = best_dense + self.params.known_weight * known
        if not topic_is_known(text, scope.document_frequency):
            return False, confidence
        if any(m not in scope.matters_covered for m in analysis.staff_matters_asked(text)):
            return False, confidence  # pay, leave, parking, ...: only where a policy here covers it
        return confidence >= self.params.min_confidence, confidence


def _rows_by_source(clauses: list[Clause]) -> dict[str, np.ndarray]:
    """Each document's clause rows, found in one pass (not one pass over every clause per organisation)."""
    rows: dict[str, list[int]] = {}
    for i, c in enumerate(clauses):
        rows.setdefault(c.source, []).append(i)
    return {source: np.array(found, dtype=np.int64) for source, found in rows.items()}


def _passages(ranked: list[int], clauses: list[Clause], k: int,
              list_of: np.ndarray | None = None) -> list[tuple[passages.Passage, int]]:
    """The best k passages, as (passage, row whose scores it carries). An item of a list short enough to
    quote whole is quoted as its whole list (lead-in and items); any other clause grows to the lines
    around it. A clause already quoted by a better passage gives none of its own."""
    kept: list[tuple[passages.Passage, int]] = []
    quoted: set[int] = set()
    for src in ranked:
        row = int(list_of[src]) if list_of is not None and list_of[src] >= 0 else src
        if row in quoted or src in quoted or any(clauses[row].text in p.clause.text for p, _ in kept):
            continue
        found = passages.passage(clauses, row)
        kept.append((found, src))
        quoted.update(found.rows)
        if len(kept) == k:
            break
    return kept


_REFERENCE = re.compile(r"\b(?:links?\s+(?:to|with)\s+(?:other|related)|useful\s+(?:links|contacts|websites|resources)"
                        r"|further\s+(?:information|reading|guidance|resources)|references|bibliography|glossary"
                        r"|legislation|legal\s+framework|statutory\s+(?:framework|guidance)|related\s+(?:policies|documents)"
                        r"|version\s+(?:control|history)|document\s+control|review\s+(?:history|log))\b", re.IGNORECASE)
_TOPIC = re.compile(r"\b(?:polic(?:y|ies)|procedures?|process|rules?|guidance|guidelines)\s+"
                    r"(?:on|for|about|regarding|around|covering|when)\s+(.+)", re.IGNORECASE)
_GENERIC = frozenset("pupil pupils student students learner learners child children kid kids staff school "
                     "schools teacher teachers colleague colleagues people member members".split())


def topic_is_known(text: str, document_frequency: dict[str, int]) -> bool:
    """For "what is the policy on X?", X is the topic: if none of X's own words (pupils, staff and the
    like aside) appear in these policies, they do not cover it, however close a clause may sound."""
    m = _TOPIC.search(text)
    if not m:
        return True
    words = [w for w in analysis.content_words(m.group(1)) if w not in _GENERIC]
    return not words or any(_known(w, document_frequency) for w in words)


def _known(word: str, document_frequency: dict[str, int]) -> int:
    """How many of the scope's clauses use *word*, or (for a word they don't use) a vocabulary concept it
    stands for ('calpol' -> medicine): a concept counts only where these clauses mention it."""
    df = document_frequency.get(analysis.stem(word), 0)
    if df == 0:
        df = max((document_frequency.get(t, 0) for t in analysis.concept_tokens(word)), default=0)
    return df


def known_word_share(text: str, document_frequency: dict[str, int], n_clauses: int) -> float:
    """Share of the question's content words that the scope's clauses use (directly, or through a
    vocabulary concept they mention: 'insta' -> social media, 'hold a child' -> restraint), each word
    weighted by its rarity: a word the policies never use weighs most, a word in every clause ('pupils')
    least."""
    content = analysis.content_words(text)
    if not content:
        return 0.0
    unseen = math.log(1 + n_clauses)
    known = total = 0.0
    in_concepts = analysis.concept_words(text, lambda token: document_frequency.get(token, 0) > 0)
    for w in content:
        df = _known(w, document_frequency) or (1 if w in in_concepts else 0)
        weight = math.log(1 + n_clauses / df) if df else unseen
        total += weight
        known += weight if df else 0.0
    return known / total
