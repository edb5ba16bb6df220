"""What a new starter reads at induction: for each policy, a readable number of key points.

Where the org file names the key points they are used, in the policy's order. Otherwise the clauses that
oblige or forbid ("must", "must not", "will be reported", "not permitted", ...) are chosen, strongest
first, no more than two from one section, then put back in the policy's order. Pure functions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.reading.documents import Clause

MAX_POINTS = 6
_STRONG = re.compile(r"\b(must not|must never|never|not permitted|prohibited|forbidden|will be reported|"
                     r"are not allowed|is not allowed|may not|under no circumstances|will result in|"
                     r"disciplinary)\b", re.I)
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
    ranked = sorted(((obligation_strength(c.text), -n, c) for n, c in enumerate(usable)),
                    key=lambda t: (-t[0], -t[1]))
    picked: list[tuple[int, Clause]] = []
    per_section: dict[str, int] = {}
    for strength, neg_pos, clause in ranked:
        if strength == 0 or len(picked) >= limit:
            break
        top = clause.section.split(" › ")[0]
        if per_section.get(top, 0) >= 2:
            continue
        per_section[top] = per_section.get(top, 0) + 1
        picked.append((-neg_pos, clause))
    return [c for _, c in sorted(picked, key=lambda p: p[0])]


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
