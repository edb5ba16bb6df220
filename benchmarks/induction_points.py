"""Induction's automatic key points on a policy library: what is picked for each document, and two counts.

    .venv/bin/python benchmarks/induction_points.py ../shared/corpora [--limit 6] [--quiet]

For each document: the key points bot.core.induction_pack.key_points picks (no org-file phrases), each
marked [route] when it says whom to report to, with the contact the walkthrough would show beside it
(bot.core.compose, as bot.core.induction does). Then, over the library:
  * picks that bot.core.induction_audience reads as rules for pupils or parents (should be 0);
  * documents with at least one reporting route written for staff, and how many of them have one among
    their key points; how many of the routes picked show a named person;
and the same two counts for the selection before reporting routes and audience were considered
(obligation strength only, two per top-level section), for comparison.
The first count uses the same reading of a clause as the selection itself: read the printed points to
judge it. Prints the documents' own text to the terminal only; nothing is written.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.core import compose
from bot.core.induction_audience import for_pupils_or_parents, is_reporting_route, report_recipients
from bot.core.induction_pack import MAX_POINTS, key_points, obligation_strength
from bot.reading.corpus import load_corpus
from bot.reading.documents import Clause


def previous_selection(clauses: Sequence[Clause], limit: int) -> list[Clause]:
    """The selection as it was: strongest obligation first, two per top-level section, in document order."""
    usable = [c for c in clauses if c.kind not in ("contact", "slt-answer") and len(c.text) >= 25]
    ranked = sorted(((obligation_strength(c.text), -n, c) for n, c in enumerate(usable)), key=lambda t: (-t[0], -t[1]))
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=MAX_POINTS)
    parser.add_argument("--quiet", action="store_true", help="the counts only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        corpus = load_corpus(args.corpus, cache_dir=Path(cache))
    documents = {d.source: d for d in corpus.documents}
    counts = {"docs": 0, "with_route": 0}
    for name in ("new", "old"):
        counts |= {f"{name}_pupil": 0, f"{name}_points": 0, f"{name}_route": 0, f"{name}_named": 0}
    for doc in corpus.documents:
        org = corpus.orgs[doc.org]
        directory = compose.Directory([org], corpus.documents)
        clauses = [c for c in corpus.clauses if c.source == doc.source]
        has_route = any(is_reporting_route(c) for c in clauses if c.kind not in ("contact", "slt-answer")
                        and len(c.text) >= 25)
        counts["docs"] += 1
        counts["with_route"] += has_route
        if not args.quiet:
            print(f"\n== {doc.source} ({'has' if has_route else 'no'} reporting route)")
        for name, picks in (("new", key_points(clauses, limit=args.limit)),
                            ("old", previous_selection(clauses, args.limit))):
            counts[f"{name}_points"] += len(picks)
            counts[f"{name}_pupil"] += sum(for_pupils_or_parents(c) for c in picks)
            routes = [c for c in picks if report_recipients(c)]
            counts[f"{name}_route"] += bool(has_route and routes)
            contacts = [compose.contacts_for([c], documents, directory, None) for c in routes]
            counts[f"{name}_named"] += sum(bool(found and found[0].name) for found in contacts)
            if name == "new" and not args.quiet:
                for clause in picks:
                    route = report_recipients(clause)
                    who = compose.contacts_for([clause], documents, directory, None) if route else ()
                    mark = f"[route -> {compose.describe(who[0]) if who else '?'}] " if route else ""
                    flag = "[PUPIL/PARENT] " if for_pupils_or_parents(clause) else ""
                    print(f"  - {flag}{mark}{clause.section[:60]} | {clause.text[:200]}")
    print(f"\n{counts['docs']} documents, {counts['with_route']} with a reporting route written for staff")
    for name, label in (("new", "now"), ("old", "before")):
        print(f"{label}: {counts[f'{name}_points']} points; {counts[f'{name}_pupil']} read as pupil/parent rules; "
              f"{counts[f'{name}_route']}/{counts['with_route']} documents with a route have one among their points; "
              f"{counts[f'{name}_named']} routes picked show a named person")


if __name__ == "__main__":
    main()
