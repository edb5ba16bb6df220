"""Hypothesis strategies for every route of the server, before and after authentication, shared by the fuzz
suite (tests/fuzz/test_fuzz.py) and the long run (benchmarks/fuzz.py).

A strategy draws a `Req`: method, target, headers, body and how to frame it (a true Content-Length, none,
one that lies, chunked). "After authentication" requests carry `auth`: `wire()` adds the real credentials
when it serialises them (a Slack signature over the final body, the Teams token, the dashboard session and
its CSRF token, the web chat's cookie, the Telegram secret). Placeholders such as @@CSRF@@ in a body or
target are replaced there by values only the running server knows (tests/fuzz/harness.py `Creds`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

# --- what a request is ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Req:
    route: str  # which entry of ROUTES drew it ("POST /api/web/ask"), for the report
    method: str
    target: bytes  # path and query string, as sent
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    framing: str = "auto"  # auto | absent | short | long | junk:<value> | double | chunked | chunked-bad
    auth: str = ""  # "" (before authentication) | slack | teams | dashboard | web | telegram

    @property
    def truncated(self) -> bool:
        """Whether the server may wait for bytes that never come (we close our side after sending)."""
        return self.framing in ("long", "chunked-bad") or self.framing.startswith("junk:")

    def __repr__(self) -> str:  # short: hypothesis prints the failing example, and bodies can be megabytes
        return f"Req({self.describe(300)})"

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:  # what hypothesis's printer calls
        printer.text(repr(self))

    def describe(self, limit: int = 600) -> str:
        def cut(data: bytes) -> bytes:
            return data if len(data) <= limit else data[:limit] + b"...(%d bytes)" % len(data)
        headers = [(k, cut(v)) for k, v in self.headers]
        return (f"{self.method[:limit]} {cut(self.target)!r} framing={self.framing} auth={self.auth or '-'}\n"
                f"  headers={headers!r}\n  body={cut(self.body)!r}")


@dataclass
class Creds:
    """What the running server gave us: secrets and ids the authenticated requests carry."""

    host: str = "127.0.0.1:8000"
    slack_secret: str = ""
    telegram_secret: str = ""
    teams_token: str = ""
    service_url: str = ""  # the fake Teams connector (a token is valid for this serviceUrl only)
    response_url: str = ""  # the fake Slack's response_url target
    dashboard_cookie: str = ""  # the signed-in DSL's session cookie
    csrf: str = ""
    web_cookie: str = ""
    log_id: str = ""  # an unanswered question in the log (a gap SLT may answer)
    concern_id: str = ""  # a safeguarding concern the DSL may open
    extra: dict[str, str] = field(default_factory=dict)

    def placeholders(self) -> dict[bytes, bytes]:
        return {b"@@CSRF@@": self.csrf.encode(), b"@@LOG_ID@@": self.log_id.encode(),
                b"@@CONCERN_ID@@": self.concern_id.encode(), b"@@SERVICE_URL@@": self.service_url.encode(),
                b"@@RESPONSE_URL@@": self.response_url.encode()}


def fill(data: bytes, creds: Creds) -> bytes:
    """*data* with each placeholder replaced, as it is and in its percent-encoded and JSON-escaped forms."""
    for mark, value in creds.placeholders().items():
        if mark not in data and quote(mark.decode()).encode() not in data:
            continue
        data = data.replace(mark, value)
        data = data.replace(quote(mark.decode(), safe="").encode(), quote(value.decode(), safe="").encode())
        data = data.replace(quote(mark.decode()).encode(), quote(value.decode()).encode())
    return data


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def finished(req: Req, creds: Creds) -> Req:
    """*req* with its placeholders filled and its credentials added (before framing)."""
    body, target = fill(req.body, creds), fill(req.target, creds)
    headers = [(k, fill(v, creds)) for k, v in req.headers]
    if req.auth == "slack":
        ts = str(int(time.time()))
        headers = [h for h in headers if h[0].lower() not in (b"x-slack-signature", b"x-slack-request-timestamp")]
        headers += [(b"X-Slack-Request-Timestamp", ts.encode()),
                    (b"X-Slack-Signature", slack_signature(creds.slack_secret, ts, body).encode())]
    elif req.auth == "teams":
        headers = [h for h in headers if h[0].lower() != b"authorization"]
        headers.append((b"Authorization", b"Bearer " + creds.teams_token.encode()))
    elif req.auth == "telegram":
        headers = [h for h in headers if h[0].lower() != b"x-telegram-bot-api-secret-token"]
        headers.append((b"X-Telegram-Bot-Api-Secret-Token", creds.telegram_secret.encode()))
    elif req.auth in ("dashboard", "web"):
        headers = [h for h in headers if h[0].lower() != b"cookie"]
        cookie = (f"policybot_slt={creds.dashboard_cookie}" if req.auth == "dashboard"
                  else f"policybot_web={creds.web_cookie}")
        headers.append((b"Cookie", cookie.encode()))
    return replace(req, body=body, target=target, headers=tuple(headers))


def wire(req: Req, creds: Creds) -> bytes:
    """The bytes on the wire: request line, headers, framing and body (credentials included)."""
    req = finished(req, creds)
    head = [req.method.encode("utf-8", "surrogateescape") + b" " + req.target + b" HTTP/1.1",
            b"Host: " + creds.host.encode(), b"Connection: close"]
    head += [k + b": " + v for k, v in req.headers]
    body, n = req.body, len(req.body)
    framing = req.framing
    if framing == "auto" and (n or req.method not in ("GET", "HEAD", "OPTIONS", "DELETE")):
        head.append(b"Content-Length: %d" % n)
    elif framing == "short":
        head.append(b"Content-Length: %d" % max(n // 2, 0))
    elif framing == "long":
        head.append(b"Content-Length: %d" % (n + 1 + n // 2))
    elif framing == "double":
        head += [b"Content-Length: %d" % n, b"Content-Length: %d" % (n + 7)]
    elif framing.startswith("junk:"):
        head.append(b"Content-Length: " + framing[5:].encode("utf-8"))
    elif framing in ("chunked", "chunked-bad"):
        head.append(b"Transfer-Encoding: chunked")
        if framing == "chunked":
            body = (b"%x\r\n%s\r\n" % (n, body) if n else b"") + b"0\r\n\r\n"
        else:
            body = b"%x\r\n%s" % (n + 10, body)  # promises more than it sends, and never ends
    return b"\r\n".join(head) + b"\r\n\r\n" + body


# --- building blocks ---------------------------------------------------------------------------------

SURPRISES = ["\x00", "\ud800", "\udfff", "\udbff\udfff", "\ud83d", "\u202e", "\ufeff", "\uffff", "\U0010ffff",
             "\U0001d54f", "\u0301", "é", "\r\n", "\t", "\\", '"', "'", "<script>alert(1)</script>",
             "' OR 1=1 --", "../../../etc/passwd", "%00", "%ff", "{{7*7}}", "${jndi:ldap://127.0.0.1/x}",
             "<@U0DSL>", "<!channel>", "*bold*", "<b>", "&amp;", "/policy", "/induction", "/start",
             "induction", "help", "DOB 03/04/2012", "UPN A123456789012", "07700 900123",
             "a parent messaged me on my personal facebook account, what should I do?",
             "a pupil told me her stepdad hits her", "who is the DSL?"]
ORGS = ["stone-bay-school", "next-steps-ed", "model-trust", "alternative-provision", "soke-education-trust"]
EMAILS = ["head@stonebay.example", "head@nextsteps.example", "nobody@stonebay.example", "HEAD@STONEBAY.EXAMPLE"]
INDUCTION_ACTIONS = ["next", "back", "true", "false", "ask", "ack", "start", "end", "session", ""]
HEADER_OCTETS = bytes([9, *range(0x20, 0x7F), *range(0x80, 0x100)])  # what a header value may hold


def huge_text() -> st.SearchStrategy[str]:
    return st.sampled_from([2_001, 16_001, 70_000, 300_000]).map(lambda n: "A" * n)


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Text as people and attackers type it: unicode, lone surrogates, NUL, markup, injections, huge."""
    pieces = st.one_of(st.text(max_size=12), st.sampled_from(SURPRISES))
    return st.one_of(st.text(max_size=max_size), st.lists(pieces, max_size=6).map("".join),
                     st.sampled_from(SURPRISES), huge_text())


scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=True, allow_infinity=True), texts(20))
json_values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                           st.dictionaries(texts(10), kids, max_size=4)),
                           max_leaves=10)


def maybe_wrong(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly *good*, sometimes any JSON value at all (the wrong type)."""
    return st.one_of(good, good, json_values)


def with_extras(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A payload dict, sometimes missing keys, sometimes with junk ones."""
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value = dict(draw(base))
        if value and draw(st.integers(0, 4)) == 0:
            value.pop(draw(st.sampled_from(sorted(value, key=str))))
        if draw(st.integers(0, 4)) == 0:
            value.update(draw(st.dictionaries(texts(10), json_values, max_size=3)))
        return value
    return build()


def nested_json(inner: bytes = b"1") -> st.SearchStrategy[bytes]:
    """Arrays or objects nested 33 to 100,000 deep (balanced, or left open)."""
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        depth = draw(st.sampled_from([33, 200, 1_000, 5_000, 100_000]))
        kind = draw(st.sampled_from(["array", "object", "open", "in-field"]))
        if kind == "array":
            return b"[" * depth + inner + b"]" * depth
        if kind == "object":
            return b'{"a":' * depth + inner + b"}" * depth
        if kind == "open":
            return b"[" * depth
        return b'{"question": ' + b"[" * depth + b"]" * depth + b', "text": "x"}'
    return build()


def json_bytes(value: Any) -> st.SearchStrategy[bytes]:
    """*value* as JSON: escaped ASCII (lone surrogates as \\ud800), UTF-8, or with raw surrogate bytes."""
    def encode(how: str) -> bytes:
        if how == "ascii":
            return json.dumps(value).encode()
        text = json.dumps(value, ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass" if how == "raw" else "replace")
    return st.sampled_from(["ascii", "ascii", "utf-8", "raw"]).map(encode)


def json_body(payload: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return payload.flatmap(json_bytes)


junk_bodies = st.one_of(
    st.just(b""), st.binary(max_size=300), st.binary(min_size=1, max_size=60).map(lambda b: b"\xff\xfe" + b),
    st.sampled_from([b'{"question": "\xff\xfe"}', b"\xc3\x28", b"\xed\xa0\x80", b"null", b"[]", b"0", b'"x"',
                     b"{", b'{"a":1,}', b"NaN", b"Infinity", b'{"question": NaN}', b"\x00\x00\x00",
                     b"\xef\xbb\xbf{}", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"]),
    nested_json(),
    json_body(json_values),
    st.sampled_from([20_000, 300_000, 1_100_000, 5_000_000]).map(lambda n: b'{"question": "' + b"A" * n + b'"}'),
)


def form_bytes(fields: st.SearchStrategy[list[tuple[str, str]]]) -> st.SearchStrategy[bytes]:
    def encode(pairs: list[tuple[str, str]]) -> bytes:
        return urlencode([(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass"))
                          for k, v in pairs]).encode()
    return st.one_of(fields.map(encode),
                     st.sampled_from([b"a=%zz&&=&b", b"csrf=%ff%fe&org=%c3%28", b"=" * 50, b"%" * 30,
                                      b"a=" + b"b" * 70_000, b"&".join([b"x=1"] * 2_000)]))


def header_value() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=60).map(lambda b: bytes(c for c in b if c in HEADER_OCTETS)),
                     st.sampled_from([b"", b" ", b"\xb2", b"\xbd", b"abc", b"-1", b"0", b"1e9",
                                      b"99999999999999999999999", b"v0=", b"v0=" + b"0" * 64, b"a" * 8000]))


CONTENT_TYPES = [b"application/json", b"application/json; charset=utf-8", b"application/json; charset=latin-1",
                 b"APPLICATION/JSON", b"application/json;;;", b"application/x-www-form-urlencoded",
                 b"application/x-www-form-urlencoded; charset=utf-16", b"multipart/form-data; boundary=x",
                 b"multipart/form-data", b"text/plain", b"", b"*/*", b"application/json\xff"]


def content_type(preferred: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.just(preferred), st.just(preferred), st.sampled_from(CONTENT_TYPES), header_value())


JUNK_HEADER_NAMES = [b"Authorization", b"Cookie", b"X-Slack-Signature", b"X-Slack-Request-Timestamp",
                     b"X-Slack-Retry-Num", b"X-Telegram-Bot-Api-Secret-Token", b"X-Forwarded-For",
                     b"Accept", b"Accept-Encoding", b"Content-Encoding", b"Expect", b"Origin", b"Referer",
                     b"User-Agent", b"X-Ms-Tenant-Id", b"Range", b"If-None-Match", b"If-Modified-Since"]
JUNK_AUTH = [b"Bearer", b"Bearer ", b"Bearer not.a.jwt", b"Bearer a.b.c", b"Basic Zm9vOmJhcg==",
             b"Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJ4In0.",  # alg: none
             b"Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo", b"Bearer " + b"A" * 9000]
JUNK_COOKIES = [b"policybot_slt=junk", b"policybot_slt=eyJvcmciOiAic3RvbmUtYmF5LXNjaG9vbCJ9.x.y",
                b"policybot_web=", b"policybot_web=" + b"w" * 5000, b"policybot_slt", b";;;=;", b"a=\xff"]


def junk_headers() -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    name = st.one_of(st.sampled_from(JUNK_HEADER_NAMES),
                     st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20).map(str.encode))
    value = st.one_of(header_value(), st.sampled_from(JUNK_AUTH + JUNK_COOKIES))
    return st.lists(st.tuples(name, value), max_size=4)


FRAMINGS = ["auto"] * 26 + ["absent", "short", "long", "double", "chunked", "chunked-bad", "junk:-1", "junk:abc",
                           "junk:99999999999999999999", "junk: 5", "junk:0x10", "junk:1, 1", "junk:\u0663"]


def framing(authenticated: bool = False) -> st.SearchStrategy[str]:
    """Mostly a true Content-Length (after authentication more so: the point there is to reach the
    handler), else none, a lie, two, chunked or broken chunked framing."""
    return st.sampled_from(FRAMINGS + ["auto"] * (60 if authenticated else 0))


QUERY_KEYS = ["since", "org", "notice", "status", "saved", "page", "token", "q",
              "until", "term", "policy", "section", "channel", "answered"]  # the dashboard's filters
QUERY_VALUES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-11-21", "yesterday", "-1", "", "stone-bay-school",
                "next-steps-ed", "open", "seen", "1", "<script>alert(1)</script>", "%ff", "A" * 5000,
                "autumn-2026", "summer-9999", "Social Media Policy", "slack", "yes", "no"]


def query() -> st.SearchStrategy[bytes]:
    pair = st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), texts(8)),
                     st.one_of(st.sampled_from(QUERY_VALUES), texts(20)))
    encoded = st.lists(pair, max_size=3).map(
        lambda pairs: urlencode([(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass"))
                                 for k, v in pairs]).encode())
    raw = st.sampled_from([b"", b"since=%ff", b"since=%", b"org=%00", b"notice=%E2%80%AE", b"&&&", b"=",
                           b"since=0001-01-01", b"notice=Your%20account%20is%20locked", b"a" * 9000])
    return st.one_of(st.just(b""), encoded, raw)


def target(path: bytes) -> st.SearchStrategy[bytes]:
    return query().map(lambda q: path + (b"?" + q if q else b""))


OTHER_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "BREW"]


