"""The SLT dashboard at /slt: sign-in, the review page, answering gaps, CSV export.

Read-only over the log except for two actions, each CSRF-checked: signing in/out and answering a gap.
Every page is for the signed-in member's own organisation only; safeguarding-flagged questions are
shown to members marked `dsl: true` only.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.admin import auth, queries
from bot.admin.charts import Bar, bar_chart
from bot.admin.gaps import answer_gap
from bot.admin.register import write_csv as write_register_csv
from bot.admin.report import write_csv
from bot.core.compose import review_status
from bot.errors import AccessDenied, PolicybotError
from bot.reading.documents import SltMember
from bot.runtime import Runtime
from bot.storage.concerns import STATUSES, SqlConcerns

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
DEFAULT_WEEKS = 12


def routes(runtime: Runtime) -> list[Route | Mount]:
    sign_in = auth.SignIn(runtime.db)

    async def login_page(request: Request) -> Response:
        return _login(request, runtime, error=None)

    async def login(request: Request) -> Response:
        form = await request.form()
        typed = {"org": str(form.get("org", "")), "email": str(form.get("email", ""))}
        if not _csrf(request, form):
            return _login(request, runtime, "Your sign-in form expired; please try again.", 400, typed)
        org = runtime.current_org(str(form.get("org", "")))
        try:
            who = await run_in_threadpool(sign_in.check, org, str(form.get("email", "")),
                                          str(form.get("password", "")))
        except AccessDenied as exc:
            log.info("dashboard: refused sign-in for %s", form.get("org"))
            return _login(request, runtime, str(exc), 401, typed)
        assert org is not None
        request.session.clear()  # a fresh session on sign-in: no fixation
        request.session.update({"org": org.slug, "email": who.email, "csrf": auth.new_csrf_token()})
        return RedirectResponse("/slt/", status_code=303)

    async def logout(request: Request) -> Response:
        form = await request.form()
        if _csrf(request, form):
            request.session.clear()
        return RedirectResponse("/slt/login", status_code=303)

    async def home(request: Request) -> Response:
        who = _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        since, problem = _since(request, runtime.clock())
        page = await run_in_threadpool(_page, runtime, request.session["org"], who, since)
        return _render(request, "dashboard.html", {**page, "member": who, "problem": problem,
                                                   "notice": request.session.pop("notice", None),
                                                   "csrf": request.session["csrf"]})

    async def answer(request: Request) -> Response:
        who = _member(request, runtime)
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
        who = _member(request, runtime)
        if who is None:
            return RedirectResponse("/slt/login", status_code=303)
        since, _ = _since(request, runtime.clock())
        out = io.StringIO()
        await run_in_threadpool(_export, runtime, request.session["org"], since, who.dsl, out)
        name = f"policybot-{request.session['org']}-{since:%Y-%m-%d}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    async def acks_page(request: Request) -> Response:
        who = _member(request, runtime)
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
        return _render(request, "acks.html", {"org": runtime.orgs[org], "member": who, "registers": registers,
                                              "csrf": request.session["csrf"],
                                              "notice": request.session.pop("notice", None)})

    async def remind(request: Request) -> Response:
        who = _member(request, runtime)
        form = await request.form()
        if who is None or not _csrf(request, form):
            return Response("Sign in again to send reminders.", status_code=403)
        count = await run_in_threadpool(runtime.remind_outstanding, request.session["org"])
        return _notice_then(request, "/slt/acks", f"{count} people will be reminded the next time they "
                                                   "write to the bot.")

    async def concerns_page(request: Request) -> Response:
        who = _dsl(request, runtime)
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
        who = _dsl(request, runtime)
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
        Route("/slt/", home),
        Route("/slt/login", login_page, methods=["GET"]),
        Route("/slt/login", login, methods=["POST"]),
        Route("/slt/logout", logout, methods=["POST"]),
        Route("/slt/answer", answer, methods=["POST"]),
        Route("/slt/export.csv", export),
        Mount("/slt/static", StaticFiles(directory=str(HERE / "static")), name="slt-static"),
    ]


# The database work, argon2 and reindexing run in worker threads: the event loop also serves the chat
# adapters, and must never wait on them.

def _answer_and_reindex(runtime: Runtime, org: str, who: SltMember, entries: list[str], question: str,
                        answer: str) -> None:
    answer_gap(runtime.db, runtime.settings.corpus_dir, org, entries, question, answer, who.name, runtime.clock())
    runtime.reindex()


def _export(runtime: Runtime, org: str, since: datetime, include_flagged: bool, out: io.StringIO) -> None:
    with runtime.db() as session:
        write_csv(session, org, since, include_flagged=include_flagged, out=out)


def _member(request: Request, runtime: Runtime) -> SltMember | None:
    """The signed-in member, re-checked against the org file on every request: someone taken off the
    SLT list loses access at once, whatever their cookie says."""
    slug, email = request.session.get("org"), request.session.get("email")
    if not slug or not email:
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


def _dsl(request: Request, runtime: Runtime) -> SltMember | Response:
    """The signed-in DSL or deputy, or the response for anyone else (sign in; 403 for other SLT)."""
    who = _member(request, runtime)
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
           typed: dict[str, str] | None = None) -> Response:
    """The sign-in form; after a failure it keeps the organisation and e-mail typed (never the password)."""
    if "csrf" not in request.session:
        request.session["csrf"] = auth.new_csrf_token()
    orgs = sorted(((o.slug, o.name) for o in runtime.orgs.values() if o.slt), key=lambda o: o[1])
    return _render(request, "login.html", {"orgs": orgs, "error": error, "csrf": request.session["csrf"],
                                           "typed": typed or {}}, status)


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update({
        "Cache-Control": "no-store",  # questions are personal data: never cached by a shared browser
        "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                                   "form-action 'self'; frame-ancestors 'none'",
        "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"})
    return response


def _since(request: Request, now: datetime) -> tuple[datetime, str | None]:
    default = now - timedelta(weeks=DEFAULT_WEEKS)
    raw = request.query_params.get("since")
    if not raw:
        return default, None
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tzinfo=timezone.utc), None
    except ValueError:
        return default, f"'{raw}' is not a date (YYYY-MM-DD); showing the last {DEFAULT_WEEKS} weeks."


def _page(runtime: Runtime, org: str, who: SltMember, since: datetime) -> dict[str, Any]:
    # The few asked since the background run (every 30 s), so that every gap on the page is grouped.
    runtime.log.fill_gap_vectors(since=runtime.clock() - timedelta(hours=1))
    with runtime.db() as session:
        asked = queries.weekly(session, org, since)
        weeks = queries.fill_weeks(asked, since.date(), runtime.clock().date())
        quoted = queries.quoted(session, org, since)
        data: dict[str, Any] = {
            "org": runtime.orgs[org], "since": since.date(), "totals": queries.totals(session, org, since, asked),
            "gaps": queries.open_gaps(session, org, since), "top_clauses": queries.top_clauses(quoted),
            "top_policies": queries.top_policies(quoted),
            "not_helpful": queries.not_helpful(session, org, since),
            "flagged": queries.flagged(session, org, since) if who.dsl else None,
            "deletions": queries.deletions(session, org),
        }
    data["asked_chart"] = bar_chart([Bar(f"{w.week:%-d %b}", w.asked, f"week of {w.week:%-d %b}: {w.asked} asked")
                                     for w in weeks], "Questions per week")
    data["rate_chart"] = bar_chart([Bar(f"{w.week:%-d %b}", w.answered_rate * 100,
                                        f"week of {w.week:%-d %b}: {w.answered_rate:.0%} answered") for w in weeks],
                                   "Answered rate per week", top=100, axis=lambda v: f"{v:.0f}%")
    data["stale"] = _stale_documents(runtime, org)
    return data


def _stale_documents(runtime: Runtime, org: str) -> list[tuple[str, str, str]]:
    today = runtime.service.today()
    scope = set(runtime.service.searcher.scope_orgs(org))
    out = []
    for doc in runtime.service.documents.values():
        status = review_status(doc, today)
        if doc.org in scope and status in ("overdue", "replaced"):
            out.append((doc.title, status, doc.next_review_text or str(doc.replaced_on or "")))
    return sorted(out)
