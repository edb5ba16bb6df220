"""What search derives from each clause: its analysed BM25 terms, whether it sets rules for pupils or
parents, the list that quotes it; and for each document, its words for the speller and the everyday staff
matters it covers.

Worked out once when the index is built and stored with it (bot.retrieval.index_store): the vocabulary's
regexes over every clause took most of a server's start (72.6 of 81.6 s for one 100k-clause scope), so a
server reads these and never re-analyses a clause.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from bot.reading.documents import Clause
from bot.reading.documents import SEP
from bot.retrieval import analysis

_OTHER_AUDIENCE = re.compile(r"\b(?:learners?|pupils?|students?|parents?|carers?)(?:'s?)?\b(?!\s+(?:past|present))",
                             re.IGNORECASE)


def heading(clause: Clause) -> str:
    """The nearest heading (or lead-in) above a clause: the context it is searched with."""
    return clause.section.split(SEP)[-1] if clause.section else ""


def clause_terms(clause: Clause) -> list[str]:
    """A clause is searched with its document's title and its whole section path: "which policy, then
    which clause" (a question about medicines meets the medicines policy's lines that never say it)."""
    return analysis.terms(clause.text) + analysis.terms(f"{clause.document} {clause.section.replace(SEP, ' ')}")


@cache
def analysis_id() -> str:
    """Changes whenever what the features are derived with changes (the vocabulary, the code of
    analysis and of this module): an index whose stored features were derived otherwise is rebuilt."""
    digest = hashlib.sha256()
    for path in (Path(analysis.__file__).with_name("vocabulary.yaml"), Path(analysis.__file__), Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def terms_key(clause: Clause) -> str:
    """What a clause's terms depend on (its text, section and document title): an unchanged clause keeps its terms when
    its document is re-indexed."""
    return hashlib.sha256(f"{clause.text}\0{clause.section}\0{clause.document}".encode()).hexdigest()[:32]


def audience_is_others(clause: Clause) -> bool:
    """True for clauses under a heading about pupils' or parents' own use ("Learner Expectations",
    "Personal use of social media by pupils"): staff asking "can I ..." rarely mean those."""
    top = clause.section.split(SEP)[0] if clause.section else ""
    head = re.sub(r"^\d+(?:\.\d+)*\.?\s*", "", top)
    return bool(_OTHER_AUDIENCE.search(head)) and "staff" not in head.lower() and "communicat" not in head.lower()


_PLEDGE = re.compile(r"\bI\s+(?:will|won't|will\s+not|know|can|must|should|am|promise|agree)\b")
_CHILD_WORDS = re.compile(r"\b(?:my|a|the|another|an?\s+other)\s+(?:class\s+)?(?:teacher|trusted\s+adult|grown-?up)s?\b"
                          r"|\b(?:suitable|trusted|responsible)\s+adult|\(child\)|\bmy\s+(?:mum|dad|parents?|carers?)\b",
                          re.IGNORECASE)


# What a clause can answer besides its topic: when or how long (a time, a period, a deadline), and who (it
# names a role or a person). A question asking "how long ...?" or "who ...?" prefers such clauses.
SAYS_WHEN, SAYS_WHO = 1, 2
_WHEN = re.compile(
    r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|fifteen|twenty|twenty-one|"
    r"twenty-eight|thirty|forty|sixty|ninety)\s+(?:\(\d+\)\s+)?(?:calendar\s+|working\s+|school\s+|term\s+|clear\s+|"
    r"consecutive\s+)?(?:days?|weeks?|months?|years?|hours?|minutes?|terms?)\b"
    r"|\bwithin\b|\bby\s+the\s+(?:end|close|start)\b|\b(?:annually|termly|daily|weekly|monthly|fortnightly|yearly)\b"
    r"|\bevery\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|terms?)\b|\bimmediately\b|\bsame\s+day\b"
    r"|\bnext\s+working\s+day\b|\bdeadline\b|\bas\s+soon\s+as\b|\bno\s+later\s+than\b", re.IGNORECASE)


def answers(clause: Clause) -> int:
    """SAYS_WHEN | SAYS_WHO bits: whether the clause gives a time or period, and whether it names a role
    or a person."""
    return (SAYS_WHEN if _WHEN.search(clause.text) else 0) | (SAYS_WHO if clause.roles or clause.names else 0)


def child_pledge(text: str) -> bool:
    """A line of a pupils' agreement: "I will tell my teacher or a trusted adult if ..."."""
    return bool(_PLEDGE.search(text)) and bool(_CHILD_WORDS.search(text))


def audiences(clauses: Sequence[Clause]) -> np.ndarray:
    """For each clause, whether it sets rules for pupils or parents rather than staff: its heading says so
    (audience_is_others), or it belongs to a pupils' agreement: a section in which at least a quarter of
    the lines are a child's pledges ("I will tell my teacher ...")."""
    sections: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(clauses):
        sections.setdefault((c.source, c.section), []).append(i)
    out = np.array([audience_is_others(c) for c in clauses], dtype=bool)
    for rows in sections.values():
        if sum(child_pledge(clauses[i].text) for i in rows) * 4 >= len(rows):
            out[rows] = True
    return out


@dataclass(frozen=True)
class ClauseFeatures:
    """Per clause (row i of the index): terms as ids into *vocabulary*, CSR-style (clause i's terms are
    term_ids[term_offsets[i]:term_offsets[i + 1]]); others[i]; list_parent[i] (row of the clause quoting
    clause i's whole list, -1 if none); and per source document the words its speller may correct to and
    the staff matters it covers (analysis.staff_matters_covered: 28 s of regexes at a 241k-clause start)."""

    vocabulary: list[str]
    term_ids: np.ndarray  # int32
    term_offsets: np.ndarray  # int64, one more than there are clauses
    others: np.ndarray  # bool
    list_parent: np.ndarray  # int64
    words: dict[str, list[str]]
    matters: dict[str, list[str]] | None = None  # None: not stored (worked out by search when needed)
    answers: np.ndarray | None = None  # uint8 SAYS_WHEN | SAYS_WHO bits; None: not stored (worked out when needed)

    def terms(self, row: int) -> list[str]:
        ids = self.term_ids[self.term_offsets[row]:self.term_offsets[row + 1]]
        return [self.vocabulary[i] for i in ids.tolist()]

    def __len__(self) -> int:
        return len(self.others)


def derive(clauses: Sequence[Clause], known_terms: dict[str, list[str]] | None = None) -> ClauseFeatures:
    """Every clause's features. *known_terms* (by terms_key) are reused instead of analysing again."""
    known = known_terms or {}
    per_clause = [known[key] if (key := terms_key(c)) in known else clause_terms(c) for c in clauses]
    vocabulary = sorted({t for terms in per_clause for t in terms})
    index = {t: i for i, t in enumerate(vocabulary)}
    lengths = np.array([len(terms) for terms in per_clause], dtype=np.int64)
    offsets = np.zeros(len(clauses) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.fromiter((index[t] for terms in per_clause for t in terms), dtype=np.int32, count=int(offsets[-1]))
    return ClauseFeatures(vocabulary, ids, offsets, audiences(clauses),
                          list_parents(clauses), document_words(clauses), document_matters(clauses),
                          np.array([answers(c) for c in clauses], dtype=np.uint8))


def document_words(clauses: Iterable[Clause]) -> dict[str, list[str]]:
    """The words of each document's clauses and sections (those the speller keeps: over two letters)."""
    by_source: dict[str, set[str]] = {}
    for c in clauses:
        by_source.setdefault(c.source, set()).update(
            w for w in analysis.words(c.text + " " + c.section) if len(w) > 2)
    return {source: sorted(found) for source, found in by_source.items()}


def document_matters(clauses: Iterable[Clause]) -> dict[str, list[str]]:
    """The everyday staff matters (pay, leave, ...) each document's clauses cover."""
    by_source: dict[str, list[Clause]] = {}
    for c in clauses:
        by_source.setdefault(c.source, []).append(c)
    return {source: sorted(matters_covered(found)) for source, found in by_source.items()}


def matters_covered(clauses: Iterable[Clause]) -> frozenset[str]:
    """The staff matters these clauses cover: in a policy's words, or, for an SLT answer, whatever the
    question it was written for asks ("may staff park in the bus bay?" answered is parking covered,
    though the answer need not say "car park")."""
    found = list(clauses)
    asked = {m for c in found if c.kind == "slt-answer" for m in analysis.staff_matters_asked(c.section)}
    return analysis.staff_matters_covered(c.text for c in found) | asked


def list_parents(clauses: Sequence[Clause]) -> np.ndarray:
    """For each list item, the row of the clause that quotes its whole list (lead-in and items); -1 if none.
    Items sit under the list's section plus the lead-in, in the list's own document, so a lookup by
    (document, section) finds the candidates."""
    lists: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(clauses):
        if c.kind == "list":
            lists.setdefault((c.source, c.section), []).append(i)
    parents = np.full(len(clauses), -1, dtype=np.int64)
    for i, c in enumerate(clauses):
        if c.kind == "bullet" and SEP in c.section:
            above = c.section.rsplit(SEP, 1)[0]
            parents[i] = next((j for j in lists.get((c.source, above), []) if c.text in clauses[j].text), -1)
    return parents


ARRAYS = "features.npz"
STRINGS = "features.json"


def write_arrays(features: ClauseFeatures, fh: BinaryIO) -> None:
    extra: dict[str, Any] = {"answers": features.answers} if features.answers is not None else {}
    np.savez(fh, term_ids=features.term_ids, term_offsets=features.term_offsets, others=features.others,
             list_parent=features.list_parent, **extra)


def write_strings(features: ClauseFeatures, fh: BinaryIO) -> None:
    fh.write(json.dumps({"vocabulary": features.vocabulary, "words": features.words, "matters": features.matters},
                        ensure_ascii=False).encode())


def read(index_dir: Path) -> ClauseFeatures:
    """The features stored in *index_dir* (written by write_arrays and write_strings)."""
    strings = json.loads((index_dir / STRINGS).read_text("utf-8"))
    with np.load(index_dir / ARRAYS, allow_pickle=False) as arrays:
        return ClauseFeatures(strings["vocabulary"], arrays["term_ids"], arrays["term_offsets"], arrays["others"],
                              arrays["list_parent"], strings["words"], strings.get("matters"),
                              arrays["answers"] if "answers" in arrays.files else None)