def method(own: list[str], authenticated: bool = False) -> st.SearchStrategy[str]:
    return st.sampled_from(own * (30 if authenticated else 10) + OTHER_METHODS)


# --- the payloads each platform sends ----------------------------------------------------------------

def web_payload(field_name: str) -> st.SearchStrategy[dict[str, Any]]:
    org = maybe_wrong(st.sampled_from([*ORGS, "", "nowhere", "../stone-bay-school"]))
    if field_name == "question":
        return with_extras(st.fixed_dictionaries({"org": org, "question": maybe_wrong(texts())}))
    if field_name == "log_id":
        return with_extras(st.fixed_dictionaries({
            "org": org, "log_id": maybe_wrong(st.sampled_from(["@@LOG_ID@@", "", "0" * 32]) | texts(40)),
            "helpful": maybe_wrong(st.booleans()), "comment": maybe_wrong(texts())}))
    return with_extras(st.fixed_dictionaries({"org": org, "action": maybe_wrong(
        st.sampled_from(INDUCTION_ACTIONS) | texts(30))}))


SLACK_TEAMS = st.sampled_from(["T_STONE", "T_NEXT", "T_UNKNOWN", ""])


def slack_event() -> st.SearchStrategy[dict[str, Any]]:
    ts = st.sampled_from(["1700000000.000100", "", "abc", "1e999"])
    base = st.fixed_dictionaries({
        "type": st.sampled_from(["app_mention", "message", "app_home_opened", "reaction_added", "team_join", ""]),
        "user": maybe_wrong(st.sampled_from(["U_ASKER", "U1", "U0DSL", "UBOT", ""])),
        "team": maybe_wrong(SLACK_TEAMS), "text": maybe_wrong(texts()), "ts": maybe_wrong(ts),
        "channel": maybe_wrong(st.sampled_from(["C_STAFF", "D_ASKER", ""])),
        "channel_type": st.sampled_from(["im", "channel", "group", "mpim", ""]), "event_ts": ts},
        optional={"thread_ts": maybe_wrong(ts), "subtype": st.sampled_from(["bot_message", "message_changed", "x"]),
                  "bot_id": st.just("BBOT"), "user_team": SLACK_TEAMS, "tab": st.sampled_from(["home", "messages"])})
    return with_extras(base)


