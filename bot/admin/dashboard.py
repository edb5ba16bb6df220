"""The SLT dashboard at /slt: sign-in, the review page (filtered: bot.admin.filters), the drill-down from a
policy or clause to the questions behind it, answering gaps, CSV export, the governors' termly report.

Read-only over the log except for two actions, each CSRF-checked: signing in/out and answering a gap.
Every page is for the signed-in member's own organisation only; safeguarding-flagged questions are
shown to members marked `dsl: true` only.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot import wiring
from bot.admin import auth, filters, governors, pages, queries, terms
from bot.admin.gaps import answer_gap
from bot.admin import register_pdf
from bot.admin.register import PLATFORMS, named_raiser
from bot.admin.register import write_csv as write_register_csv
from bot.admin.report import CSV_HEADER, cell
from bot.errors import AccessDenied, PolicybotError, StorageError
from bot.reading.documents import Organisation, SltMember
from bot.runtime import Runtime
from bot.storage.concerns import STATUSES, SqlConcerns

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
DEFAULT_WEEKS = filters.DEFAULT_WEEKS
# The page covers at most about two years (and never more than the log keeps): its weekly charts stay
# readable and its work bounded. The CSV export covers everything the log keeps, streamed.
MAX_PAGE_DAYS = 731
_since = filters.since  # the period's start from ?since= (kept here by name: its tests call it so)


def routes(runtime: Runtime) -> list[Route | Mount]:
    sign_in = auth.SignIn(runtime.db, runtime.clock)
    sessions = auth.Sessions(runtime.db, runtime.clock)
    devices = auth.DeviceCookies(wiring.secret_key(runtime.settings), runtime.clock)
    proxies = auth.trusted_networks(runtime.settings.trusted_proxies)

    async def login_page(request: Request) -> Response:
        return _login(request, runtime, error=None, devices=devices)

    async def login(request: Request) -> Response:
        form = await request.form()
        email, password = str(form.get("email", ""))[:300], str(form.get("password", ""))
        typed = {"org": str(form.get("org", ""))[:100], "email": email}
        if not _csrf(request, form):
            return _login(request, runtime, "Your sign-in form expired; please try again.", 400, typed, devices)
        org = await run_in_threadpool(_school_for, runtime, typed["org"], email)
        if org is None:  # none chosen, and the e-mail does not tell which (no password was checked)
            return _login(request, runtime, "Choose your school from the list, then sign in.", 400, typed, devices)
        typed["org"] = org.slug
        cookie = request.cookies.get(auth.DeviceCookies.NAME)
        known = devices.read(cookie) == auth.SignedIn(org.slug, email.strip().lower())
        address = auth.client_address(request.client.host if request.client else None,
                                      request.headers.get("x-forwarded-for"), proxies)
        attempt = auth.attempt(org.slug, email, address, cookie if known else None)
        try:
            who = await run_in_threadpool(sign_in.check, org, attempt, password)
        except auth.TooManyAttempts as exc:
            log.warning("dashboard: sign-in refused for %s (too many failures)", org.slug)
            response = _login(request, runtime, str(exc), 429, typed, devices)
            response.headers["Retry-After"] = str(exc.retry_after_s)
            return response
        except AccessDenied as exc:
            log.info("dashboard: refused sign-in for %s", org.slug)
            return _login(request, runtime, str(exc), 401, typed, devices)
        except StorageError:
            return _no_database(request, runtime, typed, devices)
        try:
            token = await run_in_threadpool(_new_session, sessions, request.session.get("sid"), org.slug, who.email)
        except SQLAlchemyError:
            return _no_database(request, runtime, typed, devices)
        request.session.clear()  # a fresh session on sign-in: no fixation
        request.session.update({"sid": token, "org": org.slug, "email": who.email, "csrf": auth.new_csrf_token()})
        response = RedirectResponse("/slt/", status_code=303)
        response.set_cookie(auth.DeviceCookies.NAME, devices.issue(org.slug, who.email),
                            max_age=auth.DEVICE_DAYS * 86400, path="/slt", httponly=True, samesite="strict",
                            secure=runtime.settings.secure_cookies)
        return response

    async def logout(request: Request) -> Response:
        form = await request.form()
        if _csrf(request, form):
            try:
                await run_in_threadpool(sessions.end, request.session.get("sid"))  # a copy of the cookie dies too
            except SQLAlchemyError:
                log.warning("dashboard: sign-out could not delete its session record (database unreachable)")
            request.session.clear()
        return RedirectResponse("/slt/login", status_code=303)

    async def filtered(request: Request) -> tuple[SltMember, Organisation, filters.Chosen] | Response:
        """A filtered page's start: the signed-in member, their school and the filters chosen, or the
        redirect to sign in (or to the tidied address) instead."""
        who = await _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        if (tidy := _tidy(request)) is not None:
            return tidy
        org = runtime.orgs[request.session["org"]]
        chosen = await run_in_threadpool(_chosen, request, runtime, org, min(org.retention_days, MAX_PAGE_DAYS))
        return who, org, chosen

    async def home(request: Request) -> Response:
        found = await filtered(request)
        if isinstance(found, Response):
            return found
        who, org, chosen = found
        page = await run_in_threadpool(pages.home, runtime, org.slug, who, chosen)
        return _render(request, "dashboard.html", {**page, "member": who, "problems": chosen.problems,
                                                   "notice": request.session.pop("notice", None),
                                                   "csrf": request.session["csrf"]})

    async def questions(request: Request) -> Response:
        """The drill-down: from a policy, or one clause section of it, to the questions behind it."""
        found = await filtered(request)
        if isinstance(found, Response):
            return found
        who, org, chosen = found
        if chosen.filters.policy is None:
            return RedirectResponse("/slt/?" + chosen.query(), status_code=303)
        page = await run_in_threadpool(pages.drill, runtime, org.slug, chosen)
        return _render(request, "questions.html", {**page, "member": who, "problems": chosen.problems,
                                                   "csrf": request.session["csrf"]})

    async def governors_pdf(request: Request) -> Response:
        who = await _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        org = request.session["org"]
        try:
            term = terms.parse(request.query_params.get("term", "")[:40])
        except ValueError as exc:
            return _notice_then(request, "/slt/", f"The governors' report needs a term: {exc}.")
        pdf = await run_in_threadpool(governors.for_runtime, runtime, org, term)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="policybot-{org}-governors-{term.slug}.pdf"',
            "Cache-Control": "no-store"})

    async def answer(request: Request) -> Response:
        who = await _member(request, runtime)
        form = await request.form()
        if who is None or not _csrf(request, form):
            return Response("Sign in again to answer questions.", status_code=403)
        try:
            await run_in_threadpool(_answer_and_reindex, runtime, request.session["org"], who,
                                    [str(e) for e in form.getlist("entry")], str(form.get("question", "")),
                                    str(form.get("answer", "")))
        except PolicybotError as exc:
            return _notice_then(request, "/slt/", str(exc))
        return _notice_then(request, "/slt/", "Saved: staff asking this now get your answer.")

    async def export(request: Request) -> Response:
        who = await _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        org = runtime.orgs[request.session["org"]]
        chosen = await run_in_threadpool(_chosen, request, runtime, org, org.retention_days)
        name = f"policybot-{org.slug}-{chosen.term.slug if chosen.term else f'{chosen.first_day:%Y-%m-%d}'}.csv"
        # Streamed a page of entries at a time (a sync iterator: Starlette runs each step in a worker
        # thread), so a year's log never sits whole in memory.
        return StreamingResponse(_csv_chunks(runtime, org.slug, chosen.filters, who.dsl),
                                 media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"',
                                          "Cache-Control": "no-store"})

    async def acks_page(request: Request) -> Response:
        who = await _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        org = request.session["org"]
        registers = await run_in_threadpool(runtime.register, org)
        if request.url.path.endswith(".csv"):
            out = io.StringIO()
            write_register_csv(registers, out)
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="policybot-{org}-acknowledgements.csv"',
                "Cache-Control": "no-store"})
        if request.url.path.endswith(".pdf"):
            pdf = await run_in_threadpool(register_pdf.render, runtime.orgs[org].name, registers, runtime.clock())
            return Response(pdf, media_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="policybot-{org}-acknowledgements.pdf"',
                "Cache-Control": "no-store"})
        return _render(request, "acks.html", {"org": runtime.orgs[org], "member": who, "registers": registers,
                                              "csrf": request.session["csrf"],
                                              "notice": request.session.pop("notice", None)})

    async def remind(request: Request) -> Response:
        who = await _member(request, runtime)
        form = await request.form()
        if who is None or not _csrf(request, form):
            return Response("Sign in again to send reminders.", status_code=403)
        platform = str(form.get("platform", "")) or None
        if platform is not None and platform not in PLATFORMS:
            return _notice_then(request, "/slt/acks", "Nobody reminded: that is not a platform the bot is on.")
        count = await run_in_threadpool(runtime.remind_outstanding, request.session["org"], platform)
        where = f" on {PLATFORMS.get(platform, platform)}" if platform else ""
        return _notice_then(request, "/slt/acks", f"{count} people{where} will be reminded the next time they "
                                                   "write to the bot.")

    async def concerns_page(request: Request) -> Response:
        who = await _dsl(request, runtime)
        if isinstance(who, Response):
            return who
        org = request.session["org"]
        status = request.query_params.get("status") or None
        store = SqlConcerns(runtime.db, runtime.clock)
        rows = await run_in_threadpool(store.for_org, org, status if status in STATUSES else None)
        counts = await run_in_threadpool(store.counts, org)
        return _render(request, "concerns.html", {"org": runtime.orgs[org], "member": who, "rows": rows,
                                                  "counts": counts, "status": status})

    async def concern_page(request: Request) -> Response:
        who = await _dsl(request, runtime)
        if isinstance(who, Response):
            return who
        org, concern_id = request.session["org"], request.path_params["concern_id"]
        store = SqlConcerns(runtime.db, runtime.clock)
        if request.method == "POST":
            form = await request.form()
            if not _csrf(request, form):
                return Response("Sign in again to update this concern.", status_code=403)
            status = str(form.get("status", "seen"))
            if status not in STATUSES[1:]:
                return Response("Unknown status.", status_code=400)
            done = await run_in_threadpool(store.update, org, concern_id, _viewer(who), status,
                                           str(form.get("note", ""))[:4000])
            if not done:
                return Response("No such concern.", status_code=404)
            return RedirectResponse(f"/slt/concerns/{concern_id}?saved=1", status_code=303)
        found = await run_in_threadpool(store.open, org, concern_id, _viewer(who))
        if found is None:
            return Response("No such concern.", status_code=404)
        row, views = found
        if runtime.staff is not None:  # the directory's name for whoever raised it (the DSL's view names people)
            names = await run_in_threadpool(runtime.staff.names_by_key, org)
            row = dataclasses.replace(row, raiser=named_raiser(row.raiser, names))
        return _render(request, "concern.html", {"org": runtime.orgs[org], "member": who, "row": row,
                                                 "views": views, "csrf": request.session["csrf"],
                                                 "saved": request.query_params.get("saved") == "1"})

    return [
        Route("/slt", lambda r: RedirectResponse("/slt/", status_code=307)),
        Route("/slt/concerns", concerns_page),
        Route("/slt/concerns/{concern_id:str}", concern_page, methods=["GET", "POST"]),
        Route("/slt/acks/remind", remind, methods=["POST"]),
        Route("/slt/acks", acks_page),
        Route("/slt/acks.csv", acks_page),
        Route("/slt/acks.pdf", acks_page),
        Route("/slt/", home),
        Route("/slt/login", login_page, methods=["GET"]),
        Route("/slt/login", login, methods=["POST"]),
        Route("/slt/logout", logout, methods=["POST"]),
        Route("/slt/answer", answer, methods=["POST"]),
        Route("/slt/export.csv", export),
        Route("/slt/questions", questions),
        Route("/slt/governors.pdf", governors_pdf),
        Mount("/slt/static", StaticFiles(directory=str(HERE / "static")), name="slt-static"),
    ]


# The database work, argon2 and reindexing run in worker threads: the event loop also serves the chat
# adapters, and must never wait on them.

def _answer_and_reindex(runtime: Runtime, org: str, who: SltMember, entries: list[str], question: str,
                        answer: str) -> None:
    answer_gap(runtime.db, org, entries, question, answer, who.name, runtime.clock())
    runtime.reindex()


def _tidy(request: Request) -> Response | None:
    """The same page without the filter form's empty fields ("?channel=&answered=yes" -> "?answered=yes"),
    so that the address one shares says only what was chosen; None when there are none."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if v]
    if len(kept) == len(request.query_params.multi_items()):
        return None
    return RedirectResponse(f"{request.url.path}?{urlencode(kept)}" if kept else request.url.path, status_code=303)


