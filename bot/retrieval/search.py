"""Hybrid search over one organisation's clauses (its own documents and its parent trust's).

Each organisation gets its own scope: a BM25 index and an embedding matrix built only from the clauses
it may see, so another organisation's text can never be ranked, let alone returned.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

import numpy as np

from bot.reading import roles
from bot.retrieval import analysis, fusion
from bot.retrieval.bm25 import Bm25Index
from bot.reading.documents import Clause, DocumentInfo, Organisation
from bot.retrieval.embeddings import Embedder
from bot.reading.documents import SEP


@dataclass(frozen=True)
class SearchParams:
    alpha: float = 0.5  # weight of BM25 in the fusion (the rest is the embeddings)
    other_audience: float = 0.85  # factor for clauses that set rules for pupils or parents, not staff
    own_document: float = 1.02  # a school's own clause beats its trust's on a tie
    role_asked: float = 1.15  # "who is the deputy DSL?": that role's contact line ...
    role_not_asked: float = 0.6  # ... over other roles' contact lines
    # Answer when cosine(best clause) + known_weight * (share of the question's words the policies use)
    # reaches min_confidence; below it the policies are taken not to cover the question.
    known_weight: float = 0.5
    min_confidence: float = 0.72


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


_OTHER_AUDIENCE = re.compile(r"\b(?:learners?|pupils?|students?|parents?|carers?)(?:'s?)?\b(?!\s+(?:past|present))",
                             re.IGNORECASE)


def audience_is_others(clause: Clause) -> bool:
    """True for clauses under a heading about pupils' or parents' own use ("Learner Expectations",
    "Personal use of social media by pupils"): staff asking "can I ..." rarely mean those."""
    top = clause.section.split(SEP)[0] if clause.section else ""
    head = re.sub(r"^\d+(?:\.\d+)*\.?\s*", "", top)
    return bool(_OTHER_AUDIENCE.search(head)) and "staff" not in head.lower() and "communicat" not in head.lower()


def heading(clause: Clause) -> str:
    """The nearest heading (or lead-in) above a clause: the context it is searched with."""
    return clause.section.split(SEP)[-1] if clause.section else ""


def clause_terms(clause: Clause) -> list[str]:
    return analysis.terms(clause.text) + analysis.terms(heading(clause))


def clause_embedding_text(clause: Clause) -> str:
    """The clause with its heading: "Staff Conduct on Social Media: Staff must not engage with ..."."""
    above = heading(clause)
    return f"{above}: {clause.text}" if above else clause.text


class _Scope:
    def __init__(self, org: str, rows: np.ndarray, clauses: list[Clause], embeddings: np.ndarray,
                 terms_of: Callable[[int], list[str]]) -> None:
        self.rows = rows
        self.clauses = [clauses[i] for i in rows]
        self.matrix = np.ascontiguousarray(embeddings[rows])
        self.terms = [terms_of(int(i)) for i in rows]
        self.bm25 = Bm25Index(self.terms)
        self.document_frequency = Counter(t for terms in self.terms for t in set(terms))
        self.speller = analysis.Speller(w for c in self.clauses for w in analysis.words(c.text + " " + c.section))
        self.others = np.array([0.0 if audience_is_others(c) else 1.0 for c in self.clauses], dtype=np.float32)
        self.own = np.array([c.org == org for c in self.clauses], dtype=bool)
        self.list_of = _list_parents(self.clauses)
        self.contact_roles = {i: c.roles[0] for i, c in enumerate(self.clauses) if c.kind == "contact" and c.roles}


def _list_parents(clauses: list[Clause]) -> np.ndarray:
    """For each list item, the row of the clause that quotes its whole list (lead-in and items); -1 if none.
    Items sit under the list's section plus the lead-in, so a lookup by section finds the candidates."""
    lists: dict[str, list[int]] = {}
    for i, c in enumerate(clauses):
        if c.kind == "list":
            lists.setdefault(c.section, []).append(i)
    parents = np.full(len(clauses), -1, dtype=np.int64)
    for i, c in enumerate(clauses):
        if c.kind == "bullet" and SEP in c.section:
            above = c.section.rsplit(SEP, 1)[0]
            parents[i] = next((j for j in lists.get(above, []) if c.text in clauses[j].text), -1)
    return parents


