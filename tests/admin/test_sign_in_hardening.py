"""The dashboard's sign-in and sessions under attack: failed sign-ins limited per client (an attacker
elsewhere never locks the real member out), the school found from the e-mail, sessions that end at sign-out
or a password change wherever the cookie was copied, and `?since=` that cannot make a huge page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.testclient import TestClient

from bot.admin import auth, dashboard, queries
from bot.config import Settings
from bot.reading.corpus import load_org
from bot.storage.tables import Feedback, LogEntry, SignInFailure, SltSession
from tests.admin.conftest import NOW, PASSWORD, Server, csrf_of, sign_in

HEAD, DSL = "head@stonebay.example", "dsl@stonebay.example"


def client_at(server: Server, address: str) -> TestClient:
    """Another browser, connecting from *address* (its own cookies)."""
    return TestClient(server.client.app, base_url="http://testserver", client=(address, 50000))


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password the sign-in actually checks (argon2), in order."""
    checked: list[str] = []
    real = auth._verify

    def spy(digest: str, password: str) -> bool:
        checked.append(password)
        return real(digest, password)

    monkeypatch.setattr(auth, "_verify", spy)
    yield checked


# --- 1. Failed sign-ins: per client, per (account, client), and a per-account ceiling ---------------

def test_one_client_guessing_across_accounts_is_stopped_without_checking_its_password(
        server: Server, verified: list[str]) -> None:
    attacker = client_at(server, "203.0.113.7")
    targets = [HEAD, DSL, "bursar@stonebay.example", "nobody@stonebay.example"]
    for i in range(auth.Limits().per_client):  # 10 guesses over 4 accounts: under each account's own limit
        assert sign_in(attacker, "stone-bay-school", targets[i % 4], f"guess number {i}").status_code == 401
    refused = sign_in(attacker, "stone-bay-school", HEAD, PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert "Too many failed sign-ins from this computer or network" in refused.text
    assert "paused for 15 minutes" in refused.text and refused.headers["retry-after"] == "900"
    assert PASSWORD not in verified and len(verified) == 10  # the refused attempt checked nothing
    assert sign_in(server.client, "stone-bay-school", HEAD).status_code == 303  # the real member, elsewhere


def test_an_attacker_failing_at_one_account_does_not_lock_its_member_out(server: Server) -> None:
    attacker = client_at(server, "198.51.100.20")
    for i in range(auth.Limits().per_account_client):
        assert sign_in(attacker, "stone-bay-school", HEAD, f"wrong guess {i}").status_code == 401
    locked = sign_in(attacker, "stone-bay-school", HEAD, PASSWORD)
    assert locked.status_code == 429 and "to this account from here" in locked.text
    assert sign_in(attacker, "stone-bay-school", DSL, "another wrong guess").status_code == 401  # other accounts: counted per client
    ok = sign_in(server.client, "stone-bay-school", HEAD)  # the member, from their own computer
    assert ok.status_code == 303 and "Jane Hatwell" in server.client.get("/slt/").text


def test_guessing_from_many_addresses_hits_a_ceiling_that_spares_the_members_own_browser(server: Server) -> None:
    member = client_at(server, "192.0.2.10")
    assert sign_in(member, "stone-bay-school", HEAD).status_code == 303  # this browser is now recognised
    member.post("/slt/logout", data={"csrf": csrf_of(member.get("/slt/").text)})
    ceiling = auth.Limits().per_account
    for i in range(ceiling):  # one guess from each of 30 addresses: no client is over its own limits
        assert sign_in(client_at(server, f"198.18.0.{i + 1}"), "stone-bay-school", HEAD, f"guess {i}").status_code == 401
    stranger = sign_in(client_at(server, "198.18.1.1"), "stone-bay-school", HEAD, PASSWORD)
    assert stranger.status_code == 429 and "from elsewhere" in stranger.text  # a new browser waits
    assert sign_in(member, "stone-bay-school", HEAD).status_code == 303  # the member's own does not
    assert sign_in(client_at(server, "198.18.1.2"), "stone-bay-school", DSL).status_code == 303  # other accounts unaffected


def test_failures_count_for_their_window_then_are_forgiven(server: Server) -> None:
    now = [NOW]
    sign = auth.SignIn(server.runtime.db, lambda: now[0])
    org = load_org(server.corpus / "stone-bay-school")
    who = auth.attempt("stone-bay-school", HEAD, "203.0.113.50", None)
    for _ in range(5):
        with pytest.raises(auth.AccessDenied):
            sign.check(org, who, "not the password")
    now[0] = NOW + timedelta(minutes=10)
    with pytest.raises(auth.TooManyAttempts) as refused:
        sign.check(org, who, PASSWORD)
    assert refused.value.retry_after_s == 300 and "5 minutes" in str(refused.value)
    now[0] = NOW + timedelta(minutes=15, seconds=1)
    assert sign.check(org, who, PASSWORD).email == HEAD
    with server.runtime.db() as session:  # success forgave this client's failures at this account
        assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def test_the_client_is_the_connecting_address_unless_a_trusted_proxy_forwarded_it() -> None:
    proxies = auth.trusted_networks("10.0.0.0/24, ::1")
    assert auth.client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy: header ignored
    assert auth.client_address("10.0.0.5", "203.0.113.9", proxies) == "203.0.113.9"
    # What the client wrote itself is left of what the proxy added: a forged first hop changes nothing.
    assert auth.client_address("10.0.0.5", "6.6.6.6, 203.0.113.9", proxies) == "203.0.113.9"
    assert auth.client_address("::1", "203.0.113.9, 10.0.0.7", proxies) == "203.0.113.9"  # two proxies
    assert auth.client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    assert auth.client_address("10.0.0.5", "1.2.3.4", ()) == "10.0.0.5"  # no setting: no header believed
    with pytest.raises(ValueError):
        Settings(trusted_proxies="10.0.0.0/24, the proxy")


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(server: Server) -> None:
    server.runtime.settings.trusted_proxies = "10.0.0.1"
    app = dashboard.routes(server.runtime)  # the setting is read when the routes are made
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware

    proxied = Starlette(routes=app, middleware=[Middleware(SessionMiddleware, secret_key="k", session_cookie="policybot_slt")])
    attacker = TestClient(proxied, client=("10.0.0.1", 1), headers={"X-Forwarded-For": "203.0.113.66"})
    member = TestClient(proxied, client=("10.0.0.1", 2), headers={"X-Forwarded-For": "192.0.2.44"})
    for i in range(12):
        sign_in(attacker, "stone-bay-school", [HEAD, DSL][i % 2], f"guess {i}")
    assert sign_in(attacker, "stone-bay-school", HEAD).status_code == 429
    assert sign_in(member, "stone-bay-school", HEAD).status_code == 303  # same proxy, another client
    spoofer = TestClient(proxied, client=("203.0.113.66", 3), headers={"X-Forwarded-For": "192.0.2.99"})
    assert sign_in(spoofer, "stone-bay-school", HEAD).status_code == 429  # not a proxy: its header is not believed


def test_a_non_ascii_form_token_is_a_400_not_a_crash(server: Server) -> None:
    server.client.get("/slt/login")
    bad = server.client.post("/slt/login", data={"csrf": "é forged", "org": "stone-bay-school", "email": HEAD,
                                                 "password": PASSWORD})
    assert bad.status_code == 400


# --- 2. Which school ----------------------------------------------------------------------------------

def test_with_two_schools_none_is_chosen_silently(server: Server) -> None:
    page = server.client.get("/slt/login").text
    chooser = page.split('<select name="org"')[1].split("</select>")[0]
    assert '<option value="" selected>Choose your school</option>' in chooser
    assert chooser.count(" selected") == 1  # no school preselected


def test_the_e_mail_finds_the_school_when_none_or_the_wrong_one_is_chosen(server: Server) -> None:
    assert sign_in(server.client, "", HEAD).status_code == 303
    assert "Stone Bay School" in server.client.get("/slt/").text
    other = client_at(server, "192.0.2.30")
    assert sign_in(other, "stone-bay-school", "head@nextsteps.example").status_code == 303  # picked the wrong one
    page = other.get("/slt/").text
    assert "Pat Leader" in page and "Stone Bay" not in page  # their own school, never the one picked
    stranger = client_at(server, "192.0.2.31")
    assert sign_in(stranger, "next-steps-ed", HEAD, "wrong password!!").status_code == 401  # still the password


def test_someone_on_two_schools_lists_must_choose(server: Server, verified: list[str]) -> None:
    org_file = server.corpus / "next-steps-ed" / "org.yaml"
    org_file.write_text(org_file.read_text().replace("head@nextsteps.example", HEAD))
    auth.set_password(server.runtime.db, load_org(org_file.parent), HEAD, "next steps password", NOW)
    unsure = sign_in(server.client, "", HEAD)
    assert unsure.status_code == 400 and "Choose your school" in unsure.text and verified == []
    assert sign_in(server.client, "", "nobody@nowhere.example").status_code == 400
    assert sign_in(server.client, "next-steps-ed", HEAD, PASSWORD).status_code == 401  # Stone Bay's password
    assert sign_in(server.client, "next-steps-ed", HEAD, "next steps password").status_code == 303
    assert "Next Steps" in server.client.get("/slt/").text


def test_the_school_last_signed_in_to_is_offered_first(server: Server) -> None:
    browser = client_at(server, "192.0.2.40")
    sign_in(browser, "next-steps-ed", "head@nextsteps.example")
    browser.post("/slt/logout", data={"csrf": csrf_of(browser.get("/slt/").text)})
    chooser = browser.get("/slt/login").text.split('<select name="org"')[1].split("</select>")[0]
    assert '<option value="next-steps-ed" selected>' in chooser and '<option value="" selected>' not in chooser
    forged = client_at(server, "192.0.2.41")
    forged.cookies.set(auth.DeviceCookies.NAME, "bmV4dC1zdGVwcy1lZApoZWFkCjA=.bad", path="/slt")
    assert '<option value="" selected>' in forged.get("/slt/login").text  # a forged one is ignored


# --- 3. Server-side sessions -------------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_does_not_work_after_it(server: Server) -> None:
    sign_in(server.client, "stone-bay-school", HEAD)
    copied = server.client.cookies.get("policybot_slt")
    thief = client_at(server, "203.0.113.80")
    thief.cookies.set("policybot_slt", copied)
    assert thief.get("/slt/", follow_redirects=False).status_code == 200  # a copy works while signed in
    server.client.post("/slt/logout", data={"csrf": csrf_of(server.client.get("/slt/").text)})
    assert thief.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"
    assert thief.get("/slt/export.csv", follow_redirects=False).status_code == 303
    with server.runtime.db() as session:
        assert session.scalar(select(func.count()).select_from(SltSession)) == 0


def test_a_password_change_ends_the_members_sessions_only(server: Server) -> None:
    sign_in(server.client, "stone-bay-school", HEAD)
    dsl = client_at(server, "192.0.2.50")
    sign_in(dsl, "stone-bay-school", DSL)
    auth.set_password(server.runtime.db, load_org(server.corpus / "stone-bay-school"), HEAD, "a brand new password", NOW)
    assert server.client.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"
    assert dsl.get("/slt/", follow_redirects=False).status_code == 200


def test_a_session_ends_after_a_working_day_and_is_purged(server: Server) -> None:
    now = [NOW]
    sessions = auth.Sessions(server.runtime.db, lambda: now[0])
    token = sessions.start("stone-bay-school", HEAD)
    assert sessions.find(token) == auth.SignedIn("stone-bay-school", HEAD)
    assert sessions.find(token + "x") is None
    now[0] = NOW + timedelta(hours=auth.SESSION_HOURS)
    assert sessions.find(token) is None
    old = auth.Sessions(server.runtime.db, lambda: NOW - timedelta(hours=9)).start("stone-bay-school", DSL)
    with server.runtime.db.begin() as session:
        session.add(SignInFailure(at=NOW - timedelta(hours=2), client="x", org="o", email="e", recognised=False))
        session.add(SignInFailure(at=NOW - timedelta(minutes=1), client="y", org="o", email="e", recognised=False))
    server.runtime.purge()  # the server's hourly chore (its clock is NOW)
    with server.runtime.db() as session:
        assert session.get(SltSession, auth._hash(old)) is None
        assert session.get(SltSession, auth._hash(token)) is not None  # expires at NOW + 8 h
        assert session.scalars(select(SignInFailure.client)).all() == ["y"]


def test_a_validly_signed_cookie_without_a_session_record_signs_no_one_in(server: Server) -> None:
    """What every cookie was before session records: signed, naming a member, and now worthless."""
    import base64
    import hashlib
    import hmac
    import json

    import itsdangerous

    from bot import wiring

    key = hmac.new(wiring.secret_key(server.runtime.settings), b"dashboard sessions", hashlib.sha256).hexdigest()
    data = base64.b64encode(json.dumps({"org": "stone-bay-school", "email": HEAD, "csrf": "x"}).encode())
    server.client.cookies.set("policybot_slt", itsdangerous.TimestampSigner(key).sign(data).decode())
    assert server.client.get("/slt/", follow_redirects=False).headers["location"] == "/slt/login"


# --- 4. The period and the page's size ---------------------------------------------------------------

def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/slt/", "query_string": query.encode(), "headers": []})


def test_since_is_clamped_to_what_the_log_keeps_and_two_years() -> None:
    since, problem = dashboard._since(_request("since=0001-01-01"), NOW, 365, 365)
    assert since == datetime(2025, 11, 21, tzinfo=timezone.utc)
    assert problem == "Showing from 21 November 2025, not 1 January 1: the log keeps entries for 365 days."
    since, problem = dashboard._since(_request("since=2019-05-01"), NOW, dashboard.MAX_PAGE_DAYS, 3650)
    assert since.date().isoformat() == "2024-11-20" and problem is not None and "at most two years" in problem
    since, problem = dashboard._since(_request("since=9999-12-31"), NOW, 365, 365)
    assert since == datetime(2026, 11, 21, tzinfo=timezone.utc) and problem is not None and "future" in problem
    assert dashboard._since(_request("since=2026-10-01"), NOW, 365, 365) == (
        datetime(2026, 10, 1, tzinfo=timezone.utc), None)
    _, problem = dashboard._since(_request("since=evil.example"), NOW, 365, 365)
    assert problem is not None and "evil" not in problem  # never echoes the link's words


def _fill_log(server: Server, count: int, org: str = "stone-bay-school") -> None:
    """*count* unanswered questions, four a day back from NOW, each marked not helpful, half of them flagged."""
    with server.runtime.db.begin() as session:
        for i in range(count):
            at = NOW - timedelta(hours=i * 6)
            session.add(LogEntry(id=f"bulk{i:05d}", asked_at=at, week=(at - timedelta(days=at.weekday())).date(),
                                 org=org, channel="web", asker=f"a{i}", question=f"bulk question number {i}?",
                                 answered=False, flagged=i % 2 == 0, flag_reason="test" if i % 2 == 0 else None))
            session.add(Feedback(entry_id=f"bulk{i:05d}", org=org, helpful=False, comment=f"c{i}", given_at=at))


def test_since_0001_makes_a_bounded_page_with_every_list_bounded(server: Server) -> None:
    _fill_log(server, 1200)  # 300 days: 600 unflagged gaps, 600 flagged
    sign_in(server.client, "stone-bay-school", DSL)
    page = server.client.get("/slt/", params={"since": "0001-01-01"})
    assert page.status_code == 200 and len(page.content) < 2_000_000
    assert "Showing from 21 November 2025, not 1 January 1" in page.text
    assert 'value="2025-11-21"' in page.text  # the form and the export link carry the clamped date
    assert page.text.count('<rect class="bar"') <= 2 * (54 + 14)  # two charts, a year of weeks (months on a phone)
    gaps = page.text.split('id="gaps"')[1].split("</section>")[0]
    assert 'id="gaps-capped"' in gaps and gaps.count('name="entry"') <= queries.MAX_OPEN_GAPS
    helpful = page.text.split('id="not-helpful"')[1].split("</section>")[0]
    assert helpful.count("<tr>") == 1 + 50  # header + at most 50
    flagged = page.text.split('id="flagged"')[1].split("</section>")[0]
    assert flagged.count("<tr>") == 1 + 100


def test_the_export_streams_every_entry_the_log_keeps_once(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "CSV_PAGE", 64)  # many pages, including ties of asked_at between pages
    _fill_log(server, 300)
    with server.runtime.db.begin() as session:  # same moment for several entries: the id breaks the tie
        for i in range(10):
            session.add(LogEntry(id=f"tie{i:02d}", asked_at=NOW - timedelta(days=5), week=NOW.date(), org="stone-bay-school",
                                 channel="web", asker="t", question=f"tied {i}", answered=True, flagged=False))
    sign_in(server.client, "stone-bay-school", HEAD)  # not the DSL: flagged ones left out
    export = server.client.get("/slt/export.csv", params={"since": "0001-01-01"})
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("asked_at,channel") and export.headers["cache-control"] == "no-store"
    questions = [line.split(",")[3] for line in lines[1:]]
    assert len(questions) == len(set(questions)) == 150 + 10
    assert "policybot-stone-bay-school-2025-11-21.csv" in export.headers["content-disposition"]


def test_sign_in_with_the_database_down_is_a_503_not_a_crash(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    def down(_self: auth.SignIn, _who: auth.Attempt) -> int:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(auth.SignIn, "_claim", down)
    refused = sign_in(server.client, "stone-bay-school", HEAD)
    assert refused.status_code == 503 and "cannot reach its database" in refused.text
