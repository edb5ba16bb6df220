"""A synthetic multi-academy trust, written straight into the index format (a benchmark helper, not a test):

    .venv/bin/python benchmarks/trust.py OUT_DIR [--schools 50] [--policies 30] [--clauses-per-policy 158]

One trust organisation with --policies policies, and --schools schools whose parent is the trust, each with
--policies policies of its own: 1,530 documents, 241,740 clauses at the defaults (the issue's "50 schools x
30 policies, 241k clauses"). A third of each school's titles are also trust titles (the school's own
supersedes the trust's: bot.retrieval.search's scope rule), so a school's scope is its own 30 policies and
20 of its trust's: the trust's rows are in every school's scope, as in a real trust.

Clause texts recombine the seed corpus's sentences (benchmarks/speed.py's ClauseFactory: seeded random word
substitutions, made-up names with a long tail). Embeddings are random unit vectors (384-d, seeded): embedding
241k clauses and their passages with the real model would take hours on 2 cores, and neither the memory nor
the start time depends on the values. The analysed terms are derived as the indexer derives them
(features.derive), so the index is what `policybot index` would have written for these clauses.

OUT_DIR gets `index/` and an empty `corpus/` (the index's fingerprint is of that empty folder, so a server
pointed at both finds its index up to date and does not rebuild it). Writing the index uses whichever
`bot` package is first on sys.path, so PYTHONPATH=<another checkout> writes that checkout's format.
The slow parts (texts, features) are cached in OUT_DIR/cache keyed by their inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: a PYTHONPATH checkout's bot package comes first

from benchmarks.speed import ClauseFactory, random_unit_rows  # noqa: E402
from bot.reading.corpus import Corpus, load_corpus  # noqa: E402
from bot.reading.documents import Clause, DocumentInfo, Organisation  # noqa: E402
from bot.retrieval import features, index_store  # noqa: E402
from bot.retrieval.embeddings import SentenceTransformerEmbedder  # noqa: E402
from bot.retrieval.search import clause_embedding_text, passage_embedding_texts  # noqa: E402

GENERATOR = 1  # bump when the layout or texts change (invalidates the cache)
TRUST = "northfield-trust"
POLICY_TITLES = (
    "Social Media Policy", "Safeguarding and Child Protection Policy", "Staff Code of Conduct",
    "Acceptable Use Policy", "Online Safety Policy", "Mobile Phone and Camera Policy", "Data Protection Policy",
    "Behaviour Policy", "Whistleblowing Policy", "Remote Learning Policy", "Attendance Policy",
    "Anti-Bullying Policy", "Health and Safety Policy", "Supporting Pupils with Medical Conditions Policy",
    "Educational Visits Policy", "Special Educational Needs Policy", "Equality Policy", "Complaints Policy",
    "Lettings Policy", "Staff Absence Policy", "Grievance Policy", "Disciplinary Policy", "Capability Policy",
    "Pay Policy", "Appraisal Policy", "Recruitment Policy", "Induction Policy", "First Aid Policy",
    "Intimate Care Policy", "Positive Handling Policy", "Relationships and Sex Education Policy",
    "Homework Policy", "Marking and Feedback Policy", "Uniform Policy", "Charging and Remissions Policy",
    "Exams Policy", "Careers Guidance Policy", "Accessibility Plan", "Freedom of Information Policy",
    "Records Retention Policy", "Lone Working Policy", "Fire Safety Policy", "Drugs and Alcohol Policy",
    "Sun Safety Policy", "Early Years Policy", "Collective Worship Policy", "Looked After Children Policy",
    "Young Carers Policy", "Flexible Working Policy", "Menopause Policy",
)


def layout(schools: int, policies: int, per_policy: int, seed: int) -> Corpus:
    """The trust and its schools: organisations, documents and clauses (texts from the seed corpus)."""
    factory = ClauseFactory(load_corpus(ROOT / "corpus").clauses, seed)
    orgs = {TRUST: Organisation(slug=TRUST, name="Northfield Academies Trust")}
    documents: list[DocumentInfo] = []
    clauses: list[Clause] = []
    trust_titles = POLICY_TITLES[:policies]
    shared = policies // 3  # titles a school has in common with its trust: its own supersedes the trust's
    own_pool = POLICY_TITLES[policies:] + tuple(f"{t} (Local)" for t in POLICY_TITLES)

    def add(org: str, titles: tuple[str, ...]) -> None:
        names = factory.org_names()
        for title in titles:
            source = f"{org}/{title.lower().replace(' ', '-').replace('(', '').replace(')', '')}.md"
            documents.append(DocumentInfo(org=org, source=source, title=title, sha256=""))
            for n in range(per_policy):
                section, kind = factory.shape()
                clauses.append(Clause(id=f"{source}#{n}", org=org, source=source, document=title, section=section,
                                      text=factory.text(names), kind=kind))

    add(TRUST, trust_titles)
    for s in range(schools):
        slug = f"school-{s:02d}"
        orgs[slug] = Organisation(slug=slug, name=f"School {s:02d} Academy", parent=TRUST)
        common = tuple(trust_titles[(s + i) % policies] for i in range(shared))
        add(slug, common + own_pool[:policies - shared])
    return Corpus(orgs, documents, clauses)


def _cached(path: Path, make):  # type: ignore[no-untyped-def]
    if path.is_file():
        with path.open("rb") as fh:
            return pickle.load(fh)
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return value


def write(out: Path, schools: int = 50, policies: int = 30, per_policy: int = 158, seed: int = 7,
          cache: Path | None = None) -> dict[str, object]:
    """Write (or reuse) the synthetic trust's index under *out* (texts and features cached in *cache*,
    default OUT/cache); returns what it is."""
    out.mkdir(parents=True, exist_ok=True)
    corpus_dir, index_dir, cache = out / "corpus", out / "index", cache or out / "cache"
    corpus_dir.mkdir(exist_ok=True)
    params = f"{GENERATOR}-{schools}-{policies}-{per_policy}-{seed}"
    t = time.perf_counter()
    corpus = _cached(cache / f"corpus-{params}.pickle", lambda: layout(schools, policies, per_policy, seed))
    derived = _cached(cache / f"features-{params}-{features.analysis_id()}.pickle",
                      lambda: features.derive(corpus.clauses))
    model_id = SentenceTransformerEmbedder().model_id
    manifest_path = index_dir / index_store.MANIFEST
    # What a server finds the sources' fingerprint to be: the (empty) corpus folder's, and, where SLT
    # answers come from the database (bot.publishing), those of an empty database.
    sources = getattr(index_store, "sources_fingerprint", None)
    fingerprint = sources(corpus_dir, {}) if sources else index_store.corpus_fingerprint(corpus_dir)
    stamp = {"params": params, "format": index_store.FORMAT, "analysis": features.analysis_id(),
             "code": _code_id(), "fingerprint": fingerprint}
    stamp_path = out / "stamp.json"
    if (manifest_path.is_file() and stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp
            and json.loads(manifest_path.read_text()).get("fingerprint") == fingerprint):
        return {"index": str(index_dir), "corpus": str(corpus_dir), "clauses": len(corpus.clauses),
                "documents": len(corpus.documents), "organisations": len(corpus.orgs), "written_s": 0.0}
    n = len(corpus.clauses)
    keys = [index_store.embedding_key(model_id, clause_embedding_text(c)) for c in corpus.clauses]
    passage_keys = [index_store.embedding_key(model_id, t) for t in passage_embedding_texts(corpus.clauses)]
    index_store.write(index_dir, corpus, keys, random_unit_rows(n, seed=1), derived, model_id, fingerprint,
                      passages=(passage_keys, random_unit_rows(n, seed=2)))
    stamp_path.write_text(json.dumps(stamp))
    return {"index": str(index_dir), "corpus": str(corpus_dir), "clauses": n, "documents": len(corpus.documents),
            "organisations": len(corpus.orgs), "written_s": round(time.perf_counter() - t, 1)}


def _code_id() -> str:
    """The index-writing code in use (another checkout writes another index)."""
    return hashlib.sha256(Path(index_store.__file__).read_bytes()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--policies", type=int, default=30)
    parser.add_argument("--clauses-per-policy", type=int, default=158)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=None, help="where texts and features are cached (OUT/cache)")
    args = parser.parse_args()
    print(json.dumps(write(args.out, args.schools, args.policies, args.clauses_per_policy, args.seed, args.cache)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