class HybridSearcher:
    def __init__(self, orgs: dict[str, Organisation], documents: list[DocumentInfo], clauses: list[Clause],
                 embeddings: np.ndarray, embedder: Embedder, params: SearchParams | None = None) -> None:
        self.orgs = orgs
        self.documents = documents
        self.clauses = clauses
        self.embeddings = embeddings
        self.embedder = embedder
        self.params = params or SearchParams()
        self._scopes: dict[str, _Scope] = {}
        self._terms: dict[int, list[str]] = {}  # analysed once per clause, shared by every scope
        self._lock = Lock()

    def _terms_of(self, row: int) -> list[str]:
        if row not in self._terms:
            self._terms[row] = clause_terms(self.clauses[row])
        return self._terms[row]

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
                self._scopes[org] = _Scope(org, self._rows_for(org), self.clauses, self.embeddings,
                                           self._terms_of)
            return self._scopes[org]

    def _rows_for(self, org: str) -> np.ndarray:
        """Clause rows of the organisation's documents and of its trust's documents, except a trust
        document whose title one of its nearer organisations also has (the school's own supersedes it).
        Two documents of one organisation are never merged, whatever their titles."""
        allowed: set[str] = set()
        nearer_titles: set[str] = set()
        for member in self.scope_orgs(org):  # nearest first
            docs = [d for d in self.documents if d.org == member]
            allowed.update(d.source for d in docs if d.title.strip().lower() not in nearer_titles)
            nearer_titles.update(d.title.strip().lower() for d in docs)
        return np.array([i for i, c in enumerate(self.clauses) if c.source in allowed], dtype=np.int64)

    def search(self, org: str, question: str, k: int = 3) -> SearchResult:
        scope = self._scope(org)
        if not scope.clauses:
            return SearchResult((), False, 0.0)
        text = scope.speller.correct_text(analysis.informal_to_formal(question))
        q_terms = analysis.terms(text)
        lexical = scope.bm25.scores(q_terms)
        dense = scope.matrix @ self.embedder.encode([text])[0]
        fused = fusion.convex(lexical, dense, self.params.alpha) * self._priors(scope, question)
        ranked = _group_lists(fusion.top_k(fused, k + 5), scope.list_of, k)
        order = _distinct(ranked, scope.clauses)[:k]
        hits = tuple(Hit(scope.clauses[i], float(fused[src]), float(lexical[src]), float(dense[src]))
                     for i, src in order)
        answered, confidence = self._answerable(scope, text, dense)
        return SearchResult(hits, answered, confidence)

    def _priors(self, scope: _Scope, question: str) -> np.ndarray:
        """Multipliers for what a staff member probably means: rules for staff over rules for pupils or
        parents; the school's own documents over its trust's; for "who is the deputy DSL?", the contact
        line of that role over other roles' contact lines."""
        p = self.params
        about_others = bool(re.search(r"\b(?:parents?|carers?|pupils?|students?|learners?|kids?)\b"
                                      r"\s+(?:can|may|should|must|allowed|are|is)\b", question, re.I))
        prior = np.where(scope.others > 0, 1.0, 1.0 if about_others else p.other_audience).astype(np.float32)
        prior = np.where(scope.own, prior * p.own_document, prior).astype(np.float32)
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
        return confidence >= self.params.min_confidence, confidence


def _group_lists(order: np.ndarray, list_of: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Several items of one list among the best k: quote the whole list once, in the place of its best
    item. Returns (row to quote, row whose scores it carries)."""
    top = [int(i) for i in order]
    siblings = Counter(int(list_of[i]) for i in top[:k] if list_of[i] >= 0)
    return [(int(list_of[i]) if list_of[i] >= 0 and siblings[int(list_of[i])] >= 2 else i, i) for i in top]


def _distinct(ranked: list[tuple[int, int]], clauses: list[Clause]) -> list[tuple[int, int]]:
    """Drop a clause whose words are already quoted by a better one (an item under its list)."""
    kept: list[tuple[int, int]] = []
    for row, src in ranked:
        if not any(clauses[row].text in clauses[j].text for j, _ in kept):
            kept.append((row, src))
    return kept


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
    words = [w for w in analysis.words(m.group(1)) if w not in analysis.STOPWORDS
             and w not in analysis.CHATTER and w not in _GENERIC and len(w) > 2]
    return not words or any(analysis.stem(w) in document_frequency or analysis.concept_tokens(w) for w in words)


def known_word_share(text: str, document_frequency: dict[str, int], n_clauses: int) -> float:
    """Share of the question's content words that the scope's clauses use (directly, or through a
    vocabulary concept such as 'insta' -> social media), each word weighted by its rarity: a word the
    policies never use weighs most, a word in every clause ('pupils') least."""
    content = [w for w in analysis.words(text)
               if w not in analysis.STOPWORDS and w not in analysis.CHATTER and len(w) > 2]
    if not content:
        return 0.0
    unseen = math.log(1 + n_clauses)
    known = total = 0.0
    for w in content:
        df = document_frequency.get(analysis.stem(w), 0)
        if df == 0 and analysis.concept_tokens(w):
            df = 1  # an informal word for something the vocabulary knows
        weight = math.log(1 + n_clauses / df) if df else unseen
        total += weight
        known += weight if df else 0.0
    return known / total
