"""The index's clauses as columns: one JSON line per field (clauses.jsonl), each with its distinct values
and, where values repeat, each clause's position in them.

A server reads every clause at start. One JSON object per clause (the index's format up to 6) took 16 s
of a 241k-clause trust's start (241k json.loads calls, a dict per clause, the same organisation, document
and section strings decoded again for every clause); as columns it is a dozen json.loads calls, and a
repeated string (an organisation, a document title, a section path) is one object shared by its clauses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from bot.reading.documents import Clause

FIELDS = ("id", "org", "source", "document", "section", "text", "roles", "names", "kind", "note")
_TUPLES = ("roles", "names")  # stored as JSON arrays, read back as tuples
KEYS = ("key", "passage_key")  # each clause's embedding keys (its text's, its passage's)


def write(fh: BinaryIO, clauses: Sequence[Clause], keys: Sequence[str], passage_keys: Sequence[str]) -> None:
    """One line per column: {"field": name, "values": [distinct values], "index": [position of each
    clause's value] or null when every clause has its own value (ids, texts, keys)}."""
    columns: list[tuple[str, Iterable[Any]]] = [(f, [getattr(c, f) for c in clauses]) for f in FIELDS]
    columns += [("key", keys), ("passage_key", passage_keys)]
    fh.write(json.dumps({"field": "clauses", "count": len(clauses)}).encode() + b"\n")
    for name, values in columns:
        table: dict[Any, int] = {}
        index = [table.setdefault(tuple(v) if name in _TUPLES else v, len(table)) for v in values]
        line = {"field": name, "values": [list(v) if name in _TUPLES else v for v in table],
                "index": index if len(table) < len(index) else None}
        fh.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")


def read(path: Path) -> tuple[list[Clause], list[str], list[str]]:
    """The clauses, their embedding keys and their passages' (ValueError if the file is not a clause
    table: damaged, or from another format)."""
    columns = read_columns(path)
    missing = [f for f in (*FIELDS, *KEYS) if f not in columns]
    if missing:
        raise ValueError(f"{path.name}: no column {missing[0]!r}")
    for name in _TUPLES:
        columns[name] = [tuple(v) for v in columns[name]]
    return list(map(Clause, *(columns[f] for f in FIELDS))), columns["key"], columns["passage_key"]


def read_columns(path: Path) -> dict[str, list[Any]]:
    """Every column, one value per clause (the distinct values shared: equal strings are one object)."""
    with open(path, encoding="utf-8") as fh:
        head = json.loads(fh.readline())
        if not isinstance(head, dict) or head.get("field") != "clauses":
            raise ValueError(f"{path.name} is not a clause table")
        count = int(head["count"])
        columns: dict[str, list[Any]] = {}
        for line in fh:
            column = json.loads(line)
            values, index = column["values"], column["index"]
            columns[column["field"]] = values if index is None else [values[i] for i in index]
            if len(columns[column["field"]]) != count:
                raise ValueError(f"{path.name}: column {column['field']!r} has the wrong length")
    return columns
