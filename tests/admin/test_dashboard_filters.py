"""The dashboard's filters, drill-down, per-policy trends and the governors' report button, over HTTP: the
filters combine, live in the address and the CSV export honours them; a drill-down lists the questions
behind a policy or clause as the log keeps them (redacted, no asker) with their feedback."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from bot.core.models import Question
from bot.storage.tables import Feedback, LogEntry
from tests.admin.conftest import NOW, Server, sign_in
from tests.conftest import logged_entries

ORG = "stone-bay-school"
SOCIAL = "Social Media Policy"
# (days ago, channel, policy, section, answered, helpful, comment)
ROWS = [
    (1, "slack", SOCIAL, "Personal use", True, True, None),
    (2, "slack", SOCIAL, "Personal use", True, False, "did not say what to do about old pupils"),
    (3, "web", SOCIAL, "Contact with pupils", True, None, None),
    (4, "teams", SOCIAL, "Contact with pupils", False, None, None),
    (5, "slack", "Staff Handbook", "Dress", True, None, None),
    (9, "telegram", None, None, False, None, None),
    (100, "slack", SOCIAL, "Personal use", True, None, None),  # the summer term: outside autumn-2026
]


def _fill(server: Server) -> None:
    with server.runtime.db.begin() as session:
        for i, (days, channel, doc, section, answered, helpful, comment) in enumerate(ROWS):
            at = NOW - timedelta(days=days)
            session.add(LogEntry(id=f"row{i}", asked_at=at, week=(at - timedelta(days=at.weekday())).date(), org=ORG,
                                 channel=channel, asker=f"asker-hash-{i}", question=f"filtered question number {i}?",
                                 answered=answered, flagged=False, top_document=doc, top_section=section))
            if helpful is not None:
                session.add(Feedback(entry_id=f"row{i}", org=ORG, helpful=helpful, comment=comment, given_at=at))
        at = NOW - timedelta(days=1)
        session.add(LogEntry(id="flagged0", asked_at=at, week=(at - timedelta(days=at.weekday())).date(), org=ORG,
                             channel="slack", asker="x", question="a flagged question about a child", answered=True,
                             flagged=True, flag_reason="test", top_document=SOCIAL, top_section="Personal use"))


def _count(page: str, marker: str) -> str:
    start = page.index(f'id="{marker}">') + len(f'id="{marker}">')
    return page[start:page.index("<", start)]


def _export_link(page: str) -> str:
    start = page.index('id="export-link" href="') + len('id="export-link" href="')
    return page[start:page.index('"', start)].replace("&amp;", "&")


def test_filters_combine_live_in_the_address_and_the_export_honours_them(server: Server) -> None:
    _fill(server)
    sign_in(server.client, ORG, "head@stonebay.example")
    assert _count(server.client.get("/slt/").text, "asked") == "7"  # the default 12 weeks, the flagged one too
    params = {"channel": "slack", "answered": "yes", "policy": SOCIAL, "since": "2026-09-01"}
    page = server.client.get("/slt/", params=params).text
    assert _count(page, "asked") == "3"  # rows 0 and 1 (Slack, answered, the policy, since September), flagged0
    link = _export_link(page)
    assert urlsplit(link).path == "/slt/export.csv"
    assert {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()} == params
    assert 'value="slack" selected' in page and 'value="yes" selected' in page
    rows = list(csv.DictReader(io.StringIO(server.client.get(link).text)))  # the flagged one is the DSL's
    assert sorted(r["question"] for r in rows) == ["filtered question number 0?", "filtered question number 1?"]
    unanswered = server.client.get("/slt/export.csv", params={"answered": "no", "since": "2026-09-01"}).text
    assert sorted(r["question"] for r in csv.DictReader(io.StringIO(unanswered))) == [
        "filtered question number 3?", "filtered question number 5?"]
    until = server.client.get("/slt/", params={"since": "2026-11-15", "until": "2026-11-18"}).text
    assert _count(until, "asked") == "3"  # 3, 4 and 5 days before 21 November


def test_a_term_replaces_the_dates_and_bad_values_are_dropped_without_being_echoed(server: Server) -> None:
    _fill(server)
    sign_in(server.client, ORG, "head@stonebay.example")
    autumn = server.client.get("/slt/", params={"term": "autumn-2026", "since": "2026-01-01"}).text
    assert _count(autumn, "asked") == "7" and 'id="term-span"' in autumn
    assert "1 September 2026 to 31 December 2026" in autumn
    assert "term=autumn-2026" in _export_link(autumn) and "since=" not in _export_link(autumn)
    summer = server.client.get("/slt/", params={"term": "summer-2026"}).text
    assert _count(summer, "asked") == "1"  # row 6, 100 days back: 13 August
    bad = server.client.get("/slt/", params={"term": "evil.example", "channel": "fax<b>", "answered": "maybe",
                                             "policy": "Type your password at evil.example"})
    assert bad.status_code == 200 and "evil.example" not in bad.text and "fax" not in bad.text
    assert "That is not a term" in bad.text and "Unknown channel" in bad.text and "not one of your school" in bad.text
    assert _count(bad.text, "asked") == "7"  # every filter dropped: the default period
    for until in ("9999-12-31", "2026-11-21", "2001-01-01", "2026-02-30"):
        page = server.client.get("/slt/", params={"until": until})
        assert page.status_code == 200 and _count(page.text, "asked") == "7", until


def test_drill_down_from_a_policy_and_a_clause_to_its_questions_and_feedback(server: Server) -> None:
    _fill(server)
    sign_in(server.client, ORG, "dsl@stonebay.example")  # the DSL: flagged questions still stay out of it
    home = server.client.get("/slt/", params={"since": "2026-09-01"}).text
    trends = home.split('id="trends"')[1].split("</section>")[0]
    assert SOCIAL in trends and "Staff Handbook" in trends
    start = trends.index('href="/slt/questions?') + len('href="')
    drill = server.client.get(trends[start:trends.index('"', start)].replace("&amp;", "&")).text
    assert _count(drill, "drill-title").startswith(SOCIAL)
    assert _count(drill, "drill-asked") == "4" and _count(drill, "drill-rate") == "75%"  # rows 0-3
    assert (_count(drill, "drill-helpful"), _count(drill, "drill-not-helpful")) == ("1", "1")
    listed = drill.split('id="questions"')[1]
    assert [f"filtered question number {i}?" in listed for i in range(7)] == [True] * 4 + [False] * 3
    assert "did not say what to do about old pupils" in listed  # the feedback's comment, beside its question
    assert "a flagged question" not in drill and "asker-hash" not in drill
    sections = drill.split('id="sections"')[1].split("</section>")[0]
    start = sections.index('href="/slt/questions?') + len('href="')
    clause = server.client.get(sections[start:sections.index('"', start)].replace("&amp;", "&")).text
    assert _count(clause, "drill-section") in ("Personal use", "Contact with pupils")
    section = _count(clause, "drill-section")
    expected = {i for i, r in enumerate(ROWS[:6]) if r[3] == section}
    assert {i for i in range(7) if f"filtered question number {i}?" in clause} == expected
    assert server.client.get("/slt/questions", params={"policy": SOCIAL, "section": "evil"}).text.count(
        "not one of the policy") == 1
    assert server.client.get("/slt/questions", follow_redirects=False).status_code == 303  # no policy: the home page


def test_the_drill_down_shows_questions_as_the_log_redacted_them(server: Server) -> None:
    answer = server.runtime.service.answer(Question(
        "Can staff use their personal social media accounts to contact learners? Email jo.bloggs@example.com", ORG, channel="web", user="u9"))
    [entry] = [e for e in logged_entries(server.runtime.settings.database_url) if e.id == answer.log_id]
    assert "jo.bloggs@example.com" not in entry.question and entry.top_document
    sign_in(server.client, ORG, "head@stonebay.example")
    drill = server.client.get("/slt/questions", params={"policy": entry.top_document}).text
    assert "jo.bloggs@example.com" not in drill and "personal social media accounts to contact learners" in drill
    assert entry.asker not in drill


def test_a_long_period_is_charted_by_month_on_a_phone(server: Server) -> None:
    _fill(server)
    sign_in(server.client, ORG, "head@stonebay.example")
    page = server.client.get("/slt/", params={"since": "2026-01-05"}).text
    wide = page.split('<svg class="chart wide" data-chart="Questions per week"')[1].split("</svg>")[0]
    narrow = page.split('<svg class="chart narrow" data-chart="Questions per week"')[1].split("</svg>")[0]
    assert wide.count('<rect class="bar"') == 46 and narrow.count('<rect class="bar"') == 11  # Jan..Nov
    assert "per month" in page.split('id="trends"')[1].split("</section>")[0]


def test_the_governors_report_button_downloads_the_terms_pdf(server: Server) -> None:
    _fill(server)
    assert server.client.get("/slt/governors.pdf?term=autumn-2026", follow_redirects=False).status_code == 303
    sign_in(server.client, ORG, "head@stonebay.example")
    page = server.client.get("/slt/").text
    assert 'action="/slt/governors.pdf"' in page and '<option value="autumn-2026"' in page
    pdf = server.client.get("/slt/governors.pdf", params={"term": "autumn-2026"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and "governors-autumn-2026.pdf" in pdf.headers["content-disposition"]
    bad = server.client.get("/slt/governors.pdf", params={"term": "evil"})
    assert "needs a term" in bad.text and "evil" not in bad.text.split('id="notice"')[1].split("</p>")[0]
