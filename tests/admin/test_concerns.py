"""Safeguarding concerns on the dashboard, for the DSL and deputies only: who raised each (every opening
recorded), new -> seen -> followed up with notes, nothing for anyone else or any other school; kept for
their own, longer retention period. On SQLite and on PostgreSQL (the `server` fixture)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import Question
from bot.storage import concerns, retention
from bot.storage.concerns import SqlConcerns
from tests.admin.conftest import NOW, Server, csrf_of, sign_in

CONCERN = "A pupil told me her stepdad hits her, what do I do?"


def _raise(server: Server, org: str = "stone-bay-school", user: str = "slack:T1:U42", name: str = "Sam Teacher") -> str:
    answer = server.runtime.service.answer(Question(CONCERN, org, channel="slack", user=user, user_name=name))
    assert answer.urgent and answer.log_id
    return answer.log_id


def test_a_flagged_question_becomes_a_concern_only_the_dsl_can_open(server: Server) -> None:
    concern_id = _raise(server)
    sign_in(server.client, "stone-bay-school", "head@stonebay.example")  # SLT, not the DSL
    assert server.client.get("/slt/concerns").status_code == 403
    assert server.client.get(f"/slt/concerns/{concern_id}").status_code == 403
    head_page = server.client.get("/slt/").text
    server.client.post("/slt/logout", data={"csrf": csrf_of(head_page)})

    sign_in(server.client, "stone-bay-school", "dsl@stonebay.example")
    listing = server.client.get("/slt/concerns")
    assert listing.status_code == 200 and concern_id in listing.text and "new (1)" in listing.text
    assert "Sam Teacher" not in listing.text  # who raised it only on the concern itself, where opening is recorded
    page = server.client.get(f"/slt/concerns/{concern_id}")
    assert page.status_code == 200 and "Sam Teacher (slack:T1:U42)" in page.text and "stepdad" in page.text
    assert page.headers["cache-control"] == "no-store"
    views = SqlConcerns(server.runtime.db).open("stone-bay-school", concern_id, "test")
    assert views is not None and [(v.viewer, v.action) for v in views[1]][0] == (
        "Martyn Nash <dsl@stonebay.example>", "viewed")


def test_the_dsl_marks_a_concern_seen_then_followed_up_with_notes(server: Server) -> None:
    concern_id = _raise(server)
    sign_in(server.client, "stone-bay-school", "dsl@stonebay.example")
    page = server.client.get(f"/slt/concerns/{concern_id}").text
    forged = server.client.post(f"/slt/concerns/{concern_id}", data={"csrf": "forged", "status": "seen"})
    assert forged.status_code == 403
    saved = server.client.post(f"/slt/concerns/{concern_id}", follow_redirects=False,
                               data={"csrf": csrf_of(page), "status": "seen", "note": "Spoke to Sam at 10:15."})
    assert saved.status_code == 303
    server.client.post(f"/slt/concerns/{concern_id}", data={"csrf": csrf_of(page), "status": "followed_up",
                                                            "note": "Referred to children's social care."})
    row, views = SqlConcerns(server.runtime.db).open("stone-bay-school", concern_id, "test") or (None, [])
    assert row is not None and row.status == "followed_up"
    assert row.seen_by == row.followed_up_by == "Martyn Nash <dsl@stonebay.example>"
    assert "Spoke to Sam at 10:15." in (row.note or "") and "social care" in (row.note or "")
    assert [v.action for v in views][:4] == ["viewed", "seen", "followed_up", "viewed"]
    bad = server.client.post(f"/slt/concerns/{concern_id}", data={"csrf": csrf_of(page), "status": "new"})
    assert bad.status_code == 400  # never back to new
    assert "followed up (1)" in server.client.get("/slt/concerns").text


def test_another_schools_concern_is_not_found(server: Server) -> None:
    theirs = _raise(server, org="next-steps-ed")
    sign_in(server.client, "stone-bay-school", "dsl@stonebay.example")
    assert server.client.get(f"/slt/concerns/{theirs}").status_code == 404
    assert theirs not in server.client.get("/slt/concerns").text
    page = server.client.get("/slt/").text
    assert server.client.post(f"/slt/concerns/{theirs}", data={"csrf": csrf_of(page), "status": "seen"}).status_code == 404
    assert SqlConcerns(server.runtime.db).open("stone-bay-school", theirs, "x") is None


def test_concerns_outlive_the_question_log_and_then_go_too(server: Server) -> None:
    concern_id = _raise(server)
    later = NOW + timedelta(days=400)  # past the log's 365 days, within the concerns' seven years
    retention.purge(server.runtime.db, {"stone-bay-school": 365}, later)
    assert concerns.purge(server.runtime.db, {"stone-bay-school": 2555}, later) == {}
    assert SqlConcerns(server.runtime.db).open("stone-bay-school", concern_id, "x") is not None
    assert concerns.purge(server.runtime.db, {"stone-bay-school": 2555}, NOW + timedelta(days=2556)) == {
        "stone-bay-school": 1}
    assert SqlConcerns(server.runtime.db).open("stone-bay-school", concern_id, "x") is None


def test_a_concern_not_marked_seen_is_due_again_and_a_seen_one_is_not(server: Server) -> None:
    first, second = _raise(server), _raise(server, user="slack:T1:U43")
    store = SqlConcerns(server.runtime.db, clock=lambda: NOW + timedelta(minutes=31))
    assert {r.id for r in store.due_for_reminder(30)} == {first, second}
    store.update("stone-bay-school", second, "Martyn Nash", "seen", None)
    assert [r.id for r in store.due_for_reminder(30)] == [first]
    store.alerted(first)
    assert store.due_for_reminder(30) == []