def slack_body() -> st.SearchStrategy[tuple[bytes, bytes]]:
    """(content type, body) of a Slack request: an event, a URL check, a slash command, a button press."""
    callback = with_extras(st.fixed_dictionaries({
        "token": st.just("legacy"), "team_id": maybe_wrong(SLACK_TEAMS), "api_app_id": st.just("A1"),
        "type": st.sampled_from(["event_callback", "event_callback", "url_verification", "app_rate_limited", "x"]),
        "event_id": maybe_wrong(texts(20)), "event_time": maybe_wrong(st.integers(0, 2**40)),
        "event": maybe_wrong(slack_event()), "challenge": texts(30),
        "authorizations": maybe_wrong(st.just([{"team_id": "T_STONE", "user_id": "UBOT", "is_bot": True}]))}))
    command = st.lists(st.tuples(st.sampled_from(["token", "team_id", "user_id", "command", "text", "channel_id",
                                                  "response_url", "trigger_id", "api_app_id", "enterprise_id"]),
                                 st.one_of(st.sampled_from(["/policy", "/induction", "T_STONE", "T_NEXT", "U_ASKER",
                                                            "@@RESPONSE_URL@@", "C_STAFF"]), texts(40))),
                       max_size=10)
    command = st.one_of(command, st.builds(lambda text, team, cmd: [
        ("token", "legacy"), ("team_id", team), ("channel_id", "C_STAFF"), ("user_id", "U_ASKER"),
        ("command", cmd), ("text", text), ("api_app_id", "A1"), ("response_url", "@@RESPONSE_URL@@"),
        ("trigger_id", "1.2.3")], texts(), SLACK_TEAMS, st.sampled_from(["/policy", "/induction", "/other"])))
    action = st.fixed_dictionaries({
        "type": st.sampled_from(["button", "static_select", "x"]),
        "action_id": maybe_wrong(st.sampled_from(["policybot_feedback_helpful", "policybot_feedback_not_helpful",
                                                  "induction_next", "induction_ack", "induction_", "x"])),
        "block_id": st.sampled_from(["policybot_feedback", "x"]),
        "value": maybe_wrong(st.sampled_from(["@@LOG_ID@@", "next", "ack", ""]) | texts(40)),
        "action_ts": st.just("1700000002.000100")})
    interactive = with_extras(st.fixed_dictionaries({
        "type": st.sampled_from(["block_actions", "view_submission", "shortcut", "x"]),
        "team": maybe_wrong(st.fixed_dictionaries({"id": SLACK_TEAMS})),
        "user": maybe_wrong(st.fixed_dictionaries({"id": st.sampled_from(["U_ASKER", "U1"]), "team_id": SLACK_TEAMS})),
        "api_app_id": st.just("A1"), "trigger_id": st.just("1.2.3"), "response_url": st.just("@@RESPONSE_URL@@"),
        "channel": maybe_wrong(st.fixed_dictionaries({"id": st.sampled_from(["C_STAFF", "D_ASKER"])})),
        "container": maybe_wrong(st.fixed_dictionaries({"type": st.just("message"), "is_ephemeral": st.booleans(),
                                                        "message_ts": st.just("1700000001.000100")})),
        "actions": maybe_wrong(st.lists(action, max_size=2))}))
    interactive_form = st.one_of(
        interactive.flatmap(json_bytes).map(lambda b: urlencode({"payload": b}).encode()),
        texts().map(lambda t: urlencode({"payload": t.encode("utf-8", "surrogatepass")}).encode()),
        nested_json().map(lambda b: urlencode({"payload": b}).encode()))
    form = b"application/x-www-form-urlencoded"
    return st.one_of(
        st.tuples(st.just(b"application/json"), json_body(callback)),
        st.tuples(st.just(form), form_bytes(command)),
        st.tuples(st.just(form), interactive_form),
        st.tuples(st.sampled_from([b"application/json", form]), junk_bodies))


