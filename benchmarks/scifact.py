"""External check: nDCG@10 on SciFact (BEIR) for the product's hybrid retrieval and its two parts.

    .venv/bin/python benchmarks/scifact.py                 # full run, writes benchmarks/results/scifact.{json,md}
    .venv/bin/python benchmarks/scifact.py --quick         # smoke run: 50 test claims, small corpus, writes nothing
    .venv/bin/python benchmarks/scifact.py --experiments   # also the what-if rows (monkeypatched, not the product)

The data (CC BY-NC 2.0, non-commercial) is read at run time from ../shared/bench/scifact relative to the
repository root (override with --data DIR); it is never copied into the project. Only derived clause
embeddings are cached, in benchmarks/.cache/ (gitignored).

What is measured is the product's own retrieval path, used as it is:
  * each abstract becomes clauses with the product's segmenter (bot.reading.sentences.split_sentences,
    then split_long at the product's 600-character clause limit); the abstract's title is each clause's
    section (the product's BM25 terms include the last section element: search.clause_terms);
  * clauses are embedded with search.clause_embedding_text and the bundled all-MiniLM-L6-v2;
  * one bot.retrieval.search.HybridSearcher holds them all (one organisation; the school priors are
    switched off: other_audience = own_document = 1.0). Its per-query signals are read exactly as
    HybridSearcher.search computes them (informal_to_formal, the corpus speller, analysis.terms, the
    scope's bm25s index, cosine against the scope's matrix, fusion.convex, the priors), so that every
    fusion weight can be scored from one pass; a consistency check compares those scores with
    HybridSearcher.search itself;
  * a document's score is the best score of its clauses.

BM25 alone is alpha = 1, embeddings alone alpha = 0, the hybrid is the alpha with the best nDCG@10 on the
809 TRAIN claims (the test claims are never used to choose anything). RRF (fusion.reciprocal_rank over the
clause rankings of the two parts) is a baseline. nDCG@10 uses binary gains and the log2 discount, with the
ideal DCG taken from the qrels (as pytrec_eval / BEIR do).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.retrieval import analysis, fusion, search  # noqa: E402
from bot.reading.documents import Clause, DocumentInfo, Organisation  # noqa: E402
from bot.retrieval.embeddings import Embedder, SentenceTransformerEmbedder  # noqa: E402
from bot.reading.clauses import MAX_CLAUSE  # noqa: E402
from bot.reading.sentences import split_long, split_sentences  # noqa: E402

DEFAULT_DATA = Path("../shared/bench/scifact")  # relative to the repository root
CACHE = ROOT / "benchmarks" / ".cache"
RESULTS = ROOT / "benchmarks" / "results"
ORG = "scifact"
ALPHAS = tuple(round(a * 0.05, 2) for a in range(21))  # 0.00, 0.05, ..., 1.00
DEPTH = 100  # documents kept per query (recall@100)
RRF_DEPTH = 1000  # clauses taken from each part's ranking for reciprocal-rank fusion
PUBLISHED = {"bm25": "0.665 (BEIR) – 0.686 (bm25s)", "dense": "0.645 (all-MiniLM-L6-v2, SBERT/BEIR)"}


# ---------------------------------------------------------------- metrics

def ndcg_at(ranking: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """nDCG@k with binary gains: DCG = sum over relevant retrieved items of 1 / log2(rank + 1)."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal > 0 else 0.0


