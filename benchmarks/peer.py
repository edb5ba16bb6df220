"""A typical RAG peer, for comparison in the same run: fixed 500-character chunks of each document's text,
rank-bm25 (BM25Okapi over lower-case word tokens) and all-MiniLM-L6-v2 cosine, fused by reciprocal rank
(k = 60), top passages returned; it always answers and names no contact.

It speaks policybot's batch contract, so ../shared/tools/score_answers.py scores it the same way:

    .venv/bin/python benchmarks/peer.py ask --org ORG --json [--top K] [--corpus DIR]   # questions on stdin

It reads documents with policybot's own readers (bot.reading: the same text, so the comparison is about
what happens after reading), joins each document's blocks with newlines and cuts the text into chunks of
at most 500 characters at word boundaries. Only the organisation's own documents (and its parent trust's)
are searched. Chunk embeddings are cached under benchmarks/.cache (not committed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.reading.cleanup import clean  # noqa: E402
from bot.reading.corpus import load_org  # noqa: E402
from bot.reading.readers import SUFFIXES, read_document  # noqa: E402
from bot.errors import DocumentError  # noqa: E402

CHUNK = 500
RRF_K = 60
CACHE = ROOT / "benchmarks" / ".cache" / "peer"


def chunks(text: str, size: int = CHUNK) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > size:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return out + ([current] if current else [])


def documents(corpus: Path, org: str) -> list[tuple[str, str, str]]:
    """(source, title, text) of the organisation's documents and its parent trust's."""
    out = []
    slug: str | None = org
    while slug:
        folder = corpus / slug
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
            try:
                read = read_document(path)
            except DocumentError:
                continue
            text = "\n".join(b.text for b in clean(read.blocks))
            out.append((f"{slug}/{path.name}", path.stem, text))
        slug = load_org(folder).parent
    return out


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class Peer:
    def __init__(self, corpus: Path, org: str) -> None:
        from rank_bm25 import BM25Okapi

        self.org = org
        self.passages = [(source, title, piece) for source, title, text in documents(corpus, org)
                         for piece in chunks(text)]
        self.bm25 = BM25Okapi([tokens(p[2]) for p in self.passages])
        self.model = _model()
        self.matrix = self._embed([p[2] for p in self.passages])

    def _embed(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:24]
        path = CACHE / f"{key}.npy"
        if path.is_file():
            return np.load(path)
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=64)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        return vectors

    def ask(self, question: str, top: int) -> dict[str, object]:
        lexical = self.bm25.get_scores(tokens(question))
        dense = self.matrix @ self.model.encode([question], normalize_embeddings=True)[0]
        fused = np.zeros(len(self.passages))
        for scores in (lexical, dense):
            for rank, i in enumerate(np.argsort(-scores)):
                fused[i] += 1.0 / (RRF_K + rank + 1)
        best = np.argsort(-fused)[:top]
        return {"question": question, "org": self.org, "answered": True, "contacts": [], "warnings": [],
                "passages": [{"text": self.passages[i][2], "org": self.passages[i][0].split("/")[0],
                              "document": self.passages[i][1], "section": "", "source": self.passages[i][0],
                              "score": float(fused[i])} for i in best]}


def _model():  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from bot.retrieval.embeddings import bundled_model_dir

    return SentenceTransformer(str(bundled_model_dir()), device="cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["ask"])
    parser.add_argument("--org", required=True)
    parser.add_argument("--json", action="store_true", required=True)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("POLICYBOT_CORPUS_DIR", "corpus")))
    args = parser.parse_args()
    peer = Peer(args.corpus, args.org)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(peer.ask(line.strip(), args.top), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