def _chosen(request: Request, runtime: Runtime, org: Organisation, most_days: int) -> filters.Chosen:
    return filters.read(request, runtime.clock(), most_days, org.retention_days,
                        lambda policy, section: pages.known(runtime, org.slug, policy, section))


def _csv_chunks(runtime: Runtime, org: str, since: queries.Filters, include_flagged: bool) -> Iterator[str]:
    """The export as CSV text, one page of entries (queries.CSV_PAGE) at a time, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    after: tuple[datetime, str] | None = None
    while True:
        with runtime.db() as session:
            rows = queries.csv_page(session, org, since, include_flagged, after)
        for row in rows:
            writer.writerow([row[0].isoformat(), *(cell(v) for v in row[1:-1])])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(rows) < queries.CSV_PAGE:
            return
        after = (rows[-1][0], rows[-1][-1])


def _school_for(runtime: Runtime, chosen: str, email: str) -> Organisation | None:
    """The school to sign in to: the one chosen if the e-mail is on its SLT list, else the only school
    whose list has the e-mail (someone who picked the wrong school, or none, still signs in), else the
    one chosen (the password check then fails as usual); None if none was chosen nor found."""
    schools = [o for o in (runtime.current_org(slug) for slug in sorted(runtime.orgs)) if o is not None]
    picked = next((o for o in schools if o.slug == chosen), None)
    if picked is not None and auth.member(picked, email):
        return picked
    listed = [o for o in schools if auth.member(o, email)]
    return listed[0] if len(listed) == 1 else picked


def _no_database(request: Request, runtime: Runtime, typed: dict[str, str],
                 devices: auth.DeviceCookies) -> Response:
    log.warning("dashboard: sign-in could not reach the database")
    return _login(request, runtime, "The dashboard cannot reach its database just now; please try again in a "
                                    "minute.", 503, typed, devices)


def _new_session(sessions: auth.Sessions, old: object, org: str, email: str) -> str:
    sessions.end(old if isinstance(old, str) else None)  # whatever this browser was signed in as ends
    return sessions.start(org, email)


async def _member(request: Request, runtime: Runtime) -> SltMember | None:
    """The signed-in member: the cookie's session record must exist and be current (signing out or a
    password change ends it, wherever the cookie was copied to), and the member is re-checked against the
    org file on every request: someone taken off the SLT list loses access at once."""
    slug, email, sid = request.session.get("org"), request.session.get("email"), request.session.get("sid")
    if not slug or not email or not isinstance(sid, str):
        return None  # (a cookie from before session records has no id: signed out)
    try:
        record = await run_in_threadpool(auth.Sessions(runtime.db, runtime.clock).find, sid)
    except SQLAlchemyError as exc:
        log.warning("dashboard: session check could not reach the database (%s)", exc.__class__.__name__)
        return None
    if record != auth.SignedIn(slug, email):
        request.session.clear()
        return None
    who = auth.member(runtime.current_org(slug), email)
    if who is None:
        request.session.clear()
    return who


def _notice_then(request: Request, to: str, notice: str) -> Response:
    """Redirect to *to*, which shows *notice* once: the text travels in the signed session, never in the
    address, so nobody can make the dashboard show words of their choosing with a crafted link."""
    request.session["notice"] = notice[:300]
    return RedirectResponse(to, status_code=303)


async def _dsl(request: Request, runtime: Runtime) -> SltMember | Response:
    """The signed-in DSL or deputy, or the response for anyone else (sign in; 403 for other SLT)."""
    who = await _member(request, runtime)
    if who is None:
        return RedirectResponse("/slt/login", status_code=303)
    if not who.dsl:
        return Response("Only the DSL and deputies see safeguarding concerns.", status_code=403)
    return who


def _viewer(who: SltMember) -> str:
    return f"{who.name} <{who.email}>"


def _csrf(request: Request, form: FormData) -> bool:
    given = form.get("csrf")
    return auth.csrf_ok(request.session.get("csrf"), given if isinstance(given, str) else None)


def _login(request: Request, runtime: Runtime, error: str | None, status: int = 200,
           typed: dict[str, str] | None = None, devices: auth.DeviceCookies | None = None) -> Response:
    """The sign-in form; after a failure it keeps the organisation and e-mail typed (never the password).
    No school is chosen for the member unless there is only one, or this browser signed in to one before:
    a silent default would be wrong for everyone at the other schools."""
    if "csrf" not in request.session:
        request.session["csrf"] = auth.new_csrf_token()
    orgs = sorted(((o.slug, o.name) for o in runtime.orgs.values() if o.slt), key=lambda o: o[1])
    typed = dict(typed or {})
    if not typed.get("org"):
        remembered = devices.read(request.cookies.get(auth.DeviceCookies.NAME)) if devices else None
        if remembered is not None and remembered.org in {slug for slug, _ in orgs}:
            typed["org"] = remembered.org
        elif len(orgs) == 1:
            typed["org"] = orgs[0][0]
    return _render(request, "login.html", {"orgs": orgs, "error": error, "csrf": request.session["csrf"],
                                           "typed": typed}, status)


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update({
        "Cache-Control": "no-store",  # questions are personal data: never cached by a shared browser
        "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                                   "form-action 'self'; frame-ancestors 'none'",
        "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"})
    return response