def recall_at(ranking: Sequence[str], relevant: set[str], k: int = 100) -> float:
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def _self_check() -> None:
    """Known answers, computed by hand."""
    # relevant {a, c, d}; ranking a, b, c: DCG = 1/log2 2 + 1/log2 4 = 1.5;
    # ideal = 1 + 1/log2 3 + 1/log2 4 = 2.130930; nDCG = 0.703918
    assert abs(ndcg_at(["a", "b", "c"], {"a", "c", "d"}) - 1.5 / (1.5 + 1 / math.log2(3))) < 1e-12
    assert abs(ndcg_at(["a", "b", "c"], {"a", "c", "d"}) - 0.703918) < 1e-6
    assert ndcg_at(["x", "a"], {"a"}) == 1 / math.log2(3)  # one relevant, found second: 0.6309
    assert ndcg_at(["a", "b"], {"b", "a"}) == 1.0
    assert ndcg_at(["z"] * 10 + ["a"], {"a"}) == 0.0  # found at rank 11: outside the cut-off
    assert recall_at(["a", "b", "c"], {"a", "d"}) == 0.5


# ---------------------------------------------------------------- data (read in place, never copied)

def load_data(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, set[str]]]]:
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").read_text("utf-8").splitlines() if line]
    # queries.jsonl also carries the claims' evidence in "metadata": never read it.
    queries = {str(q["_id"]): str(q["text"]) for q in
               (json.loads(line) for line in (folder / "queries.jsonl").read_text("utf-8").splitlines() if line)}
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in ("train", "test"):
        rows = (folder / "qrels" / f"{split}.tsv").read_text("utf-8").splitlines()[1:]
        qrels[split] = {}
        for row in rows:
            qid, did, grade = row.split("\t")
            if int(grade) > 0:
                qrels[split].setdefault(qid, set()).add(did)
    return corpus, queries, qrels


def verify_checksums(folder: Path) -> str:
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return "no SHA256SUMS"
    bad = []
    for line in sums.read_text().splitlines():
        digest, _, name = line.partition("  ")
        name = name.strip().lstrip("*")
        if name in {"corpus.jsonl", "queries.jsonl", "qrels/test.tsv", "qrels/train.tsv"}:
            if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
                bad.append(name)
    return "ok" if not bad else "MISMATCH: " + ", ".join(bad)


# ---------------------------------------------------------------- clauses and embeddings

def build_clauses(corpus: list[dict], title_as_section: bool = True
                  ) -> tuple[list[DocumentInfo], list[Clause], np.ndarray]:
    """One document per abstract, cut into sentence-level clauses by the product's segmenter.
    Returns documents, clauses (contiguous per document) and each document's first clause index."""
    documents, clauses, starts = [], [], []
    for entry in corpus:
        doc_id, title, text = str(entry["_id"]), entry.get("title", "").strip(), entry.get("text", "")
        # HybridSearcher keeps one document per title in a scope (a school's copy supersedes its trust's),
        # and SciFact has a few repeated titles ("Summary" three times): make document titles unique.
        documents.append(DocumentInfo(org=ORG, source=doc_id, title=f"{title} [{doc_id}]",
                                      sha256=hashlib.sha256(text.encode()).hexdigest()))
        pieces = [p for s in split_sentences(text) for p in split_long(s, MAX_CLAUSE)] or [title or doc_id]
        starts.append(len(clauses))
        for n, piece in enumerate(pieces):
            clauses.append(Clause(id=f"{doc_id}#{n}", org=ORG, source=doc_id, document=title or doc_id,
                                  section=title if title_as_section else "", text=piece, kind="sentence"))
    return documents, clauses, np.array(starts, dtype=np.int64)


class _Progress:
    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.start = self.last = time.monotonic()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= 2 or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            print(f"\r  {self.label}: {self.done}/{self.total} ({rate:.0f}/s, eta {eta:.0f}s)   ",
                  end="", file=sys.stderr, flush=True)
            if self.done >= self.total:
                print(file=sys.stderr)


