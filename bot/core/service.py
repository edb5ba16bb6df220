"""The answer service: one question in, one platform-neutral Answer out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol

from bot.core import compose
from bot.core.models import Answer, Contact, Passage, Question
from bot.core.safeguarding import check_concern
from bot.errors import QuestionError, UnknownOrganisation
from bot.reading import roles
from bot.reading.documents import DocumentInfo, Organisation
from bot.retrieval.search import Hit, HybridSearcher


class QuestionLog(Protocol):
    def record(self, question: Question, answer: Answer) -> str | None:
        """Keep the question for SLT review; its entry id once safely stored (or queued), else None."""
        ...

    def feedback(self, entry_id: str, helpful: bool, comment: str | None, org: str) -> bool:
        """Keep helpful / not helpful (and a comment) on an answer of *org*; True once kept."""
        ...


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def clean_question(text: str, max_chars: int) -> str:
    """The question as searched: control characters and undecodable bytes removed, whitespace
    collapsed. Raises QuestionError when nothing askable is left or it is too long to be one question."""
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
                 top_k: int = 3, max_question_chars: int = 2000) -> None:
        self.searcher = searcher
        self.orgs = orgs
        self.documents = {d.source: d for d in documents}
        self.log = log
        self.today = today
        self.top_k = top_k
        self.max_question_chars = max_question_chars

    def answer(self, question: Question, top_k: int | None = None) -> Answer:
        if question.org not in self.orgs:
            raise UnknownOrganisation(question.org, sorted(self.orgs))
        text = clean_question(question.text, self.max_question_chars)
        result = self.searcher.search(question.org, text, k=top_k or self.top_k)
        directory = self._directory(question.org)
        answer = self._answered(question, result.hits, directory) if result.answered \
            else self._not_answered(question, directory)
        concern = check_concern(text)
        if concern.flagged:
            answer = _act_now(answer, directory.for_role("dsl"), concern.reason)
        log_id = self.log.record(question, answer) if self.log is not None else None
        if log_id:
            passed_on = "" if answer.answered else f" {_PASSED_ON}"
            answer = replace(answer, log_id=log_id, message=answer.message + passed_on)
        return answer

    def feedback(self, log_id: str, helpful: bool, org: str, comment: str | None = None) -> bool:
        """Helpful / not helpful on an answer this service gave to someone of *org*."""
        return self.log.feedback(log_id, helpful, comment, org) if self.log is not None else False

    def _directory(self, org: str) -> compose.Directory:
        chain = [self.orgs[o] for o in self.searcher.scope_orgs(org)]
        return compose.Directory(chain, self.documents.values())

    def _general_contact(self, org: str, directory: compose.Directory) -> Contact | None:
        phrase = self.orgs[org].general_contact
        return directory.for_phrase(phrase) if phrase else None

    def _answered(self, question: Question, hits: tuple[Hit, ...], directory: compose.Directory) -> Answer:
        passages = tuple(Passage(text=h.clause.text, org=h.clause.org, document=h.clause.document,
                                 section=h.clause.section, source=h.clause.source, score=round(h.score, 4),
                                 approved=h.clause.note)
                         for h in hits)
        clauses = [h.clause for h in hits]
        contacts = compose.contacts_for(clauses[:1] if _clear_winner(hits) else clauses, self.documents,
                                        directory, self._general_contact(question.org, directory),
                                        asked=roles.find_roles(question.text))
        docs = [self.documents[s] for s in dict.fromkeys(c.source for c in clauses) if s in self.documents]
        return Answer(question=question.text, org=question.org, answered=True, passages=passages,
                      contacts=contacts, warnings=compose.warnings_for(docs, self.today()),
                      message=f"Here is what {self.orgs[question.org].name}'s policies say.")

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


def _act_now(answer: Answer, dsl: Contact, reason: str) -> Answer:
    """A live concern about a child: the DSL comes first, and so does the instruction to go to them now
    (KCSIE: staff act on a concern immediately and speak to the DSL)."""
    who = compose.describe(dsl)
    urgent = (f"Act now: speak to the DSL today — {who}. If a child is in immediate danger, call 999. "
              "Do not wait for a reply here, and do not investigate yourself.")
    others = tuple(c for c in answer.contacts if c != dsl)
    return replace(answer, urgent=urgent, concern=reason, contacts=(dsl, *others)[:compose.MAX_CONTACTS])


def _clear_winner(hits: tuple[Hit, ...]) -> bool:
    """The top clause is well ahead of the rest: its contacts are the ones that matter."""
    return len(hits) > 1 and hits[0].score >= 1.25 * hits[1].score
