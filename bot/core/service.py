"""The answer service: one question in, one platform-neutral Answer out."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol

import numpy as np

from bot.core import compose
from bot.core.concern_model import Concern, detect_told, embed_texts
from bot.core.models import Answer, Contact, Passage, Question
from bot.errors import QuestionError, UnknownOrganisation
from bot.reading import roles
from bot.reading.documents import DocumentInfo, Organisation
from bot.retrieval.search import Hit, HybridSearcher
from bot.retrieval.rerank import Reranker

logger = logging.getLogger(__name__)


class QuestionLog(Protocol):
    def record(self, question: Question, answer: Answer) -> str | None:
        """Keep the question for SLT review; its entry id once safely stored (or queued), else None."""
        ...

    def feedback(self, entry_id: str, helpful: bool, comment: str | None, org: str) -> bool:
        """Keep helpful / not helpful (and a comment) on an answer of *org*; True once kept."""
        ...


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")  # with lone surrogates


def clean_question(text: str, max_chars: int) -> str:
    """The question as searched: control characters, NUL, lone surrogates (invalid UTF-16 halves that no
    encoder, tokenizer or database accepts) and undecodable bytes removed, whitespace collapsed. Raises QuestionError when nothing askable is left or it is too long to be one question."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("The question is empty: please type what you would like to know.")
    if len(text) > max_chars:
        raise QuestionError(f"The question is {len(text):,} characters long; please ask in under "
                            f"{max_chars:,} characters, one question at a time.")
    if sum(ch.isalpha() for ch in text) < 2:
        raise QuestionError("That does not look like a question: please ask in words.")
    return text