def teams_activity() -> st.SearchStrategy[dict[str, Any]]:
    tenant = maybe_wrong(st.sampled_from(["tenant-stone", "tenant-other", ""]))
    text = maybe_wrong(st.one_of(texts(), texts().map(lambda t: f"<at>policybot</at> {t}")))
    who = maybe_wrong(st.fixed_dictionaries({"id": st.sampled_from(["29:sam-teams-id", "29:dsl-id", ""]),
                                             "name": texts(20)}, optional={"aadObjectId": texts(20)}))
    data = maybe_wrong(st.one_of(
        st.fixed_dictionaries({"log_id": maybe_wrong(st.sampled_from(["@@LOG_ID@@", ""]) | texts(40)),
                               "helpful": maybe_wrong(st.booleans())}),
        st.fixed_dictionaries({"induction": maybe_wrong(st.sampled_from(INDUCTION_ACTIONS) | texts(40))})))
    value = maybe_wrong(st.one_of(data, st.fixed_dictionaries({"action": maybe_wrong(st.fixed_dictionaries({
        "type": st.sampled_from(["Action.Execute", "Action.Submit", "x"]),
        "verb": st.sampled_from(["feedback", "induction", "x", ""]), "data": data})),
        "trigger": st.just("manual")})))
    return with_extras(st.fixed_dictionaries({
        "type": st.sampled_from(["message", "message", "invoke", "conversationUpdate", "installationUpdate",
                                 "messageReaction", "typing", "event", "x", ""]),
        "id": maybe_wrong(texts(20)), "channelId": maybe_wrong(st.sampled_from(["msteams", "emulator", "webchat"])),
        "serviceUrl": st.sampled_from(["@@SERVICE_URL@@", "@@SERVICE_URL@@", "http://127.0.0.1:9/"]),
        "timestamp": maybe_wrong(st.sampled_from(["2026-11-21T09:00:00.000Z", "yesterday", ""])),
        "from": who, "recipient": maybe_wrong(st.just({"id": "28:policybot-bot", "name": "policybot"})),
        "conversation": maybe_wrong(st.fixed_dictionaries({
            "id": st.sampled_from(["a:personal-chat-1", "19:channel@thread.tacv2"]),
            "conversationType": st.sampled_from(["personal", "channel", "groupChat", "x"]),
            "tenantId": tenant})),
        "channelData": maybe_wrong(st.fixed_dictionaries({"tenant": maybe_wrong(st.fixed_dictionaries({"id": tenant}))})),
        "text": text, "name": st.sampled_from(["adaptiveCard/action", "x", ""]),
        "entities": maybe_wrong(st.just([{"type": "mention", "text": "<at>policybot</at>",
                                          "mentioned": {"id": "28:policybot-bot", "name": "policybot"}}])),
        "value": value, "locale": st.sampled_from(["en-GB", "", "xx"])}))


def telegram_update() -> st.SearchStrategy[dict[str, Any]]:
    user_id = maybe_wrong(st.one_of(st.sampled_from([4242, 5151, 1]), st.integers(-2**63, 2**63)))
    who = maybe_wrong(st.fixed_dictionaries({"id": user_id, "is_bot": maybe_wrong(st.booleans()),
                                             "first_name": maybe_wrong(texts(20))}))
    chat = maybe_wrong(st.fixed_dictionaries({"id": user_id, "type": st.sampled_from(["private", "group",
                                                                                       "supergroup", "channel", "x"])}))
    text = maybe_wrong(texts())
    entities = maybe_wrong(st.lists(st.fixed_dictionaries({
        "type": st.sampled_from(["bot_command", "mention", "bold", "x"]),
        "offset": maybe_wrong(st.integers(-5, 5000)), "length": maybe_wrong(st.integers(-5, 5000))}), max_size=2))
    message = with_extras(st.fixed_dictionaries({
        "message_id": maybe_wrong(st.integers(0, 2**31)), "date": maybe_wrong(st.integers(0, 2**33)),
        "chat": chat, "from": who, "text": text}, optional={"entities": entities}))
    callback = with_extras(st.fixed_dictionaries({
        "id": maybe_wrong(texts(10)), "from": who, "chat_instance": st.just("ci"),
        "data": maybe_wrong(st.one_of(st.sampled_from(["fb:1:@@LOG_ID@@", "fb:0:", "fb:2:x", "in:next", "in:ack",
                                                       "in:", "x"]), texts(70))),
        "message": maybe_wrong(st.fixed_dictionaries({"message_id": st.just(10_000), "date": st.just(1_700_000_000),
                                                      "chat": chat, "text": st.just("an answer")}))}))
    return st.one_of(
        st.builds(lambda uid, m: {"update_id": uid, "message": m}, maybe_wrong(st.integers(0, 2**40)), message),
        st.builds(lambda uid, m: {"update_id": uid, "edited_message": m}, st.integers(0, 2**40), message),
        st.builds(lambda uid, c: {"update_id": uid, "callback_query": c}, maybe_wrong(st.integers(0, 2**40)), callback),
        with_extras(st.fixed_dictionaries({"update_id": maybe_wrong(st.integers(0, 2**40))})))


