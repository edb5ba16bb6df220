"""Load a corpus folder: one folder per organisation, each with an org.yaml and its policy files."""

from __future__ import annotations

import dataclasses

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot.errors import ConfigError, CorpusError, DocumentError
from bot.reading import reach, roles, slt_answers
from bot.reading.documents import (SEP, Clause, DocumentInfo, InductionPolicy, Organisation, Person, SltMember,
                                     StaffMember, Statement)
from bot.reading.blocks import Block, SourceDocument
from bot.reading.cache import ReadCache
from bot.reading.cache import key as cache_key
from bot.reading.cleanup import clean
from bot.reading.clauses import segment
from bot.reading.metadata import Metadata, extract
from bot.reading.readers import MAX_BYTES, SUFFIXES, read_document
from bot.reading.titles import choose_title

ORG_FILE = "org.yaml"


class _ContactEntry(BaseModel):
    """A role holder and how to reach them: each way is optional, and checked so that a link made of it
    works (a mailto: address, a tel: number, a Slack member id, a Telegram @username)."""

    model_config = ConfigDict(extra="forbid")
    role: str
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    slack: str | None = None
    teams: str | None = None
    telegram: str | None = None

    @field_validator("email", "phone", "slack", "teams", "telegram", mode="before")
    @classmethod
    def _way(cls, value: object, info: ValidationInfo) -> object:
        if value is None or not isinstance(value, (str, int)) or isinstance(value, bool):
            return value
        text = str(value).strip()
        problem = reach.problem(info.field_name or "", text)
        if problem:
            raise ValueError(problem)
        return text or None


class _DocumentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    next_review: date | None = None


class _SltEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str
    dsl: bool = False  # the DSL or a deputy: may see questions flagged as safeguarding concerns


class _Platforms(BaseModel):
    """Which chat workspaces and accounts belong to the organisation. An id may belong to one
    organisation only: a workspace mapped twice could get another school's policies."""

    model_config = ConfigDict(extra="forbid")
    slack_teams: list[str] = []  # Slack workspace (team) ids, "T0123ABC"
    teams_tenants: list[str] = []  # Microsoft 365 tenant ids (GUIDs)
    telegram_users: list[int] = []  # Telegram user ids allowed to ask (others can join with a code)
    telegram_chats: list[int] = []  # Telegram group chat ids whose members may ask
    entra_tenants: list[str] = []  # web chat sign-in: Microsoft Entra tenant ids (the ID token's tid)
    google_domains: list[str] = []  # web chat sign-in: Google Workspace domains (the ID token's hd)


class _Statement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=3)
    true: bool


class _InductionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    key_points: list[str] = []
    statements: list[_Statement] = []


class _Induction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policies: list[_InductionPolicy] = []  # empty: every policy of the organisation, in file order
    max_points: int = Field(default=6, ge=1, le=30)


class _StaffEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    email: str | None = None
    slack: str | None = None
    teams: str | None = None
    telegram: int | None = None


class _OrgFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    parent: str | None = None
    general_contact: str | None = None
    contacts: list[_ContactEntry] = []
    documents: dict[str, _DocumentEntry] = {}
    retention_days: int = Field(default=365, ge=1, le=3650)  # how long the question log keeps entries
    # how long safeguarding concerns are kept for the DSL (records of concerns outlive the question log)
    concern_retention_days: int = Field(default=2555, ge=1, le=36500)
    log_identities: bool = False  # keep askers' real identities in the log (default: pseudonyms only)
    slt: list[_SltEntry] = []  # who may sign in to the SLT dashboard
    platforms: _Platforms = _Platforms()
    induction: _Induction = _Induction()
    staff: list[_StaffEntry] = []  # who should complete induction (the acknowledgement register)


@dataclass
class Corpus:
    orgs: dict[str, Organisation]
    documents: list[DocumentInfo] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    problems: list[DocumentError] = field(default_factory=list)


