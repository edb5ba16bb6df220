"""What a new starter reads at induction: for each policy, a readable number of key points.

Where the org file names the key points they are used, in the policy's order. Otherwise they are chosen
from the clauses written for staff (never a rule for pupils or parents: bot.core.induction_audience):
first the reporting routes, the clauses that say whom to tell ("report messages from parents to the
DSL"), up to a third of the points (at least one) and each telling someone the others do not; then the clauses that oblige or
forbid ("must", "must not", "will be reported", "not permitted", ...), strongest first and those whose
subject is staff before the rest, no more than two from one section; all put back in the policy's order.
Pure functions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.induction_audience import for_pupils_or_parents, report_recipients, subject_audience
from bot.reading.documents import Clause

MAX_POINTS = 6
_STRONG = re.compile(r"\b(must not|must never|never|not permitted|prohibited|forbidden|will be reported|"
                     r"are not allowed|is not allowed|may not|under no circumstances|will result in|"
                     r"disciplinary|advised not to|will not|do not|are not to|is not to)\b", re.I)
_OBLIGE = re.compile(r"\b(must|should not|shall|are required to|is required to|are expected to|"
                     r"is expected to|should report|report (?:it|this|any)|inform the)\b", re.I)


def obligation_strength(text: str) -> int:
    """2 for a prohibition or consequence, 1 for an obligation, 0 for anything else."""
    if _STRONG.search(text):
        return 2
    return 1 if _OBLIGE.search(text) else 0


def key_points(clauses: Sequence[Clause], chosen: Sequence[str] = (), limit: int = MAX_POINTS) -> list[Clause]:
    """The key points of one document's *clauses* (in document order). *chosen* are phrases from the org
    file: a clause is chosen when it contains one (case and spacing ignored)."""
    usable = [c for c in clauses if c.kind not in ("contact", "slt-answer") and len(c.text) >= 25]
    if chosen:
        wanted = [_norm(p) for p in chosen]
        return [c for c in usable if any(w in _norm(c.text) for w in wanted)]
    position = {id(c): n for n, c in enumerate(usable)}
    for_staff = [c for c in usable if not for_pupils_or_parents(c)]
    picked = _routes(for_staff, max(1, limit // 3)) if limit > 0 else []  # not counted against a section
    per_section: dict[str, int] = {}
    ranked = sorted(for_staff, key=lambda c: (-obligation_strength(c.text), subject_audience(c) != "staff",
                                              position[id(c)]))
    for clause in ranked:
        if len(picked) >= limit or obligation_strength(clause.text) == 0:
            break
        if clause in picked or per_section.get(_section(clause), 0) >= 2:
            continue
        per_section[_section(clause)] = per_section.get(_section(clause), 0) + 1
        picked.append(clause)
    return sorted(picked, key=lambda c: position[id(c)])


def _routes(clauses: Sequence[Clause], most: int) -> list[Clause]:
    """Up to *most* reporting routes, each telling someone not already told by an earlier pick: the
    strongest first, then in the policy's order."""
    routes = [(c, report_recipients(c)) for c in clauses]
    ranked = sorted((r for r in routes if r[1]), key=lambda r: -obligation_strength(r[0].text))
    picked: list[Clause] = []
    told: set[str] = set()
    for clause, recipients in ranked:
        if len(picked) >= most:
            break
        if set(recipients) <= told:
            continue
        told.update(recipients)
        picked.append(clause)
    return picked


def _section(clause: Clause) -> str:
    """The section a clause counts against (its heading and subheading: "4. Staff › 4.2 Contact")."""
    return " › ".join(clause.section.split(" › ")[:2])


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    reworded: tuple[tuple[str, str], ...]  # (before, after)

    @property
    def summary(self) -> str:
        parts = [f"{len(self.added)} added" if self.added else "", f"{len(self.removed)} removed" if self.removed
                 else "", f"{len(self.reworded)} reworded" if self.reworded else ""]
        return ", ".join(p for p in parts if p) or "no clause changed"


def changes(before: Sequence[str], after: Sequence[str], similar: float = 0.6) -> Changes:
    """Clauses added, removed and reworded between two versions of a policy. A removed clause and an
    added one that are mostly the same words (difflib ratio >= *similar*) count as one rewording."""
    old, new = list(dict.fromkeys(before)), list(dict.fromkeys(after))
    gone = [t for t in old if t not in set(new)]
    came = [t for t in new if t not in set(old)]
    reworded: list[tuple[str, str]] = []
    for text in list(gone):
        best = max(came, key=lambda c: difflib.SequenceMatcher(None, text, c).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, text, best).ratio() >= similar:
            reworded.append((text, best))
            gone.remove(text)
            came.remove(best)
    return Changes(tuple(came), tuple(gone), tuple(reworded))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()
