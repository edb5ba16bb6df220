"""Ingestion quality benchmark: how whole are the clauses that real policy libraries give?

    .venv/bin/python benchmarks/ingestion.py                      # ../shared/corpora and ./corpus
    .venv/bin/python benchmarks/ingestion.py --corpus DIR [--corpus DIR ...] [--show-fragments 20]
    .venv/bin/python benchmarks/ingestion.py --json benchmarks/results/ingestion.json

For each corpus folder (one sub-folder per organisation, as policybot reads it) it loads every document
exactly as `policybot index` does (bot.reading.load_corpus when present, else the older
bot.reading.corpus) and reports:
  * clauses, and the share that are fragments: a clause that is not a list item, a table row, a contact
    line or a short "Label: value" line (kind "field": "Review date: 2014-11-25") and whose text does not
    end a sentence (., !, ?, :, ;, "…", optionally followed by a closing quote
    or bracket). Target: <= 2%.
  * clauses under 40 characters, and the clause length distribution (p10/p50/p90/max);
  * every document's title, and the problems reported (documents that could not be read, by name);
  * the load time (reading, parsing and segmenting; no embedding).
The corpus is read where it lies; nothing is copied.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    from bot.reading.corpus import load_corpus  # the block-model reader
except ImportError:  # the reader before it (kept so the "before" figures can be re-run)
    from bot.reading.corpus import load_corpus  # type: ignore[no-redef]

_SENTENCE_END = re.compile(r"(?:[.!?:;…]|\.\.\.)[\"'\u2019\u201d)\]]*$|(?:https?://|www\.)\S+$|\S+@\S+\.\w+$")
WHOLE_KINDS = {"item", "bullet", "list", "row", "field", "contact", "slt-answer"}


def is_fragment(kind: str, text: str) -> bool:
    return kind not in WHOLE_KINDS and not _SENTENCE_END.search(text.strip())


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0


def measure(folder: Path, show: int) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = load_corpus(folder)
    seconds = time.perf_counter() - started
    clauses = [c for c in corpus.clauses if c.kind != "slt-answer"]
    lengths = [len(c.text) for c in clauses]
    fragments = [c for c in clauses if is_fragment(c.kind, c.text)]
    return {
        "corpus": str(folder),
        "documents": len(corpus.documents),
        "clauses": len(clauses),
        "fragments": len(fragments),
        "fragment_share": round(len(fragments) / max(1, len(clauses)), 4),
        "under_40_chars": sum(1 for n in lengths if n < 40),
        "length": {"p10": _percentile(lengths, 0.1), "p50": _percentile(lengths, 0.5),
                   "p90": _percentile(lengths, 0.9), "max": max(lengths, default=0),
                   "mean": round(statistics.fmean(lengths), 1) if lengths else 0},
        "by_kind": {k: sum(1 for c in clauses if c.kind == k) for k in sorted({c.kind for c in clauses})},
        "titles": {d.source: d.title for d in corpus.documents if not d.source.endswith("slt-answers.yaml")},
        "problems": {p.source: p.reason for p in corpus.problems},
        "load_seconds": round(seconds, 2),
        "fragment_examples": [{"source": c.source, "section": c.section, "text": c.text} for c in fragments[:show]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", type=Path)
    parser.add_argument("--show-fragments", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folders = args.corpus or [ROOT.parent / "shared" / "corpora", ROOT / "corpus"]
    results = [measure(f, args.show_fragments) for f in folders]
    for r in results:
        print(f"== {r['corpus']}: {r['documents']} documents, {r['clauses']} clauses, load {r['load_seconds']} s")
        print(f"   fragments {r['fragments']} ({100 * r['fragment_share']:.1f}%), under 40 chars {r['under_40_chars']}")
        print(f"   length p10/p50/p90/max {r['length']['p10']}/{r['length']['p50']}/{r['length']['p90']}/"
              f"{r['length']['max']}  kinds {r['by_kind']}")
        for source, title in r["titles"].items():
            print(f"   {source}: {title}")
        for source, reason in r["problems"].items():
            print(f"   PROBLEM {source}: {reason}")
        for ex in r["fragment_examples"]:
            print(f"   FRAGMENT {ex['source']} [{ex['section'][:60]}] {ex['text'][:140]!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