def load_corpus(root: Path, cache_dir: Path | None = None, max_bytes: int = MAX_BYTES,
                answers: Mapping[str, list[slt_answers.SltAnswerEntry]] | None = None) -> Corpus:
    """Read every organisation under *root*. A document that cannot be read is reported in
    `problems` with its reason; every other document is still loaded. With *cache_dir*, a document whose
    bytes have not changed since an earlier read is not parsed again. SLT answers are *answers* (by
    organisation, from the database) when given, else each folder's slt-answers.yaml."""
    if not root.is_dir():
        raise CorpusError(f"corpus folder not found: {root}")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise CorpusError(f"no organisation folders in {root}")
    orgs: dict[str, Organisation] = {}
    unreadable: list[DocumentError] = []
    for folder in folders:  # one school's broken org file stops no other school
        try:
            orgs[folder.name] = load_org(folder)
        except ConfigError as exc:
            unreadable.append(DocumentError(f"{folder.name}/{ORG_FILE}", f"{exc} (not served until it is fixed)"))
    if not orgs:
        raise ConfigError("no organisation could be read: " + "; ".join(p.reason for p in unreadable))
    while True:  # a school of a trust that is dropped is then detached from it, and so on down
        checked = _with_parents_checked(orgs, {f.name for f in folders}, unreadable)
        if checked == orgs:
            break
        orgs = checked
    orgs = without_shared_platform_ids(orgs, unreadable)
    corpus = Corpus(orgs=orgs)
    corpus.problems.extend(unreadable)
    reading = _Reading(cache_dir, max_bytes)
    for folder in folders:
        if folder.name not in corpus.orgs:
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != ORG_FILE):
            if path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            _load_document(corpus, root, corpus.orgs[folder.name], path, reading)
        _load_slt_answers(corpus, root, corpus.orgs[folder.name],
                          None if answers is None else answers.get(folder.name, []))
    if reading.cache is not None:
        reading.cache.prune()
    return corpus


def _load_slt_answers(corpus: Corpus, root: Path, org: Organisation,
                      entries: list[slt_answers.SltAnswerEntry] | None) -> None:
    try:
        answers = slt_answers.load(root, org, entries)
    except ConfigError as exc:
        corpus.problems.append(DocumentError(f"{org.slug}/{slt_answers.FILE}", str(exc)))
        return
    if answers:
        corpus.documents.append(answers[0])
        corpus.clauses.extend(answers[1])


def load_org(folder: Path) -> Organisation:
    path = folder / ORG_FILE
    if not path.is_file():
        raise ConfigError(f"{folder.name}: no {ORG_FILE} (it names the organisation)")
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        spec = _OrgFile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{folder.name}/{ORG_FILE}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{folder.name}/{ORG_FILE}: {problems}") from exc
    return Organisation(
        slug=folder.name,
        name=spec.name,
        parent=spec.parent,
        general_contact=spec.general_contact,
        people=tuple(_person(c) for c in spec.contacts),
        document_overrides={k: v.model_dump(exclude_none=True) for k, v in spec.documents.items()},
        retention_days=spec.retention_days,
        concern_retention_days=spec.concern_retention_days,
        log_identities=spec.log_identities,
        slt=tuple(SltMember(email=m.email.lower(), name=m.name, dsl=m.dsl) for m in spec.slt),
        platform_ids=tuple(sorted({(kind, str(i)) for kind, ids in spec.platforms.model_dump().items() for i in ids})),
        induction=tuple(InductionPolicy(file=p.file, key_points=tuple(p.key_points),
                                        statements=tuple(Statement(s.text, s.true) for s in p.statements))
                        for p in spec.induction.policies),
        induction_max_points=spec.induction.max_points,
        staff=tuple(StaffMember(name=m.name, email=m.email, handles=tuple(
            (k, str(v)) for k, v in (("slack", m.slack), ("teams", m.teams), ("telegram", m.telegram)) if v))
            for m in spec.staff),
    )


def _person(entry: _ContactEntry) -> Person:
    handles = tuple((k, v) for k, v in (("slack", entry.slack), ("teams", entry.teams),
                                        ("telegram", entry.telegram)) if v)
    return Person(role=entry.role, role_key=roles.role_key(entry.role), name=entry.name, title=entry.title,
                  how=entry.email or entry.phone, handles=handles, email=entry.email, phone=entry.phone)


def without_shared_platform_ids(orgs: dict[str, Organisation],
                                problems: list[DocumentError]) -> dict[str, Organisation]:
    """The organisations with every platform id that two of them claim taken from both: its people are
    refused until the org files agree (either school would be a guess, and the wrong one would get
    another school's policies). Each clash is reported in *problems*; everything else is served."""
    claims: dict[tuple[str, str], list[str]] = {}
    for slug in sorted(orgs):
        for pid in orgs[slug].platform_ids:
            claims.setdefault(pid, []).append(slug)
    shared = {pid: slugs for pid, slugs in claims.items() if len(slugs) > 1}
    out = dict(orgs)
    for (kind, value), slugs in sorted(shared.items()):
        for slug in slugs:
            others = ", ".join(s for s in slugs if s != slug)
            problems.append(DocumentError(f"{slug}/{ORG_FILE}", f"platforms.{kind} {value} is also mapped to "
                                          f"{others}; one workspace or account can belong to one organisation "
                                          "only, so it is refused until one org file drops it"))
    for slug, org in orgs.items():
        kept = tuple(pid for pid in org.platform_ids if pid not in shared)
        if kept != org.platform_ids:
            out[slug] = dataclasses.replace(org, platform_ids=kept)
    return out


