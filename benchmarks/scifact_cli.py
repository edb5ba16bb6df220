"""SciFact nDCG@10 through the product's own command line: `policybot ask --json --top 100`.

    .venv/bin/python benchmarks/scifact_cli.py            # writes benchmarks/results/scifact_cli.{json,md}

Unlike benchmarks/scifact.py (which reads the searcher's signals in process), this goes the whole way a
school's documents go: each SciFact abstract is written as one Markdown document (title as its heading)
of one organisation in a corpus folder under benchmarks/.cache/ (gitignored; the data, CC BY-NC 2.0, is
read from ../shared/bench/scifact and never copied into the project), `policybot index` reads and indexes
it, and the 300 test claims go through `policybot ask --org scifact --json --top 100`. A document is
ranked by its best passage (the first passage quoting it); a declined claim ranks nothing and scores 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from scifact import ORG, load_data, ndcg_at, recall_at  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "scifact-cli"


def write_corpus(corpus: list[dict], folder: Path) -> None:
    org = folder / ORG
    org.mkdir(parents=True, exist_ok=True)
    (org / "org.yaml").write_text("name: SciFact\n", "utf-8")
    for doc in corpus:
        path = org / f"{doc['_id']}.md"
        text = f"# {doc['title'].strip() or doc['_id']}\n\n{doc['text'].strip()}\n"
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench" / "scifact")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    corpus, queries, qrels = load_data(args.data)
    write_corpus(corpus, CACHE / "corpus")
    env = {**os.environ, "POLICYBOT_CORPUS_DIR": str(CACHE / "corpus"), "POLICYBOT_INDEX_DIR": str(CACHE / "index"),
           "POLICYBOT_DATABASE_URL": f"sqlite:///{CACHE / 'log.db'}", "POLICYBOT_SPOOL_FILE": str(CACHE / "spool.jsonl"),
           "POLICYBOT_SECRET_KEY_FILE": str(CACHE / "secret.key"), "POLICYBOT_MAX_QUESTION_CHARS": "2000"}
    policybot = [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot"]
    subprocess.run([*policybot, "index"], env=env, check=True, cwd=ROOT)
    qids = sorted(qrels["test"], key=int)
    started = time.perf_counter()
    out = subprocess.run([*policybot, "ask", "--org", ORG, "--json", "--top", "100"], env=env, cwd=ROOT,
                         input="".join(" ".join(queries[q].split()) + "\n" for q in qids), capture_output=True,
                         text=True, check=True)
    took = time.perf_counter() - started
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(answers) == len(qids), (len(answers), len(qids))
    ndcg, recall, declined = [], [], 0
    for qid, answer in zip(qids, answers):
        ranking = list(dict.fromkeys(Path(p["source"]).stem for p in answer["passages"]))
        declined += not answer["answered"]
        ndcg.append(ndcg_at(ranking, qrels["test"][qid]))
        recall.append(recall_at(ranking, qrels["test"][qid]))
    result = {"claims": len(qids), "ndcg@10": round(sum(ndcg) / len(ndcg), 4),
              "recall@100": round(sum(recall) / len(recall), 4), "declined": declined,
              "seconds_for_all_claims": round(took, 1)}
    print(json.dumps(result))
    if not args.no_write:
        folder = ROOT / "benchmarks" / "results"
        (folder / "scifact_cli.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")
        (folder / "scifact_cli.md").write_text(
            "# SciFact through the CLI (benchmarks/scifact_cli.py)\n\n"
            "| claims | nDCG@10 | recall@100 (passages) | declined | seconds, all claims |\n|---|---|---|---|---|\n"
            f"| {result['claims']} | {result['ndcg@10']:.4f} | {result['recall@100']:.4f} | {declined} | "
            f"{result['seconds_for_all_claims']} |\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
