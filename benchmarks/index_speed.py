"""Index and start-up speed (a benchmark, not a timed test), each phase a new `policybot` process timed
from outside by wall clock:

    .venv/bin/python benchmarks/index_speed.py [--corpus ../shared/corpora] [--clauses 100000]
                                               [--layouts one,many] [--before CHECKOUT]

  * cold index: `policybot index --corpus CORPUS --index TMP/...` into a fresh index folder, first with an
    empty model cache (the one-off ONNX export included), then with the export cached (the usual case).
  * one changed document: the corpus copied to a temp folder (never modified where it lies), indexed,
    one byte appended to one Markdown document of the copy, indexed again.
  * unchanged: indexed again with nothing changed.
  * server start: a synthetic index of --clauses clauses written straight into the index format
    (bot.retrieval.index_store.write): texts recombined from the seed corpus's clause sentences
    (benchmarks/speed.py's ClauseFactory), random unit vectors, features derived as the indexer does.
    Layout "one": one organisation holding every clause (one 100k-clause scope, the worst case); "many":
    50 trusts + 450 schools of 200 clauses (a school's scope is its own and its trust's). Then
    `policybot serve --port <free port>`: seconds from process start to the first /healthz answer (503
    starting) and to the first 200 (index loaded, scopes built, model loaded and warmed, database
    migrated); then the first answer's latency through POST /api/web/ask (development: the organisation
    comes with the request, the asker is a cookie), and the median of the next five.
  * --before CHECKOUT: the index phases also run with the code of another checkout (PYTHONPATH), for a
    before/after on the same machine at the same time.
Writes benchmarks/results/index_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.embedding_speed import write_results  # noqa: E402
from benchmarks.speed import ClauseFactory, layout_many, layout_one, random_unit_rows, synthetic_texts  # noqa: E402
from bot.reading.corpus import Corpus, load_corpus  # noqa: E402
from bot.retrieval import features, index_store  # noqa: E402
from bot.retrieval.embeddings import SentenceTransformerEmbedder  # noqa: E402
from bot.retrieval.search import clause_embedding_text  # noqa: E402

QUESTION = "Can I accept a friend request from a former pupil on Facebook?"


def policybot(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True)
    took = round(time.perf_counter() - start, 2)
    if done.returncode != 0:
        raise RuntimeError(f"policybot {' '.join(args)} failed: {done.stderr[-2000:]}")
    return took, " ".join(done.stdout.split())


def environment(work: Path, checkout: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "POLICYBOT_DATABASE_URL": f"sqlite:///{work}/log.db",
           "POLICYBOT_SPOOL_FILE": str(work / "spool.jsonl"), "POLICYBOT_SECRET_KEY_FILE": str(work / "secret.key"),
           "POLICYBOT_MODEL_CACHE_DIR": str(work / "models"), "POLICYBOT_ENVIRONMENT": "development"}
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    return env


def index_phases(corpus: Path, work: Path, checkout: Path | None = None) -> dict[str, dict[str, object]]:
    env = environment(work, checkout)
    out: dict[str, dict[str, object]] = {}
    if checkout is None:
        took, said = policybot(["index", "--corpus", str(corpus), "--index", str(work / "cold-export")], env, work)
        out["cold, model export not cached"] = {"s": took, "said": said}
    took, said = policybot(["index", "--corpus", str(corpus), "--index", str(work / "cold")], env, work)
    out["cold"] = {"s": took, "said": said}
    copy = work / "corpus"
    shutil.copytree(corpus, copy)
    policybot(["index", "--corpus", str(copy), "--index", str(work / "copy")], env, work)
    changed = sorted(copy.rglob("*.md"))[0]
    with changed.open("ab") as fh:
        fh.write(b"x")
    took, said = policybot(["index", "--corpus", str(copy), "--index", str(work / "copy")], env, work)
    out["one changed document"] = {"s": took, "said": said, "document": changed.relative_to(copy).as_posix()}
    took, said = policybot(["index", "--corpus", str(copy), "--index", str(work / "copy")], env, work)
    out["unchanged"] = {"s": took, "said": said}
    return out


def synthetic_index(layout: str, n: int, work: Path) -> tuple[Path, Path, str, int]:
    """Write a synthetic index; returns its folder, its (empty) corpus folder, an organisation to ask and
    how many organisations there are."""
    factory = ClauseFactory(load_corpus(ROOT / "corpus").clauses, seed=7)
    per_org = 200
    texts = synthetic_texts(factory, n // per_org, per_org)
    vectors = random_unit_rows(n, seed=1)
    if layout == "one":
        syn, ask = layout_one(texts, vectors, per_doc=200), "one-trust"
    else:
        syn = layout_many(texts, vectors, trusts=min(50, len(texts) // 10), docs_per_org=4, rng=random.Random(3))
        ask = sorted(syn.orgs)[-1]  # a school (schools sort after trusts): its own scope and its trust's
    corpus_dir, index_dir = work / f"{layout}-corpus", work / f"{layout}-index"
    corpus_dir.mkdir()  # empty: the index's fingerprint is of it, so the server finds the index up to date
    model_id = SentenceTransformerEmbedder().model_id
    keys = [index_store.embedding_key(model_id, clause_embedding_text(c)) for c in syn.clauses]
    index_store.write(index_dir, Corpus(syn.orgs, syn.documents, syn.clauses), keys, syn.embeddings,
                      features.derive(syn.clauses), model_id, index_store.corpus_fingerprint(corpus_dir))
    return index_dir, corpus_dir, ask, len(syn.orgs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def ask(port: int, org: str, question: str) -> tuple[float, dict[str, object]]:
    body = json.dumps({"question": question, "org": org}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/web/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Cookie": "policybot_web=bench"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as r:
        reply = json.loads(r.read())
    return time.perf_counter() - start, reply


def serve_phase(index_dir: Path, corpus_dir: Path, org: str, work: Path, timeout: float = 900) -> dict[str, object]:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--corpus", str(corpus_dir),
                             "--index", str(index_dir)], env=environment(work), cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = ready = None
    try:
        while ready is None and time.perf_counter() - start < timeout and proc.poll() is None:
            status = healthz(port)
            now = round(time.perf_counter() - start, 2)
            if status is not None and first is None:
                first = {"s": now, "status": status}
            if status == 200:
                ready = now
            time.sleep(0.02)
        if ready is None:
            raise RuntimeError(f"the server was not ready in {timeout} s (exit code {proc.poll()})")
        latency, reply = ask(port, org, QUESTION)
        more = [ask(port, org, QUESTION + f" ({i})")[0] for i in range(5)]
    finally:
        proc.terminate()
        proc.wait(30)
    answer = reply.get("answer") or {}
    return {"first_healthz": first, "ready_s": ready, "first_answer_s": round(latency, 3),
            "next_answers_median_s": round(statistics.median(more), 3),
            "answered": answer.get("answered") if isinstance(answer, dict) else None}


def markdown(report: dict) -> str:
    lines = ["# Index and start-up speed", "", f"Corpus `{report['corpus']}`, {report['cores']} cores, load average "
             f"before {report['load_before']}, commit {report['commit']}. Wall time of a new process each.", "",
             "| phase | seconds | what it said |", "|---|---:|---|"]
    for label, phases in (("", report["index"]), ("before: ", report.get("before") or {})):
        for name, r in phases.items():
            lines.append(f"| {label}{name} | {r['s']} | {r['said']} |")
    lines += ["", "| synthetic index | clauses | organisations | first /healthz (s, status) | ready (s) | "
              "first answer (s) | next answers, median (s) |", "|---|---:|---:|---|---:|---:|---:|"]
    for layout, r in report["serve"].items():
        f = r["first_healthz"]
        lines.append(f"| {layout} | {r['clauses']} | {r['organisations']} | {f['s']} ({f['status']}) | {r['ready_s']} |"
                     f" {r['first_answer_s']} | {r['next_answers_median_s']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--clauses", type=int, default=100_000)
    parser.add_argument("--layouts", default="one,many")
    parser.add_argument("--before", type=Path, default=None, help="another checkout to time the index phases of")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    report: dict[str, object] = {"corpus": str(args.corpus), "cores": os.cpu_count(), "commit": commit.strip(),
                                 "load_before": [round(x, 2) for x in os.getloadavg()], "serve": {}}
    with tempfile.TemporaryDirectory(prefix="policybot-index-speed-") as tmp:
        work = Path(tmp)
        report["index"] = index_phases(corpus, work)
        if args.before is not None:
            (work / "before").mkdir()
            report["before"] = index_phases(corpus, work / "before", checkout=args.before.resolve())
        for layout in filter(None, args.layouts.split(",")):
            index_dir, corpus_dir, org, n_orgs = synthetic_index(layout, args.clauses, work)
            report["serve"][layout] = {"clauses": args.clauses, "organisations": n_orgs,  # type: ignore[index]
                                       **serve_phase(index_dir, corpus_dir, org, work)}
            shutil.rmtree(index_dir)
    write_results("index_speed", report, markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