def _with_parents_checked(orgs: dict[str, Organisation], folders: set[str],
                          problems: list[DocumentError]) -> dict[str, Organisation]:
    """The organisations whose parent chain holds. A school whose trust's org file could not be read is
    served on its own documents (and told so); one naming no organisation here, or in a loop, is not
    served (its own file is wrong). Each is reported in *problems*."""
    out = dict(orgs)
    for slug in sorted(orgs):
        org = out[slug]
        if org.parent and org.parent not in orgs and org.parent in folders:
            problems.append(DocumentError(f"{slug}/{ORG_FILE}", f"its parent '{org.parent}' could not be read: "
                                          "served without the parent's documents and contacts until it is fixed"))
            out[slug] = dataclasses.replace(org, parent=None)
    for slug in sorted(out):
        seen, parent = {slug}, out[slug].parent
        while parent:
            if parent not in out:
                problems.append(DocumentError(f"{slug}/{ORG_FILE}", f"parent '{parent}' is not an organisation "
                                              "here (not served until it is fixed)"))
                break
            if parent in seen:
                problems.append(DocumentError(f"{slug}/{ORG_FILE}", "parent organisations form a loop (not served "
                                              "until it is fixed)"))
                break
            seen.add(parent)
            parent = out[parent].parent
    broken = {p.source.split("/")[0] for p in problems if "not served" in p.reason}
    return {slug: org for slug, org in out.items() if slug not in broken}


def _load_document(corpus: Corpus, root: Path, org: Organisation, path: Path, reading: _Reading) -> None:
    source = path.relative_to(root).as_posix()
    try:
        read = reading.read(path)
    except DocumentError as exc:
        corpus.problems.append(DocumentError(source, exc.reason))
        return
    blocks = clean(read.blocks)
    meta = extract(blocks, read.properties)
    override = org.document_overrides.get(path.name, {})
    title = override.get("title") or choose_title(read.properties, blocks, meta.title, path.name)
    segments = segment(blocks, title)
    if not segments:
        corpus.problems.append(DocumentError(source, "no policy text found in it"))
        return
    doc = _document_info(org, source, blocks, title, meta, override)
    corpus.documents.append(doc)
    for n, seg in enumerate(segments):
        names = tuple(dict.fromkeys(p.name for p in doc.people if p.name and p.name in seg.text))
        kind = "contact" if names and len(seg.text) < 120 else seg.kind
        corpus.clauses.append(Clause(
            id=f"{source}#{n}", org=org.slug, source=source, document=doc.title,
            section=SEP.join(seg.path), text=seg.text, roles=roles.find_roles(seg.text),
            names=names, kind=kind))


class _Reading:
    """Reads document files, through the cache of earlier reads when there is one."""

    def __init__(self, cache_dir: Path | None, max_bytes: int) -> None:
        self.cache = ReadCache(cache_dir) if cache_dir else None
        self.max_bytes = max_bytes

    def read(self, path: Path) -> SourceDocument:
        if self.cache is None:
            return read_document(path, self.max_bytes)
        try:
            k = cache_key(path.read_bytes()) if path.stat().st_size <= self.max_bytes else None
        except OSError:
            k = None  # read_document reports it
        cached = self.cache.get(k) if k else None
        if cached is not None:
            return cached
        document = read_document(path, self.max_bytes)
        if k:
            self.cache.put(k, document)
        return document


def _document_info(org: Organisation, source: str, blocks: list[Block], title: str, meta: Metadata,
                   override: dict[str, Any]) -> DocumentInfo:
    next_review = override.get("next_review") or meta.next_review
    version = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
    return DocumentInfo(
        org=org.slug, source=source, title=title, sha256=version,
        approved=meta.approved, approver=meta.approver, review_cycle=meta.review_cycle,
        next_review=next_review, next_review_text=meta.next_review_text if not override.get("next_review")
        else str(next_review), replaced_by=meta.replaced_by, replaced_on=meta.replaced_on,
        owner_role=meta.owner_role, people=meta.people)