def login_form() -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.builds(lambda csrf, org, email, password, extra: [("csrf", csrf), ("org", org), ("email", email),
                                                                ("password", password), *extra],
                     st.sampled_from(["@@CSRF@@", "", "x" * 43]) | texts(20),
                     st.sampled_from([*ORGS, ""]) | texts(20), st.sampled_from(EMAILS) | texts(30),
                     texts(), st.lists(st.tuples(texts(8), texts(8)), max_size=2))


def csrf_field() -> st.SearchStrategy[str]:
    return st.one_of(st.just("@@CSRF@@"), st.just("@@CSRF@@"), st.sampled_from(["", "x" * 43]), texts(20))


def answer_form() -> st.SearchStrategy[list[tuple[str, str]]]:
    entries = st.lists(st.one_of(st.sampled_from(["@@LOG_ID@@", "", "0" * 32]), texts(40)), max_size=3)
    return st.builds(lambda csrf, es, q, a, extra: [("csrf", csrf), *(("entry", e) for e in es), ("question", q),
                                                    ("answer", a), *extra],
                     csrf_field(), entries, texts(), texts(), st.lists(st.tuples(texts(8), texts(8)), max_size=2))


def concern_form() -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.builds(lambda csrf, status, note: [("csrf", csrf), ("status", status), ("note", note)],
                     csrf_field(), st.sampled_from(["seen", "open", "closed", "resolved", "referred", ""]) | texts(10),
                     texts())


def csrf_only() -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.builds(lambda csrf, extra: [("csrf", csrf), *extra], csrf_field(),
                     st.lists(st.tuples(texts(8), texts(8)), max_size=2))


# --- the routes -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str
    methods: list[str]
    paths: st.SearchStrategy[bytes]
    bodies: st.SearchStrategy[tuple[bytes, bytes]]  # (content type, body)
    auth: str = ""  # what "after authentication" adds for this route ("" : nothing to authenticate)


NO_BODY = st.one_of(st.just((b"", b"")), st.just((b"", b"")), st.tuples(st.sampled_from(CONTENT_TYPES), junk_bodies))


def _json_route(payload: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[bytes, bytes]]:
    return st.one_of(st.tuples(content_type(b"application/json"), json_body(payload)),
                     st.tuples(content_type(b"application/json"), json_body(payload)),
                     st.tuples(content_type(b"application/json"), junk_bodies))


def _form_route(fields: st.SearchStrategy[list[tuple[str, str]]]) -> st.SearchStrategy[tuple[bytes, bytes]]:
    form = b"application/x-www-form-urlencoded"
    return st.one_of(st.tuples(content_type(form), form_bytes(fields)),
                     st.tuples(content_type(form), form_bytes(fields)),
                     st.tuples(content_type(form), junk_bodies))


STATIC_TAILS = [b"", b"app.js", b"index.html", b"style.css", b"dashboard.css", b"../index.html", b"..%2f..%2fpyproject.toml",
                b"%2e%2e/%2e%2e/bot/config.py", b"..\\..\\pyproject.toml", b"%00", b"a%00.css", b"%ff", b"." * 300,
                b"x/" * 200, b"A" * 5000]


def static_path(prefix: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(STATIC_TAILS), st.text(max_size=30).map(lambda t: quote(t).encode())
                     ).map(lambda tail: prefix + tail)


def _plain(path: bytes) -> st.SearchStrategy[bytes]:
    return target(path)


