"""Gold question sets over third-party policy libraries, kept without their text.

The libraries in ../shared/corpora are third-party documents: no text of theirs may be copied into the
project, not even the short passages a gold set expects an answer to quote. So a gold row here keeps, for
each expected passage, only its length in words and a hash of its normalised words (the normalisation
is the scorer's: case, quote style and markdown debris ignored), and for the expected contact a hash of
the name. `decode` finds the passages again in the library as policybot reads it and writes the scorer's
ordinary format to a file outside the project.

    # author in a scratch file outside the project (plain phrases), then keep only the encoded form:
    .venv/bin/python benchmarks/library_gold.py encode /tmp/plain.jsonl benchmarks/library_questions.jsonl
    # for a run of ../shared/tools/score_answers.py:
    .venv/bin/python benchmarks/library_gold.py decode benchmarks/library_questions.jsonl /tmp/gold.jsonl

Plain rows: {"id", "org", "question", "expect": [phrases], "contact": name | null, "answerable": bool}
(plus any other keys, kept as they are, e.g. "policy" for the file the answer is in). A phrase must lie
within one clause as policybot reads it; `encode` refuses a row whose phrase it cannot find again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"


def norm(s: str) -> str:
    """The scorer's normal form (../shared/tools/score_answers.py)."""
    s = unicodedata.normalize("NFKC", s)
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = re.sub(r"[\*\[\]\(\)#_`]", " ", s)
    return re.sub(r"\s+", " ", s).strip().lower()


def digest(text: str) -> str:
    return hashlib.sha256(norm(text).encode()).hexdigest()[:24]


@cache
def clause_words(corpus: Path) -> dict[str, list[list[str]]]:
    """Each organisation's clauses as normalised word lists, as policybot reads the library."""
    from bot.reading.corpus import load_corpus

    loaded = load_corpus(corpus)
    out: dict[str, list[list[str]]] = {}
    for clause in loaded.clauses:
        out.setdefault(clause.org, []).append(norm(clause.text).split(" "))
    return out


@cache
def _windows(corpus: Path, org: str, words: int) -> dict[str, str]:
    """Every run of *words* consecutive words within one clause, by its hash."""
    out: dict[str, str] = {}
    for clause in clause_words(corpus).get(org, []):
        for i in range(len(clause) - words + 1):
            window = " ".join(clause[i:i + words])
            out.setdefault(hashlib.sha256(window.encode()).hexdigest()[:24], window)
    return out


def find_phrase(corpus: Path, org: str, words: int, sha: str) -> str | None:
    return _windows(corpus, org, words).get(sha)


def contact_names(corpus: Path, org: str) -> list[str]:
    raw = yaml.safe_load((corpus / org / "org.yaml").read_text("utf-8")) or {}
    return [c["name"] for c in raw.get("contacts", []) if c.get("name")]


def encode_row(row: dict[str, Any], corpus: Path) -> dict[str, Any]:
    expect = []
    for phrase in row["expect"]:
        code = {"words": len(norm(phrase).split(" ")), "sha": digest(phrase)}
        if find_phrase(corpus, row["org"], code["words"], code["sha"]) is None:
            raise SystemExit(f"{row['id']}: expected phrase not found within one clause: {phrase!r}")
        expect.append(code)
    contact = row.get("contact")
    if contact and contact not in contact_names(corpus, row["org"]):
        raise SystemExit(f"{row['id']}: contact {contact!r} is not in {row['org']}/org.yaml")
    return {**row, "expect": expect, "contact": {"sha": digest(contact)} if contact else None}


def decode_row(row: dict[str, Any], corpus: Path) -> dict[str, Any]:
    expect = []
    for code in row["expect"]:
        phrase = find_phrase(corpus, row["org"], code["words"], code["sha"])
        if phrase is None:
            raise SystemExit(f"{row['id']}: an expected passage is no longer found in the library as read "
                             "(did reading change?)")
        expect.append(phrase)
    contact = None
    if row.get("contact"):
        contact = next((n for n in contact_names(corpus, row["org"]) if digest(n) == row["contact"]["sha"]), None)
        if contact is None:
            raise SystemExit(f"{row['id']}: the expected contact is no longer in org.yaml")
    return {**row, "expect": expect, "contact": contact}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["encode", "decode"])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPORA)
    args = parser.parse_args()
    convert = encode_row if args.action == "encode" else decode_row
    rows = [convert(row, args.corpus) for row in _rows(args.source)]
    args.target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"{args.action}d {len(rows)} rows into {args.target}")


if __name__ == "__main__":
    main()