def embed_cached(embedder: Embedder, texts: list[str], label: str, chunk: int = 2048) -> tuple[np.ndarray, int]:
    """Unit rows for *texts* via the product's embedder, cached in benchmarks/.cache by content hash.

    Texts are encoded in order of length (much less padding per batch on a CPU) in chunks that are
    cached one by one, so an interrupted run resumes. Returns the matrix and how many were computed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    out: np.ndarray | None = None
    todo = []
    for start in range(0, len(order), chunk):
        rows = order[start:start + chunk]
        h = hashlib.sha256(embedder.model_id.encode())
        for i in rows:
            h.update(texts[i].encode("utf-8") + b"\x1f")
        todo.append((rows, CACHE / f"emb-{h.hexdigest()[:24]}.npy"))
    missing = sum(len(rows) for rows, path in todo if not path.is_file())
    progress = _Progress(missing, label) if missing else None
    for rows, path in todo:
        if path.is_file():
            vectors = np.load(path)
        else:
            vectors = embedder.encode([texts[i] for i in rows], progress=progress)
            tmp = path.with_name(path.name + ".part.npy")
            np.save(tmp, vectors)
            os.replace(tmp, path)
        if out is None:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
    assert out is not None
    return out, missing


# ---------------------------------------------------------------- one pass over the queries

@dataclasses.dataclass
class Variant:
    """How the benchmark sets the product up. The default is the product as it is."""

    name: str = "product"
    title_as_section: bool = True
    embed_text: Callable[[Clause], str] | None = None  # None: search.clause_embedding_text (the product)
    bm25_k1: float | None = None  # None: bot.retrieval.bm25.Bm25Index defaults (the product)
    bm25_b: float | None = None
    speller: bool = True  # False: skip the corpus speller on the claim (what-if only)
    concepts: bool = True  # False: no education-vocabulary concept tokens in BM25 terms (what-if only)
    aggregations: tuple[tuple[str, float], ...] = (("max", 0.0),)  # document score from its clauses
    note: str = ""


def _aggregate(fused: np.ndarray, starts: np.ndarray, sizes: np.ndarray, how: str, beta: float) -> np.ndarray:
    best = np.maximum.reduceat(fused, starts)
    if how == "max":
        return best
    total = np.add.reduceat(fused, starts)
    if how == "max+sum":
        return best + beta * (total - best)
    if how == "max+mean":
        return best + beta * (total - best) / np.maximum(sizes - 1, 1)
    raise ValueError(how)


def run_variant(variant: Variant, corpus: list[dict], queries: dict[str, str], qids: list[str],
                embedder: Embedder, verbose: bool = True) -> dict:
    """Rank documents for every query in *qids* with every alpha in ALPHAS, and with RRF."""
    t0 = time.monotonic()
    documents, clauses, starts = build_clauses(corpus, variant.title_as_section)
    sizes = np.diff(np.append(starts, len(clauses)))
    embed_text = variant.embed_text or search.clause_embedding_text
    if verbose:
        print(f"[{variant.name}] {len(documents)} abstracts -> {len(clauses)} clauses", file=sys.stderr)
    matrix, computed = embed_cached(embedder, [embed_text(c) for c in clauses], f"[{variant.name}] embedding clauses")
    t_embed = time.monotonic() - t0

    saved_bm25, saved_concepts = search.Bm25Index, analysis.concept_tokens
    if variant.bm25_k1 is not None or variant.bm25_b is not None:  # what-if only: not the product
        k1, b = variant.bm25_k1 or 1.2, variant.bm25_b if variant.bm25_b is not None else 0.75
        search.Bm25Index = lambda docs: saved_bm25(docs, k1=k1, b=b)  # type: ignore[misc,assignment]
    if not variant.concepts:  # what-if only: not the product
        analysis.concept_tokens = lambda text: []  # type: ignore[assignment]
    try:
        return _run(variant, corpus, queries, qids, embedder, documents, clauses, starts, sizes, matrix,
                    computed, t_embed, verbose)
    finally:
        search.Bm25Index, analysis.concept_tokens = saved_bm25, saved_concepts  # type: ignore[misc]


def _run(variant: Variant, corpus: list[dict], queries: dict[str, str], qids: list[str], embedder: Embedder,
         documents: list[DocumentInfo], clauses: list[Clause], starts: np.ndarray, sizes: np.ndarray,
         matrix: np.ndarray, computed: int, t_embed: float, verbose: bool) -> dict:
    doc_ids = [d.source for d in documents]
    t1 = time.monotonic()
    params = search.SearchParams(alpha=0.5, other_audience=1.0, own_document=1.0)
    searcher = search.HybridSearcher({ORG: Organisation(ORG, "SciFact")}, documents, clauses, matrix,
                                     embedder, params)
    scope = searcher._scope(ORG)
    t_index = time.monotonic() - t1
    assert [c.id for c in scope.clauses] == [c.id for c in clauses], "scope must keep every clause, in order"

    # The question as HybridSearcher.search reads it, then all query vectors in one batch.
    t2 = time.monotonic()
    correct = scope.speller.correct_text if variant.speller else (lambda text: text)
    texts = {q: correct(analysis.informal_to_formal(queries[q])) for q in qids}
    qvecs, _ = embed_cached(embedder, [texts[q] for q in qids], f"[{variant.name}] embedding claims", chunk=4096)

    rankings: dict[str, dict[str, list[str]]] = {}  # method -> qid -> top DEPTH doc ids
    signals: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    progress = _Progress(len(qids), f"[{variant.name}] ranking") if verbose else None
    for n, q in enumerate(qids):
        lexical = scope.bm25.scores(analysis.terms(texts[q]))
        dense = scope.matrix @ qvecs[n]
        priors = searcher._priors(scope, ORG, queries[q])
        if n < 12:
            signals[q] = (lexical, dense, priors)
        for alpha in ALPHAS:
            fused = fusion.convex(lexical, dense, alpha) * priors
            for how, beta in variant.aggregations:
                key = f"convex@{alpha:.2f}" + ("" if how == "max" else f"|{how}@{beta:g}")
                top = fusion.top_k(_aggregate(fused, starts, sizes, how, beta), DEPTH)
                rankings.setdefault(key, {})[q] = [doc_ids[i] for i in top]
        rrf = fusion.reciprocal_rank([fusion.top_k(lexical, RRF_DEPTH).tolist(),
                                      fusion.top_k(dense, RRF_DEPTH).tolist()])
        clause_rrf = np.zeros(len(clauses), dtype=np.float64)
        clause_rrf[list(rrf)] = list(rrf.values())
        top = fusion.top_k(np.maximum.reduceat(clause_rrf, starts), DEPTH)
        rankings.setdefault("rrf", {})[q] = [doc_ids[i] for i in top]
        if progress:
            progress(1)
    t_rank = time.monotonic() - t2
    return {"searcher": searcher, "signals": signals, "rankings": rankings, "clauses": len(clauses),
            "documents": len(documents), "embedded_now": computed,
            "seconds": {"embed_clauses": round(t_embed, 1), "index": round(t_index, 1),
                        "rank_all_queries": round(t_rank, 1)}}


def consistency_check(run: dict, queries: dict[str, str], alpha: float) -> int:
    """HybridSearcher.search itself must give the scores this benchmark ranks by."""
    searcher: search.HybridSearcher = run["searcher"]
    searcher.params = dataclasses.replace(searcher.params, alpha=alpha)
    index = {c.id: i for i, c in enumerate(searcher._scope(ORG).clauses)}
    checked = 0
    for q, (lexical, dense, priors) in run["signals"].items():
        result = searcher.search(ORG, queries[q], k=10)
        fused = fusion.convex(lexical, dense, alpha) * priors
        for hit in result.hits:
            i = index[hit.clause.id]
            assert abs(hit.lexical - lexical[i]) < 1e-5, (q, hit.clause.id)
            assert abs(hit.dense - dense[i]) < 1e-4, (q, hit.clause.id)  # batched vs single query encode
            assert abs(hit.score - fused[i]) < 1e-4, (q, hit.clause.id)
        assert abs(result.hits[0].score - float(fused.max())) < 1e-4, q
        checked += 1
    return checked


def evaluate(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    qids = [q for q in qrels if q in rankings]
    return {"ndcg@10": float(np.mean([ndcg_at(rankings[q], qrels[q]) for q in qids])),
            "recall@100": float(np.mean([recall_at(rankings[q], qrels[q]) for q in qids])),
            "queries": len(qids)}


def summarise(run: dict, qrels: dict[str, dict[str, set[str]]]) -> dict:
    """Choose the fusion on TRAIN; report every row on TEST."""
    train = {m: evaluate(r, qrels["train"]) for m, r in run["rankings"].items()}
    test = {m: evaluate(r, qrels["test"]) for m, r in run["rankings"].items()}
    hybrids = [m for m in train if m.startswith("convex@") and 0.0 < float(m[7:11]) < 1.0]
    chosen = max(hybrids, key=lambda m: (round(train[m]["ndcg@10"], 6), -abs(float(m[7:11]) - 0.5)))
    rows = {
        "bm25": "convex@1.00", "dense": "convex@0.00", "hybrid": chosen, "hybrid_default_alpha": "convex@0.50",
        "rrf": "rrf",
    }
    return {
        "chosen": chosen, "chosen_alpha": float(chosen[7:11]),
        "rows": {name: {"method": m, "test": test[m], "train": train[m]} for name, m in rows.items()},
        "curve": {m: {"train_ndcg@10": round(train[m]["ndcg@10"], 4), "test_ndcg@10": round(test[m]["ndcg@10"], 4)}
                  for m in sorted(run["rankings"]) if m.startswith("convex@")},
    }


# ---------------------------------------------------------------- what-if variants (not the product)

def text_only(clause: Clause) -> str:
    return clause.text


def experiment_variants() -> list[Variant]:
    return [
        Variant("no-title", title_as_section=False,
                note="clauses without the title as section: neither BM25 nor the embedding sees it"),
        Variant("text-only-embedding", embed_text=text_only,
                note="title in BM25 only; embed the sentence alone (clause_embedding_text before ee2cd1e)"),
        Variant("no-speller", speller=False, note="claims not spelling-corrected against the corpus"),
        Variant("no-concepts", concepts=False, note="no education-vocabulary concept tokens in BM25 terms"),
        Variant("doc-aggregation", aggregations=(("max", 0.0), ("max+sum", 0.02), ("max+sum", 0.05),
                                                 ("max+mean", 0.1), ("max+mean", 0.25), ("max+mean", 0.5)),
                note="document score = best clause + beta * (sum or mean of its other clauses)"),
        *[Variant(f"bm25-k1={k1:g}-b={b:g}", bm25_k1=k1, bm25_b=b,
                  note="Bm25Index(k1, b) instead of the product's defaults (1.2, 0.75)")
          for k1, b in ((0.9, 0.4), (1.2, 0.3), (1.5, 0.75), (1.2, 1.0))],
    ]


# ---------------------------------------------------------------- output

def whole_abstract_bm25(corpus: list[dict], queries: dict[str, str], qrels: dict[str, dict[str, set[str]]],
                        k1: float = 1.2, b: float = 0.75) -> dict:
    """Diagnostic, not the product path: the product's analyser and Bm25Index over whole abstracts
    (title + text as one document), to separate the cost of clause granularity from the analyser."""
    from bot.retrieval.bm25 import Bm25Index

    ids = [str(e["_id"]) for e in corpus]
    index = Bm25Index([analysis.terms(f"{e.get('title', '')} {e.get('text', '')}") for e in corpus], k1=k1, b=b)
    out = {}
    for split, rel in qrels.items():
        ranked = {q: [ids[i] for i in fusion.top_k(index.scores(analysis.terms(analysis.informal_to_formal(
            queries[q]))), DEPTH)] for q in rel}
        out[split] = evaluate(ranked, rel)
    return out


def markdown(summary: dict, meta: dict, experiments: list[dict]) -> str:
    s = summary
    lines = [
        f"# SciFact (BEIR), {s['rows']['hybrid']['test']['queries']} test claims: nDCG@10"
        + (" — QUICK smoke run (small corpus: figures not comparable)" if meta["quick"] else ""),
        "",
        f"Documents ranked by their best clause; {meta['clauses']} sentence-level clauses from "
        f"{meta['documents']} abstracts. Fusion weight chosen on the {s['rows']['hybrid']['train']['queries']} "
        f"train claims only. Product code as committed ({meta['git_commit'][:10]}{meta['bot_dirty']}).",
        "",
        "| method | test nDCG@10 | test recall@100 | train nDCG@10 | published |",
        "|---|---|---|---|---|",
    ]
    labels = {"bm25": "BM25 alone (alpha = 1)", "dense": "embeddings alone (alpha = 0)",
              "hybrid": f"**hybrid, alpha = {s['chosen_alpha']:.2f}** (chosen on train)",
              "hybrid_default_alpha": "hybrid, product default alpha = 0.50",
              "rrf": "RRF (k = 60) of the two clause rankings"}
    for name, label in labels.items():
        row = s["rows"][name]
        lines.append(f"| {label} | {row['test']['ndcg@10']:.4f} | {row['test']['recall@100']:.4f} | "
                     f"{row['train']['ndcg@10']:.4f} | {PUBLISHED.get(name, '')} |")
    h, b, d = (s["rows"][n]["test"]["ndcg@10"] for n in ("hybrid", "bm25", "dense"))
    lines += ["", f"Target hybrid ≥ 0.69 and above both parts: **{'met' if h >= 0.69 and h > max(b, d) else 'NOT met'}** "
              f"(hybrid {h:.4f}, BM25 {b:.4f}, embeddings {d:.4f}).", "",
              f"Run time {meta['seconds']['product_run']:.0f} s for the rows above "
              f"({meta['seconds']['total_with_experiments']:.0f} s with the what-if variants) on {meta['machine']} "
              f"(clause embeddings {'from cache' if not meta['embedded_now'] else 'computed: ' + str(meta['embedded_now'])}).",
              "", "alpha curve (nDCG@10): " + ", ".join(
                  f"{m[7:11]}: {v['train_ndcg@10']:.3f}/{v['test_ndcg@10']:.3f}" for m, v in s["curve"].items()
                  if "|" not in m) + " (train/test)"]
    if experiments:
        lines += ["", "## What-if variants (monkeypatched in the benchmark, NOT the product as committed)", "",
                  "| variant | chosen on train | test BM25 | test embeddings | test hybrid | train hybrid |",
                  "|---|---|---|---|---|---|"]
        for e in experiments:
            r = e["summary"]["rows"]
            lines.append(f"| {e['name']}: {e['note']} | {e['summary']['chosen']} | {r['bm25']['test']['ndcg@10']:.4f} | "
                         f"{r['dense']['test']['ndcg@10']:.4f} | {r['hybrid']['test']['ndcg@10']:.4f} | "
                         f"{r['hybrid']['train']['ndcg@10']:.4f} |")
    if meta.get("whole_abstract_bm25"):
        w = meta["whole_abstract_bm25"]
        lines += ["", f"Diagnostic (not the product path): the product's analyser and Bm25Index (k1 1.2, b 0.75) over "
                  f"whole abstracts (title + text, no speller) gives test nDCG@10 {w['test']['ndcg@10']:.4f} "
                  f"(train {w['train']['ndcg@10']:.4f}): the BM25 gap to the published figures is the cost of "
                  f"ranking a document by its best sentence, not of the analyser."]
    return "\n".join(lines) + "\n"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="SciFact folder (default ../shared/bench/scifact)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 50 test / 100 train claims, small corpus")
    parser.add_argument("--experiments", action="store_true", help="also measure what-if variants")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if argv is None and os.environ.get("PYTHONHASHSEED") is None:
        # The product's Speller breaks ties between equally long corpus words in set order, which changes
        # with Python's string hash seed: fix the seed so that two runs give the same figures.
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    _self_check()
    started = time.monotonic()
    data = args.data or (ROOT / DEFAULT_DATA)
    data = (data if data.is_absolute() else (Path.cwd() / data)).resolve()
    if not (data / "corpus.jsonl").is_file():
        print(f"SciFact not found in {data} (use --data DIR)", file=sys.stderr)
        return 2
    checksums = verify_checksums(data)
    corpus, queries, qrels = load_data(data)
    if args.quick:
        qrels = {"test": dict(sorted(qrels["test"].items())[:50]), "train": dict(sorted(qrels["train"].items())[:100])}
        needed = {d for split in qrels.values() for docs in split.values() for d in docs}
        corpus = [e for n, e in enumerate(corpus) if n < 500 or str(e["_id"]) in needed]
    qids = sorted({q for split in qrels.values() for q in split}, key=lambda q: (len(q), q))
    missing = [q for q in qids if q not in queries]
    assert not missing, f"claims without text: {missing[:5]}"

    embedder = SentenceTransformerEmbedder()
    run = run_variant(Variant(), corpus, queries, qids, embedder)
    summary = summarise(run, qrels)
    checked = consistency_check(run, queries, summary["chosen_alpha"])
    product_seconds = time.monotonic() - started

    experiments = []
    if args.experiments:
        for variant in experiment_variants():
            extra = run_variant(variant, corpus, queries, qids, embedder)
            result = summarise(extra, qrels)
            if len(variant.aggregations) > 1:  # choose alpha and aggregation jointly, on train
                train = {m: evaluate(r, qrels["train"]) for m, r in extra["rankings"].items()}
                test = {m: evaluate(r, qrels["test"]) for m, r in extra["rankings"].items()}
                pick = max((m for m in train if m.startswith("convex@") and 0 < float(m[7:11]) < 1),
                           key=lambda m: train[m]["ndcg@10"])
                result["chosen"] = pick
                result["rows"]["hybrid"] = {"method": pick, "test": test[pick], "train": train[pick]}
            experiments.append({"name": variant.name, "note": variant.note, "summary": result,
                                "seconds": extra["seconds"]})

    diagnostic = whole_abstract_bm25(corpus, queries, qrels) if args.experiments else None
    meta = {
        "python_hash_seed": os.environ.get("PYTHONHASHSEED"), "whole_abstract_bm25": diagnostic,
        "data": str(data), "data_checksums": checksums, "quick": args.quick,
        "documents": run["documents"], "clauses": run["clauses"], "embedded_now": run["embedded_now"],
        "model": embedder.model_id, "alphas": list(ALPHAS), "depth": DEPTH, "rrf_clause_depth": RRF_DEPTH,
        "consistency_checked_queries": checked,
        "git_commit": _git("rev-parse", "HEAD"),
        "bot_dirty": " + uncommitted bot/ changes" if _git("status", "--porcelain", "--", "bot") else "",
        "machine": f"{os.cpu_count()} CPU, {platform.machine()}, Python {platform.python_version()}",
        "seconds": {**run["seconds"], "product_run": round(product_seconds, 1),
                    "total_with_experiments": round(time.monotonic() - started, 1)},
    }
    table = markdown(summary, meta, experiments)
    print(table)
    if not args.quick and not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        _write(RESULTS / "scifact.json", json.dumps({"meta": meta, **summary, "experiments": experiments},
                                                    indent=2) + "\n")
        _write(RESULTS / "scifact.md", table)
        print(f"wrote {RESULTS / 'scifact.json'} and scifact.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
