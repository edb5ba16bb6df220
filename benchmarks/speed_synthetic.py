"""The synthetic corpora: clause texts recombined from the seed corpus's real sentences with seeded random
word substitutions (seed-corpus words, organisation names, made-up proper nouns), so that the vocabulary
is realistic and grows with the corpus; laid out as many organisations (trusts and their schools) or as
one scope. Their embeddings are random unit vectors (float32, 384-d, seeded): the cost of a dense dot
product does not depend on the values. Also used by index_speed.py, trust.py and rerank_speed.py."""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_common import DIM, DOC_TITLES  # noqa: E402
from bot.reading.documents import Clause, DocumentInfo, Organisation  # noqa: E402

_SYLLABLES = ("ash", "bur", "ton", "ley", "wick", "ham", "mor", "den", "brook", "field", "stead", "wood",
              "ford", "ches", "well", "hurst", "dale", "by", "thorpe", "sal", "cal", "bran", "fen", "holt",
              "mere", "ridge", "combe", "lan", "pen", "tre", "nor", "wes", "kirk", "gate", "bourne", "ing",
              "ow", "ar", "el", "ay")


@dataclass
class Synthetic:
    orgs: dict[str, Organisation]
    documents: list[DocumentInfo]
    clauses: list[Clause]
    embeddings: np.ndarray
    scope_sizes: list[int] = field(default_factory=list)


class ClauseFactory:
    """Clause texts recombined from the seed corpus's real sentences, with seeded random substitutions:
    seed words (frequency-weighted), the organisation's own names, and made-up proper nouns drawn with a
    long tail, so that the vocabulary grows with the corpus as real policy text does."""

    def __init__(self, seed_clauses: list[Clause], seed: int) -> None:
        self.rng = random.Random(seed)
        fragments: list[str] = []
        for c in seed_clauses:
            fragments += [f.strip() for f in re.split(r"(?<=[.;:!?])\s+", c.text) if len(f.strip()) > 12]
        self.fragments = fragments
        self.shapes = [(c.section, c.kind) for c in seed_clauses if c.text]
        self.seed_words = [w for c in seed_clauses for w in re.findall(r"[A-Za-z][A-Za-z'-]+", c.text)]
        gen = random.Random(seed + 1)
        made_up: set[str] = set()
        while len(made_up) < 40_000:
            made_up.add("".join(gen.choice(_SYLLABLES) for _ in range(gen.choice((2, 2, 3)))))
        self.made_up = sorted(made_up)
        gen.shuffle(self.made_up)

    def org_names(self, n: int = 8) -> list[str]:
        return [self.made_up[int(len(self.made_up) * self.rng.random() ** 2)].capitalize() for _ in range(n)]

    def text(self, names: list[str]) -> str:
        rng = self.rng
        n = 1 if (r := rng.random()) < 0.6 else 2 if r < 0.9 else 3
        words = " ".join(rng.choice(self.fragments) for _ in range(n)).split(" ")
        for i in range(len(words)):
            u = rng.random()
            if u < 0.06:
                words[i] = rng.choice(self.seed_words)
            elif u < 0.08:
                words[i] = rng.choice(names)
            elif u < 0.10:
                words[i] = self.made_up[int(len(self.made_up) * rng.random() ** 3)]
        text = " ".join(words)
        if len(text) > 600:
            text = text[:600].rsplit(" ", 1)[0]
        return text

    def shape(self) -> tuple[str, str]:
        return self.rng.choice(self.shapes)


def random_unit_rows(n: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((n, DIM), dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


def synthetic_texts(factory: ClauseFactory, n_orgs: int, per_org: int) -> list[list[tuple[str, str, str]]]:
    """(text, section, kind) for each clause of each organisation."""
    out = []
    for _ in range(n_orgs):
        names = factory.org_names()
        out.append([(factory.text(names), *factory.shape()) for _ in range(per_org)])
    return out


def layout_many(texts: list[list[tuple[str, str, str]]], embeddings: np.ndarray, trusts: int,
                docs_per_org: int, rng: random.Random) -> Synthetic:
    """*trusts* trusts and the other organisations as schools under them (round robin)."""
    orgs: dict[str, Organisation] = {}
    documents: list[DocumentInfo] = []
    clauses: list[Clause] = []
    n_orgs = len(texts)
    for o in range(n_orgs):
        is_trust = o < trusts
        slug = f"trust-{o:03d}" if is_trust else f"school-{o:03d}"
        parent = None if is_trust else f"trust-{(o - trusts) % trusts:03d}"
        orgs[slug] = Organisation(slug=slug, name=slug.replace("-", " ").title(), parent=parent)
        titles = rng.sample(DOC_TITLES, docs_per_org)
        per_doc = -(-len(texts[o]) // docs_per_org)
        for n, (text, section, kind) in enumerate(texts[o]):
            d = n // per_doc
            title = ("Trust " if is_trust else "") + titles[d]  # trust titles never supersede a school's
            source = f"{slug}/{title.lower().replace(' ', '-')}.txt"
            if n % per_doc == 0:
                documents.append(DocumentInfo(org=slug, source=source, title=title, sha256=""))
            clauses.append(Clause(id=f"{source}#{n % per_doc}", org=slug, source=source, document=title,
                                  section=section, text=text, kind=kind))
    return Synthetic(orgs, documents, clauses, embeddings)


def layout_one(texts: list[list[tuple[str, str, str]]], embeddings: np.ndarray, per_doc: int) -> Synthetic:
    slug = "one-trust"
    orgs = {slug: Organisation(slug=slug, name="One Trust")}
    documents: list[DocumentInfo] = []
    clauses: list[Clause] = []
    flat = [t for org in texts for t in org]
    for n, (text, section, kind) in enumerate(flat):
        d = n // per_doc
        title = f"{DOC_TITLES[d % len(DOC_TITLES)]} {d // len(DOC_TITLES) + 1}"
        source = f"{slug}/policy-{d:04d}.txt"
        if n % per_doc == 0:
            documents.append(DocumentInfo(org=slug, source=source, title=title, sha256=""))
        clauses.append(Clause(id=f"{source}#{n % per_doc}", org=slug, source=source, document=title,
                              section=section, text=text, kind=kind))
    return Synthetic(orgs, documents, clauses, embeddings)
