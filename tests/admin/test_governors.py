"""The governors' termly report, end to end: a school's library of real PDF policies (made here with
reportlab) indexed by the project's reader, questions asked through the answer service, an SLT answer,
acknowledgements and a safeguarding concern; the report's PDF rendered to PNG pages (poppler's pdftoppm)
and read back as text (pdftotext): pages that are not blank, the figures there, no question text or names."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image, ImageStat
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from bot import runtime as runtime_mod
from bot.admin import governors, terms
from bot.admin.gaps import answer_gap
from bot.core.models import Question
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from bot.storage.concerns import SqlConcerns
from bot.storage.tables import Concern, LogEntry
from tests.conftest import settings_for
from tests.doubles.hash_embedder import HashEmbedder

pytestmark = pytest.mark.integration
ORG = "oak-academy"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
AUTUMN = terms.parse("autumn-2026")
STAFF = [("Ann Example", "U1"), ("Ben Sample", "U2"), ("Cat Fictional", "U3")]
# (file, title, next review as written, clauses): two are past their review date on 21 November 2026.
POLICIES = [
    ("safeguarding.pdf", "Safeguarding and Child Protection Policy", "September 2027", [
        "Any member of staff who is worried about a child must tell the designated safeguarding lead the same day.",
        "Staff must never promise a child that they will keep a secret.",
        "Records of concerns are kept securely in the safeguarding system."]),
    ("code-of-conduct.pdf", "Staff Code of Conduct", "July 2026", [
        "Staff must not accept friend requests from pupils on social media.",
        "Staff must dress smartly and appropriately for their role.",
        "Gifts worth more than twenty pounds must be declared to the headteacher."]),
    ("online-safety.pdf", "Online Safety Policy", "March 2026", [
        "Pupils may use school laptops only when an adult is supervising.",
        "Staff must report any filtering failure to the network manager at once."]),
    ("attendance.pdf", "Attendance Policy", "August 2027", [
        "Parents must phone the school office by nine o'clock on each day of absence.",
        "The attendance officer follows up every unexplained absence on the same day."]),
]
ASKED = [("Can I accept a friend request from a pupil on social media?", "slack"),
         ("What should I do if I am worried about a child?", "web"),
         ("How much can a gift be worth before I must declare it?", "teams"),
         ("By what time must parents phone in an absence?", "web"),
         ("What colour is the kettle in the staff kitchen on the third floor?", "web")]
CONCERN = "A pupil told me her stepdad hits her, what do I do?"


def _policy_pdf(path: Path, title: str, review: str, clauses: list[str]) -> None:
    styles = getSampleStyleSheet()
    story = [Paragraph(title, styles["Title"]), Paragraph("Approved by the governing board: September 2025", styles["Normal"]),
             Paragraph(f"Next review: {review}", styles["Normal"]), Spacer(1, 12),
             Paragraph("1. What staff must do", styles["Heading2"])]
    story += [Paragraph(text, styles["Normal"]) for text in clauses]
    SimpleDocTemplate(str(path), pagesize=A4, title=title).build(story)


def _corpus(root: Path) -> Path:
    folder = root / ORG
    folder.mkdir(parents=True)
    for file, title, review, clauses in POLICIES:
        _policy_pdf(folder / file, title, review, clauses)
    spec = {"name": "Oak Academy", "general_contact": "Headteacher",
            "slt": [{"email": "head@oak.example", "name": "Helen Head"}],
            "platforms": {"slack_teams": ["T1"]},
            "induction": {"policies": [{"file": "safeguarding.pdf"}, {"file": "code-of-conduct.pdf"}]},
            "staff": [{"name": n, "slack": u} for n, u in STAFF]}
    (folder / "org.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return root


@dataclass
class School:
    runtime: Runtime
    answered: int  # of ASKED and CONCERN, as the service answered them this term
    unanswered: int  # of ASKED (not the concern): the gaps before SLT closed one


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    corpus = _corpus(tmp_path / "corpus")
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var", today=NOW.date())
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    try:
        answers = [runtime.service.answer(Question(text, ORG, channel=channel, user=f"slack:T1:U{i}"))
                   for i, (text, channel) in enumerate([*ASKED, (CONCERN, "slack")])]
        assert answers[-1].concern  # the last one describes a live concern about a child
        _last_term(runtime)
        _close_a_gap(runtime)
        docs = {d.source.rsplit("/", 1)[-1]: d for d in runtime.chat.induction.documents(ORG)}
        acks = SqlAcknowledgements(runtime.db, clock=lambda: NOW - timedelta(days=20))
        for person, files in ((0, ["safeguarding.pdf", "code-of-conduct.pdf"]), (1, ["safeguarding.pdf"])):
            name, user = STAFF[person]
            for file in files:
                d = docs[file]
                acks.record(ORG, f"slack:T1:{user}", name, d.source, d.title, d.sha256, d.approved, [], "slack")
        with runtime.db() as session:
            concern_id = session.query(Concern.id).filter(Concern.org == ORG, Concern.id != "summer-concern").one()[0]
        assert SqlConcerns(runtime.db, lambda: NOW).update(ORG, concern_id, "Helen Head", "followed_up", "spoke to DSL")
        yield School(runtime, sum(a.answered for a in answers), sum(not a.answered for a in answers[:-1]))
    finally:
        runtime.close()


def _last_term(runtime: Runtime) -> None:
    """Entries and a concern of the summer term: the autumn report must not count them."""
    at = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
    with runtime.db.begin() as session:
        for i in range(3):
            session.add(LogEntry(id=f"summer{i}", asked_at=at, week=(at - timedelta(days=at.weekday())).date(),
                                 org=ORG, channel="web", asker=f"s{i}", question="an old question?", answered=True,
                                 flagged=False, top_document="Attendance Policy"))
        session.add(Concern(id="summer-concern", org=ORG, raised_at=at, channel="web", raiser="x", question="old",
                            reason="r", about="child", status="new", alerts_sent=0))


def _close_a_gap(runtime: Runtime) -> None:
    with runtime.db() as session:
        open_ids = [e.id for e in session.query(LogEntry).filter(
            LogEntry.org == ORG, LogEntry.answered.is_(False), LogEntry.flagged.is_(False),
            LogEntry.asked_at >= NOW - timedelta(days=1))]
    assert open_ids, "the kettle question, at least, is not answered from the policies"
    answer_gap(runtime.db, ORG, open_ids[:1], "Kettle?", "It is red.", "Helen Head", NOW)


def test_figures_count_the_term_from_the_pdf_library(school: School) -> None:
    r = school.runtime
    scope = set(r.service.searcher.scope_orgs(ORG))
    docs = [d for d in r.service.documents.values() if d.org in scope]
    assert sorted(d.title for d in docs) == sorted(p[1] for p in POLICIES)  # read from the PDFs
    f = governors.figures(r.db, ORG, "Oak Academy", AUTUMN, NOW.date(), docs, r.register(ORG))
    assert (f.asked, f.answered) == (len(ASKED) + 1, school.answered)
    assert dict(f.channels) == {"slack": 2, "web": 3, "teams": 1}
    assert (f.gaps_closed, f.questions_resolved) == (1, 1)
    assert f.still_open == school.unanswered - 1
    assert f.policies == 4 and [t for t, _ in f.overdue] == ["Online Safety Policy", "Staff Code of Conduct"]
    assert [(i.policy, i.acknowledged, i.expected) for i in f.induction] == [
        ("Safeguarding and Child Protection Policy", 2, 3), ("Staff Code of Conduct", 1, 3)]
    assert (f.people, f.people_complete, f.acknowledgements) == (3, 1, 3)
    assert dict(f.concerns) == {"new": 0, "seen": 0, "followed_up": 1}  # the summer's one is not this term's
    spring = governors.figures(r.db, ORG, "Oak Academy", terms.parse("summer-2026"), NOW.date(), docs, [])
    assert (spring.asked, spring.answered, spring.concerns_raised) == (3, 3, 1)


def test_the_pdf_has_pages_that_are_not_blank_and_the_figures_but_no_names(school: School, tmp_path: Path) -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils is not installed (make browser installs it: apt-get install poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(governors.for_runtime(school.runtime, ORG, AUTUMN))
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert 1 <= len(pages) <= 3
    for png in pages:
        grey = Image.open(png).convert("L")
        assert grey.size[0] > 400 and grey.size[1] > 600  # A4 at 60 dpi: 496 x 702
        assert ImageStat.Stat(grey).stddev[0] > 8, f"{png.name} looks blank"
        inked = sum(grey.histogram()[:200]) / (grey.size[0] * grey.size[1])
        assert inked > 0.01, f"{png.name} has almost no ink"
    first = np.asarray(Image.open(pages[0]).convert("RGB"), dtype=np.int16)
    assert (first[..., 2] - first[..., 0] > 60).sum() > 500, "the charts' blue bars are missing"
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                                   text=True, timeout=60).stdout.split())
    asked = len(ASKED) + 1
    assert f"Questions asked {asked}" in text
    assert f"Answered rate {school.answered / asked:.0%}" in text
    assert "Gaps closed 1" in text and "resolving 1 question;" in text
    assert "Policies overdue for review 2" in text and "of 4 policies" in text
    assert "Online Safety Policy" in text and "Staff Code of Conduct" in text
    assert "Induction complete 1 of 3" in text and "2 of 3" in text
    assert "Safeguarding concerns raised 1" in text and "1 followed up" in text
    assert "Autumn term 2026" in text and "The term: 1 September 2026 to 31 December 2026." in text
    for secret in [*(n for n, _ in STAFF), "Helen Head", "stepdad", "kettle", "friend request", "spoke to DSL"]:
        assert secret.lower() not in text.lower()


@pytest.mark.slow
def test_the_command_writes_the_report_and_refuses_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot import wiring
    from bot.cli import app

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed (make browser installs it: apt-get install poppler-utils)")
    corpus = _corpus(tmp_path / "corpus")
    settings = settings_for(corpus, tmp_path / "index", tmp_path / "var")
    for key, value in {"CORPUS_DIR": corpus, "INDEX_DIR": tmp_path / "index", "DATABASE_URL": settings.database_url,
                       "SPOOL_FILE": settings.spool_file, "SECRET_KEY_FILE": settings.secret_key_file}.items():
        monkeypatch.setenv(f"POLICYBOT_{key}", str(value))
    db = wiring.open_database(settings)
    at = datetime(2026, 10, 6, 9, 0, tzinfo=timezone.utc)
    with db.begin() as session:
        for i in range(3):
            session.add(LogEntry(id=f"cli{i}", asked_at=at, week=(at - timedelta(days=at.weekday())).date(), org=ORG,
                                 channel="teams", asker=f"c{i}", question="q?", answered=i < 2, flagged=False))
    db.kw["bind"].dispose()
    runner = CliRunner()
    target = tmp_path / "report.pdf"
    done = runner.invoke(app, ["governors-report", "--org", ORG, "--term", "autumn-2026", "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert "Autumn term 2026" in done.output and target.read_bytes().startswith(b"%PDF-")
    text = " ".join(subprocess.run(["pdftotext", str(target), "-"], check=True, capture_output=True, text=True,
                                   timeout=60).stdout.split())
    assert "Questions asked 3" in text and "Answered rate 67%" in text and "Policies overdue for review 2" in text
    bad_term = runner.invoke(app, ["governors-report", "--org", ORG, "--term", "winter-2026"])
    assert bad_term.exit_code == 2 and "autumn-2026" in bad_term.output
    assert runner.invoke(app, ["governors-report", "--org", "nowhere", "-o", str(tmp_path / "x.pdf")]).exit_code == 2
    assert not (tmp_path / "x.pdf").exists()
