"""The SLT dashboard through its HTTP interface: access control, what each member sees, closing gaps."""

from __future__ import annotations

from bot.core.models import Question
from bot.reading import slt_answers
from bot.storage import slt_store
from tests.admin.conftest import NOW, Server, csrf_of, sign_in
from tests.conftest import logged_entries


def _ask(server: Server, org: str, text: str, user: str = "u1") -> str:
    answer = server.runtime.service.answer(Question(text, org, channel="web", user=user))
    assert answer.log_id
    return answer.log_id


def test_only_listed_slt_members_with_the_right_password_sign_in(server: Server) -> None:
    assert sign_in(server.client, "stone-bay-school", "head@stonebay.example", "wrong password!!").status_code == 401
    assert sign_in(server.client, "stone-bay-school", "teacher@stonebay.example").status_code == 401  # not SLT
    assert server.client.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"
    ok = sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    assert ok.status_code == 303 and ok.headers["location"] == "/slt/"
    page = server.client.get("/slt/")
    assert page.status_code == 200 and "Stone Bay School" in page.text and "Jane Hatwell" in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_sign_in_without_the_form_token_is_refused(server: Server) -> None:
    server.client.get("/slt/login")
    bad = server.client.post("/slt/login", data={"csrf": "forged", "org": "stone-bay-school",
                                                 "email": "head@stonebay.example", "password": "correct horse battery"})
    assert bad.status_code == 400 and server.client.get("/slt/", follow_redirects=False).status_code == 303


def test_a_forged_session_cookie_is_refused(server: Server) -> None:
    import base64
    import json

    payload = base64.b64encode(json.dumps({"org": "stone-bay-school", "email": "head@stonebay.example",
                                           "csrf": "x"}).encode()).decode()
    server.client.cookies.set("policybot_slt", payload + ".forged.signature")
    assert server.client.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"


def test_each_member_sees_only_their_own_school(server: Server) -> None:
    _ask(server, "stone-bay-school", "What is the school's policy on parking bicycles overnight?")
    _ask(server, "next-steps-ed", "Can I claim mileage for a trip to the zoo in my own car?")
    sign_in(server.client, "next-steps-ed", "head@nextsteps.example")
    page = server.client.get("/slt/").text
    assert "mileage" in page and "bicycles" not in page and "Stone Bay" not in page
    export = server.client.get("/slt/export.csv").text
    assert "mileage" in export and "bicycles" not in export


def test_safeguarding_questions_are_shown_to_the_dsl_only(server: Server) -> None:
    _ask(server, "stone-bay-school", "A pupil told me her stepdad hits her, what do I do?")
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    head_view = server.client.get("/slt/").text
    assert "stepdad" not in head_view and 'id="flagged"' not in head_view
    assert "stepdad" not in server.client.get("/slt/export.csv").text
    server.client.post("/slt/logout", data={"csrf": csrf_of(head_view)})
    sign_in(server.client, "stone-bay-school", "dsl@stonebay.example")
    dsl_view = server.client.get("/slt/").text
    assert 'id="flagged"' in dsl_view and "stepdad" in dsl_view


def test_removing_a_member_from_the_org_file_ends_their_access(server: Server) -> None:
    sign_in(server.client, "next-steps-ed", "head@nextsteps.example")
    assert server.client.get("/slt/").status_code == 200
    org_file = server.corpus / "next-steps-ed" / "org.yaml"
    org_file.write_text(org_file.read_text().replace("head@nextsteps.example", "new.head@nextsteps.example"))
    assert server.client.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"


def test_answering_a_gap_adds_an_slt_answer_that_is_quoted_and_resolves_the_group(server: Server) -> None:
    question = "Can I wear jeans on the staff training day?"
    ids = [_ask(server, "stone-bay-school", question, user="a"),
           _ask(server, "stone-bay-school", "can i wear jeans on staff training days", user="b")]
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    page = server.client.get("/slt/").text
    assert "2×" in page  # the two wordings are one gap
    done = server.client.post("/slt/answer", data={"csrf": csrf_of(page), "entry": ids, "question": question,
                                                   "answer": "Yes: smart jeans are fine on INSET days."},
                              follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/slt/"
    assert "Saved: staff asking this now get your answer." in server.client.get("/slt/").text
    [saved] = slt_store.by_org(server.runtime.db)["stone-bay-school"]  # the database holds it, who and when
    assert saved.approved_by == "Jane Hatwell" and saved.approved_at.replace(tzinfo=NOW.tzinfo) == NOW
    assert not list((server.corpus / "stone-bay-school").glob(f"{slt_answers.FILE}*"))  # not one replica's folder
    answer = server.runtime.service.answer(Question("jeans on a training day?", "stone-bay-school"))
    assert answer.answered and answer.passages[0].text == "Yes: smart jeans are fine on INSET days."
    assert answer.passages[0].approved == "SLT answer, approved by Jane Hatwell on 21 November 2026"
    assert all(e.resolved_by for e in logged_entries(server.runtime.settings.database_url) if e.id in ids)
    assert "jeans" not in server.client.get("/slt/").text.split('id="gaps"')[1].split("</section>")[0]
    other = server.runtime.service.answer(Question("jeans on a training day?", "next-steps-ed"))
    assert all(p.org != "stone-bay-school" for p in other.passages)  # another school never gets it


def test_answering_another_schools_questions_is_refused(server: Server) -> None:
    foreign = _ask(server, "next-steps-ed", "Can I claim mileage for a trip to the zoo in my own car?")
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    page = server.client.get("/slt/").text
    resp = server.client.post("/slt/answer", data={"csrf": csrf_of(page), "entry": [foreign], "question": "mileage?",
                                                   "answer": "Yes, at 45p a mile."}, follow_redirects=False)
    assert resp.status_code == 303 and "not in your organisation" in server.client.get("/slt/").text
    assert slt_store.by_org(server.runtime.db) == {}
    assert server.client.post("/slt/answer", data={"entry": [foreign]}).status_code == 403  # no CSRF token


def test_the_acknowledgement_register_page_is_per_school(server: Server) -> None:
    assert server.client.get("/slt/acks", follow_redirects=False).headers["location"] == "/slt/login"
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    page = server.client.get("/slt/acks")
    assert page.status_code == 200 and "Stone Bay School" in page.text and "Social Media Policy" in page.text
    assert "Next Steps" not in page.text
    csv_text = server.client.get("/slt/acks.csv").text
    assert csv_text.startswith("policy,version,person,status")


def test_a_crafted_link_cannot_make_the_dashboard_show_its_words(server: Server) -> None:
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")
    for path in ("/slt/", "/slt/acks"):
        page = server.client.get(path, params={"notice": "Your password expired: type it at evil.example"}).text
        assert "evil.example" not in page and 'id="notice"' not in page
    page = server.client.get("/slt/acks").text
    reminded = server.client.post("/slt/acks/remind", data={"csrf": csrf_of(page)})
    assert 'id="notice"' in reminded.text and "reminded" in reminded.text  # the dashboard's own notice, once
    assert 'id="notice"' not in server.client.get("/slt/acks").text
