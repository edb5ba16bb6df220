"""Answer quality on whole policy libraries, ours and a typical RAG peer in the same run.

    .venv/bin/python benchmarks/library_eval.py                  # every set below, ours and the peer
    .venv/bin/python benchmarks/library_eval.py --only ours --set library --show-misses

Sets (gold rows in the scorer's format, ../shared/tools/score_answers.py):
  library        benchmarks/library_questions.jsonl over ../shared/corpora (hashed: decoded at run time
                 against the library, see benchmarks/library_gold.py), written before tuning
  library-fresh  benchmarks/library_questions_fresh.jsonl, the same, written after tuning
  library-fresh2 benchmarks/library_questions_fresh2.jsonl, the same, a second held-out batch, written
                 after further tuning, without running the system
  seeds          benchmarks/questions.jsonl over ./corpus (the bundled seed policies)
  seeds-fresh    benchmarks/questions_fresh.jsonl
  seeds-fresh2   benchmarks/questions_fresh2.jsonl, the second held-out batch
  dev            ../shared/eval/dev.jsonl
Each system answers through the `ask --org ORG --json` contract: ours is `python -m bot` with its own
index folder per corpus under benchmarks/.cache (so the project's index/ is left alone), the peer is
benchmarks/peer.py. Results go to benchmarks/results/library_eval.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_answers.py"
CACHE = ROOT / "benchmarks" / ".cache" / "eval"
SETS = {
    "library": (ROOT / "benchmarks" / "library_questions.jsonl", SHARED / "corpora", True),
    "library-fresh": (ROOT / "benchmarks" / "library_questions_fresh.jsonl", SHARED / "corpora", True),
    "library-fresh2": (ROOT / "benchmarks" / "library_questions_fresh2.jsonl", SHARED / "corpora", True),
    "seeds": (ROOT / "benchmarks" / "questions.jsonl", ROOT / "corpus", False),
    "seeds-fresh": (ROOT / "benchmarks" / "questions_fresh.jsonl", ROOT / "corpus", False),
    "seeds-fresh2": (ROOT / "benchmarks" / "questions_fresh2.jsonl", ROOT / "corpus", False),
    "dev": (SHARED / "eval" / "dev.jsonl", ROOT / "corpus", False),
}
FIGURES = ("hit@1", "hit@3", "answered", "declined", "contacts", "other-org-passages", "over-600-chars")


def wrapper(system: str, corpus: Path) -> Path:
    """A one-line command for the scorer's --cmd that runs *system* on *corpus* with its own index and log."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tag = re.sub(r"\W+", "-", corpus.name)
    path = CACHE / f"{system}-{tag}.sh"
    python = ROOT / ".venv" / "bin" / "python"
    target = f"{python} -m bot" if system == "ours" else f"{python} {ROOT / 'benchmarks' / 'peer.py'}"
    env = (f"POLICYBOT_CORPUS_DIR={corpus} POLICYBOT_INDEX_DIR={CACHE / ('index-' + tag)} "
           f"POLICYBOT_DATABASE_URL=sqlite:///{CACHE / ('log-' + tag + '.db')} "
           f"POLICYBOT_SPOOL_FILE={CACHE / ('spool-' + tag + '.jsonl')} "
           f"POLICYBOT_SECRET_KEY_FILE={CACHE / 'secret.key'} HF_HUB_DISABLE_PROGRESS_BARS=1")
    path.write_text(f"#!/bin/sh\ncd {ROOT}\nexec env {env} {target} \"$@\" 2>>{CACHE / 'stderr.log'}\n")
    path.chmod(0o755)
    return path


def gold_file(name: str) -> Path | None:
    source, _, hashed = SETS[name]
    if not source.is_file():
        return None
    if not hashed:
        return source
    target = Path(tempfile.gettempdir()) / f"policybot-gold-{name}.jsonl"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "library_gold.py"), "decode", str(source),
                    str(target)], check=True, capture_output=True)
    return target


def score(gold: Path, system: str, corpus: Path, show_misses: bool) -> dict[str, object]:
    cmd = [sys.executable, str(SCORER), str(gold), "--cmd", str(wrapper(system, corpus)), "--timeout", "1800"]
    out = subprocess.run(cmd + (["--show-misses"] if show_misses else []), capture_output=True, text=True,
                         check=False, env={**os.environ})
    lines = out.stdout.strip().splitlines()
    if show_misses:
        print("\n".join(lines[:-1]))
    summary = lines[-1] if lines else out.stderr[-500:]
    figures = dict(re.findall(r"([\w@-]+)=([\d.]+)", summary))
    return {"summary": summary, **{k: float(v) for k, v in figures.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", choices=list(SETS))
    parser.add_argument("--only", choices=["ours", "peer"])
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, object]]] = {}
    for name in args.set or list(SETS):
        gold = gold_file(name)
        if gold is None:
            print(f"{name}: no gold file, skipped")
            continue
        for system in ([args.only] if args.only else ["ours", "peer"]):
            result = score(gold, system, SETS[name][1], args.show_misses)
            results.setdefault(name, {})[system] = result
            print(f"{name:14s} {system:5s} {result['summary']}", flush=True)
    if not args.no_write:
        write(results)


def write(results: dict[str, dict[str, dict[str, object]]]) -> None:
    folder = ROOT / "benchmarks" / "results"
    (folder / "library_eval.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    rows = ["| set | system | n | " + " | ".join(FIGURES) + " |", "|---|---|---|" + "---|" * len(FIGURES)]
    for name, systems in results.items():
        for system, r in systems.items():
            rows.append(f"| {name} | {system} | {int(r.get('n', 0))} | "
                        + " | ".join(f"{r.get(k, float('nan')):.3f}" if "@" in k or k in ("answered", "declined",
                                     "contacts") else f"{int(r.get(k, 0))}" for k in FIGURES) + " |")
    (folder / "library_eval.md").write_text("# Answer quality on whole libraries (benchmarks/library_eval.py)\n\n"
                                            + "\n".join(rows) + "\n", "utf-8")


if __name__ == "__main__":
    main()