class AnswerService:
    def __init__(self, searcher: HybridSearcher, orgs: dict[str, Organisation], documents: list[DocumentInfo],
                 log: QuestionLog | None = None, today: Callable[[], date] = date.today,
                 top_k: int = 3, max_question_chars: int = 2000, reranker: Reranker | None = None) -> None:
        self.searcher = searcher
        self.reranker = reranker  # an optional second stage over the best few clauses
        self.orgs = orgs
        self.documents = {d.source: d for d in documents}
        self.log = log
        self.today = today
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self._reporting: dict[tuple[str, str], tuple[Passage, ...]] = {}
        # Told of each flagged question once it is logged (the server tells the DSL: bot.concern_alerts).
        self.on_concern: Callable[[Question, Answer, str], None] | None = None

    def answer(self, question: Question, top_k: int | None = None) -> Answer:
        if question.org not in self.orgs:
            raise UnknownOrganisation(question.org, sorted(self.orgs))
        text = clean_question(question.text, self.max_question_chars)
        k = top_k or self.top_k
        result = self.searcher.search(question.org, text, k=max(k, self.reranker.depth) if self.reranker else k)
        hits = result.hits
        if self.reranker is not None and result.answered:
            hits = tuple(self.reranker.order(text, hits, lambda h: h.clause, lambda h: h.score))
        directory = self._directory(question.org)
        answer = self._answered(question, hits[:k], directory) if result.answered \
            else self._not_answered(question, directory)
        concern = detect_told(text, result.vector, self.searcher.embedder.model_id, self._vector_of)
        if concern.flagged:
            answer = self._act_now(answer, directory, concern)
        log_id = self.log.record(question, answer) if self.log is not None else None
        if log_id and answer.urgent and self.on_concern is not None:
            try:
                self.on_concern(question, answer, log_id)
            except Exception:  # telling the DSL must never cost the member of staff their answer
                logger.exception("could not pass a safeguarding concern on for alerting")
        if log_id:
            passed_on = "" if answer.answered or answer.urgent else f" {_PASSED_ON}"
            answer = replace(answer, log_id=log_id, message=answer.message + passed_on)
        return answer

    def _vector_of(self, text: str) -> np.ndarray:
        """A piece of a question as the concern model reads it: embedded as search embeds a question."""
        vector: np.ndarray = self.searcher.embedder.encode(embed_texts([text]))[0]
        return vector

    def feedback(self, log_id: str, helpful: bool, org: str, comment: str | None = None) -> bool:
        """Helpful / not helpful on an answer this service gave to someone of *org*."""
        return self.log.feedback(log_id, helpful, comment, org) if self.log is not None else False

    def _directory(self, org: str) -> compose.Directory:
        chain = [self.orgs[o] for o in self.searcher.scope_orgs(org)]
        return compose.Directory(chain, self.documents.values())

    def _general_contact(self, org: str, directory: compose.Directory) -> Contact | None:
        phrase = self.orgs[org].general_contact
        return directory.for_phrase(phrase) if phrase else None

    @staticmethod
    def _passages(hits: tuple[Hit, ...]) -> tuple[Passage, ...]:
        return tuple(Passage(text=h.clause.text, org=h.clause.org, document=h.clause.document,
                             section=h.clause.section, source=h.clause.source, score=round(h.score, 4),
                             approved=h.clause.note)
                     for h in hits)

    def _answered(self, question: Question, hits: tuple[Hit, ...], directory: compose.Directory) -> Answer:
        passages = self._passages(hits)
        clauses = [h.clause for h in hits]
        contacts = compose.contacts_for(clauses[:1] if _clear_winner(hits) else clauses, self.documents,
                                        directory, self._general_contact(question.org, directory),
                                        asked=roles.find_roles(question.text))
        docs = [self.documents[s] for s in dict.fromkeys(c.source for c in clauses) if s in self.documents]
        return Answer(question=question.text, org=question.org, answered=True, passages=passages,
                      contacts=contacts, warnings=compose.warnings_for(docs, self.today()),
                      message=f"Here is what {self.orgs[question.org].name}'s policies say.")

    def _act_now(self, answer: Answer, directory: compose.Directory, concern: Concern) -> Answer:
        """A live concern: what to do now and who to go to come first (KCSIE: act at once). About a child:
        the DSL, then the deputies. About an adult who works with children: the headteacher, or the chair
        of governors when it is the headteacher (KCSIE Part 4). Where the policies answered nothing, their
        clause on reporting is quoted instead: never "your policies don't cover this"."""
        route = _route(directory, concern.about)
        who = compose.describe(route[0])
        if concern.about == "child":
            urgent = (f"Act now: speak to the DSL today — {who}. If a child is in immediate danger, call 999. "
                      "Do not wait for a reply here, and do not investigate yourself.")
        else:
            urgent = (f"Act now: report this today to {who} — concerns and allegations about adults who work "
                      "with children go to them, not to the person concerned. If a child is in immediate "
                      "danger, call 999. Do not investigate yourself or tell the person concerned.")
        if not answer.answered:
            quoted = self._reporting_clauses(answer.org, concern.about)
            message = (f"Here is what {self.orgs[answer.org].name}'s policies say about reporting it."
                       if quoted else "")
            answer = replace(answer, answered=bool(quoted), passages=quoted, message=message)
        contacts = tuple(dict.fromkeys([*route, *answer.contacts]))[:compose.MAX_CONTACTS]
        return replace(answer, urgent=urgent, concern=concern.reason, concern_about=concern.about, contacts=contacts)

    def _reporting_clauses(self, org: str, about: str) -> tuple[Passage, ...]:
        """The organisation's clause on reporting this kind of concern, if its policies have one (found
        once per organisation and kind)."""
        key = (org, "child" if about == "child" else "adult")
        if key not in self._reporting:
            query = _REPORTING[key[1]]
            result = self.searcher.search(org, query, k=1)
            self._reporting[key] = self._passages(result.hits) if result.answered else ()
        return self._reporting[key]

    def _not_answered(self, question: Question, directory: compose.Directory) -> Answer:
        """Nothing to quote: whoever holds a role the question names ("who's the SENCo?"), when this
        organisation names them, else the general contact."""
        asked = directory.holders(roles.find_roles(question.text))
        contact = asked[0] if asked else self._general_contact(question.org, directory)
        who = f" Please ask {compose.describe(contact)}." if contact else ""
        return Answer(question=question.text, org=question.org, answered=False,
                      contacts=(contact,) if contact else (),
                      message=f"Sorry, {self.orgs[question.org].name}'s policies don't cover this.{who}")


_PASSED_ON = "Your question has been passed to the senior leadership team so that the gap can be filled."


_REPORTING = {
    "child": "how do I report a safeguarding concern about a child to the designated safeguarding lead",
    "adult": "how do I report an allegation or concern about a member of staff or the headteacher",
}


def _route(directory: compose.Directory, about: str) -> list[Contact]:
    """Who a concern goes to, first the one to go to now: the DSL and the named deputies for a child; the
    headteacher for another adult; the chair of governors for the headteacher; the DSL after them."""
    first = {"child": ["dsl", "deputy_dsl"], "staff": ["headteacher", "dsl"], "head": ["chair", "dsl"]}[about]
    return list(dict.fromkeys([directory.for_role(first[0]), *directory.holders(first[1:])]))


def _clear_winner(hits: tuple[Hit, ...]) -> bool:
    """The top clause is well ahead of the rest: its contacts are the ones that matter."""
    return len(hits) > 1 and hits[0].score >= 1.25 * hits[1].score