ROUTES: list[Route] = [
    Route("GET /healthz", ["GET", "HEAD"], _plain(b"/healthz"), NO_BODY),
    Route("GET /", ["GET", "HEAD"], _plain(b"/"), NO_BODY, auth="web"),
    Route("GET /api/web/config", ["GET"], _plain(b"/api/web/config"), NO_BODY, auth="web"),
    Route("POST /api/web/ask", ["POST"], _plain(b"/api/web/ask"), _json_route(web_payload("question")), auth="web"),
    Route("POST /api/web/feedback", ["POST"], _plain(b"/api/web/feedback"), _json_route(web_payload("log_id")),
          auth="web"),
    Route("POST /api/web/induction", ["POST"], _plain(b"/api/web/induction"), _json_route(web_payload("action")),
          auth="web"),
    Route("GET /static/web/*", ["GET", "HEAD"], static_path(b"/static/web/"), NO_BODY),
    Route("POST /slack/events", ["POST"], _plain(b"/slack/events"), slack_body(), auth="slack"),
    Route("POST /api/messages", ["POST"], _plain(b"/api/messages"), _json_route(teams_activity()), auth="teams"),
    Route("POST /telegram/webhook", ["POST"], _plain(b"/telegram/webhook"), _json_route(telegram_update()),
          auth="telegram"),
    Route("GET /slt", ["GET"], _plain(b"/slt"), NO_BODY, auth="dashboard"),
    Route("GET /slt/login", ["GET"], _plain(b"/slt/login"), NO_BODY, auth="dashboard"),
    Route("POST /slt/login", ["POST"], _plain(b"/slt/login"), _form_route(login_form()), auth="dashboard"),
    Route("POST /slt/logout", ["POST"], _plain(b"/slt/logout"), _form_route(
        st.builds(lambda csrf, extra: [("csrf", csrf), *extra], st.sampled_from(["", "x" * 43]) | texts(20),
                  st.lists(st.tuples(texts(8), texts(8)), max_size=2))), auth="dashboard"),
    Route("GET /slt/", ["GET", "HEAD"], _plain(b"/slt/"), NO_BODY, auth="dashboard"),
    Route("POST /slt/answer", ["POST"], _plain(b"/slt/answer"), _form_route(answer_form()), auth="dashboard"),
    Route("GET /slt/export.csv", ["GET"], _plain(b"/slt/export.csv"), NO_BODY, auth="dashboard"),
    Route("GET /slt/questions", ["GET"], _plain(b"/slt/questions"), NO_BODY, auth="dashboard"),
    Route("GET /slt/governors.pdf", ["GET"], _plain(b"/slt/governors.pdf"), NO_BODY, auth="dashboard"),
    Route("GET /slt/acks", ["GET"], _plain(b"/slt/acks"), NO_BODY, auth="dashboard"),
    Route("GET /slt/acks.csv", ["GET"], _plain(b"/slt/acks.csv"), NO_BODY, auth="dashboard"),
    Route("POST /slt/acks/remind", ["POST"], _plain(b"/slt/acks/remind"), _form_route(csrf_only()), auth="dashboard"),
    Route("GET /slt/concerns", ["GET"], _plain(b"/slt/concerns"), NO_BODY, auth="dashboard"),
    Route("GET|POST /slt/concerns/{id}", ["GET", "POST"], st.one_of(
        st.just(b"/slt/concerns/@@CONCERN_ID@@"), st.just(b"/slt/concerns/@@CONCERN_ID@@?saved=1"),
        texts(40).map(lambda t: b"/slt/concerns/" + quote(t.encode("utf-8", "surrogatepass")).encode())),
        _form_route(concern_form()), auth="dashboard"),
    Route("GET /slt/static/*", ["GET", "HEAD"], static_path(b"/slt/static/"), NO_BODY),
    Route("* unknown paths", OTHER_METHODS, st.one_of(
        st.sampled_from([b"/nope", b"//", b"/api", b"/api/web", b"/api/web/", b"/slack", b"/telegram", b"/slt//",
                         b"/healthz/", b"/%ff", b"/%00", b"*", b"http://evil.example/slt/", b"/" + b"a" * 9000,
                         b"/slt/../slt/", b"/./api/web/ask"]),
        st.text(max_size=40).map(lambda t: b"/" + quote(t.encode("utf-8", "surrogatepass")).encode())),
        NO_BODY),
]
BY_NAME = {r.name: r for r in ROUTES}


def requests(route: Route, authenticated: bool) -> st.SearchStrategy[Req]:
    """Requests to *route*: with junk credentials (before authentication), or with the real ones added
    by `wire()` and fuzzed payloads inside (after)."""
    auth = route.auth if authenticated else ""

    @st.composite
    def build(draw: st.DrawFn) -> Req:
        verb = draw(method(route.methods, bool(auth)))
        kind, body = draw(route.bodies)
        headers: list[tuple[bytes, bytes]] = [(b"Content-Type", kind)] if kind else []
        if not auth:
            headers += draw(junk_headers())
        elif draw(st.integers(0, 3)) == 0:  # a few harmless extras beside the real credentials
            headers += [h for h in draw(junk_headers()) if h[0].lower() not in (
                b"authorization", b"cookie", b"x-slack-signature", b"x-slack-request-timestamp",
                b"x-telegram-bot-api-secret-token")]
        return Req(route.name, verb, draw(route.paths), tuple(headers), body, draw(framing(bool(auth))), auth)
    return build()


def any_request(authenticated: bool | None = None) -> st.SearchStrategy[Req]:
    """A request to any route; before or after authentication (either, when None)."""
    choices = [requests(r, False) for r in ROUTES]
    if authenticated is not False:
        choices += [requests(r, True) for r in ROUTES if r.auth]
    if authenticated is True:
        choices = [requests(r, True) for r in ROUTES if r.auth]
    return st.one_of(choices)


# --- requests every run sends (hypothesis explicit examples): what broke before, or nearly did ------------

def _json_req(route: str, path: bytes, body: bytes, auth: str = "", *headers: tuple[bytes, bytes]) -> Req:
    return Req(route, "POST", path, ((b"Content-Type", b"application/json"), *headers), body, "auto", auth)


_DEEP = b"[" * 100_000 + b"]" * 100_000
_SLACK_JUNK_TS = ((b"X-Slack-Request-Timestamp", b"\xb2"), (b"X-Slack-Signature", b"v0=" + b"0" * 64))
_FORM = b"application/x-www-form-urlencoded"
NASTY: dict[tuple[str, bool], list[Req]] = {
    ("POST /api/web/ask", False): [
        _json_req("POST /api/web/ask", b"/api/web/ask", _DEEP),
        _json_req("POST /api/web/ask", b"/api/web/ask", b'{"question": "\xff\xfe"}'),
        _json_req("POST /api/web/ask", b"/api/web/ask", b'{"question": "' + b"A" * 5_000_000 + b'"}')],
    ("POST /api/web/ask", True): [
        _json_req("POST /api/web/ask", b"/api/web/ask", _DEEP, "web"),
        _json_req("POST /api/web/ask", b"/api/web/ask", b'{"org": "stone-bay-school", "question": "x \\ud800 ok?"}',
                  "web"),
        _json_req("POST /api/web/ask", b"/api/web/ask",
                  b'{"org": "stone-bay-school", "question": "who is the \\u0000 DSL?"}', "web")],
    ("POST /api/web/feedback", True): [
        _json_req("POST /api/web/feedback", b"/api/web/feedback", _DEEP, "web"),
        _json_req("POST /api/web/feedback", b"/api/web/feedback",
                  b'{"org": "stone-bay-school", "log_id": "@@LOG_ID@@", "helpful": false, "comment": "\\u0000\\ud800"}',
                  "web")],
    ("POST /slack/events", False): [
        _json_req("POST /slack/events", b"/slack/events", _DEEP),
        _json_req("POST /slack/events", b"/slack/events", b"{}", "", *_SLACK_JUNK_TS),
        _json_req("POST /slack/events", b"/slack/events", b"{}", "", (b"X-Slack-Request-Timestamp", b"abc")),
        _json_req("POST /slack/events", b"/slack/events", b'{"a": "\xff"}', "",
                  (b"X-Slack-Request-Timestamp", b"1700000000"), (b"X-Slack-Signature", b"v0=00")),
        Req("POST /slack/events", "POST", b"/slack/events", ((b"Content-Type", _FORM), (
            b"X-Slack-Request-Timestamp", b"1700000000"), (b"X-Slack-Signature", b"v0=00")), b"payload=", "auto"),
        # nested JSON percent-encoded in a form field: no bracket in the raw body for a depth check to count
        Req("POST /slack/events", "POST", b"/slack/events", ((b"Content-Type", _FORM), (
            b"X-Slack-Request-Timestamp", b"1700000000"), (b"X-Slack-Signature", b"v0=00")),
            b"payload=" + b"%5B" * 5000 + b"%5D" * 5000, "auto")],
    ("POST /slack/events", True): [
        _json_req("POST /slack/events", b"/slack/events", _DEEP, "slack"),
        Req("POST /slack/events", "POST", b"/slack/events", ((b"Content-Type", _FORM),), b"payload=", "auto", "slack"),
        Req("POST /slack/events", "POST", b"/slack/events", ((b"Content-Type", _FORM),), b"payload=%7B", "auto",
            "slack"),
        _json_req("POST /slack/events", b"/slack/events",
                  b'{"type": "event_callback", "team_id": "T_STONE", "event_id": "E1", "event": {"type": "app_mention",'
                  b' "user": "U1", "text": true, "ts": "1.1", "channel": "C_STAFF"}}', "slack")],
    ("POST /api/messages", False): [
        _json_req("POST /api/messages", b"/api/messages", _DEEP),
        _json_req("POST /api/messages", b"/api/messages", b'{"type": "message"}', "", (b"Authorization", b"Bearer a.b.c"))],
    ("POST /api/messages", True): [
        _json_req("POST /api/messages", b"/api/messages", _DEEP, "teams"),
        _json_req("POST /api/messages", b"/api/messages",
                  b'{"type": "message", "id": "1", "channelId": "msteams", "serviceUrl": "@@SERVICE_URL@@", '
                  b'"timestamp": "yesterday", "from": {"id": "29:sam-teams-id", "name": "Sam"}, '
                  b'"recipient": {"id": "28:policybot-bot", "name": "policybot"}, '
                  b'"conversation": {"id": "a:personal-chat-1", "conversationType": "personal", '
                  b'"tenantId": "tenant-stone"}, "text": "who is the DSL?"}', "teams")],
    ("POST /telegram/webhook", True): [
        _json_req("POST /telegram/webhook", b"/telegram/webhook", _DEEP, "telegram"),
        _json_req("POST /telegram/webhook", b"/telegram/webhook",
                  b'{"update_id": 1, "message": {"message_id": 1, "date": 0, '
                  b'"from": {"id": 4242, "is_bot": false, "first_name": "x"}, "text": "hello"}}', "telegram"),
        _json_req("POST /telegram/webhook", b"/telegram/webhook",
                  b'{"update_id": 2, "callback_query": {"id": "1", "chat_instance": "ci", "data": "in:next"}}',
                  "telegram")],
    ("GET /slt/", True): [
        Req("GET /slt/", "GET", b"/slt/?since=0001-01-01", (), b"", "auto", "dashboard"),
        Req("GET /slt/", "GET", b"/slt/?notice=%3Cscript%3Ealert(1)%3C/script%3E", (), b"", "auto", "dashboard")],
    ("POST /slt/login", False): [
        Req("POST /slt/login", "POST", b"/slt/login", ((b"Content-Type", _FORM),), b"csrf=%ff&org=%c3%28&email=\xff",
            "auto"),
        Req("POST /slt/login", "POST", b"/slt/login", ((b"Content-Type", b"multipart/form-data; boundary=x"),),
            b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\xff\r\n--x--\r\n", "auto")],
}
