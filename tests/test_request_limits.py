"""Every request meets the size and nesting limits before a route reads it (bot.request_limits): an
oversized body is refused unread, a body nested absurdly deep is refused unparsed, whatever the route
and before any signature or token check; ordinary requests are served as before."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from bot.adapters import slack as slack_adapter
from bot.adapters import teams, web
from bot.request_limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, too_deep
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.payloads import signed_headers
from tests.adapters.teams.conftest import dev_settings
from tests.conftest import built_runtime, map_platforms
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.live_server import live_server

NESTED = ("[" * 50_000 + "]" * 50_000).encode()
JSON_ROUTES = ["/api/web/ask", "/api/web/feedback", "/api/web/induction", "/api/messages", "/slack/events"]


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert too_deep(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    assert not too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert not too_deep(json.dumps({"question": "[[{" * 200}).encode())  # brackets typed in a question
    assert too_deep(json.dumps({"q": 'a "quoted" \\ word'}).encode()[:-1] + b"," + b"[" * 40)
    assert not too_deep(b"text=" + b"%5B" * 100)  # a form, not JSON
    assert not too_deep(b"")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with FakeSlackApi() as fake, built_runtime(tmp_path, map_platforms) as runtime:
        yield from _serve(runtime, fake)


def _adapters(runtime: Runtime, fake: FakeSlackApi) -> list[object]:
    assert runtime.chat is not None
    return [web.build(runtime.settings, runtime.chat), teams.build(dev_settings(runtime), runtime.chat),
            slack_adapter.build(slack_settings(runtime, fake), runtime.chat)]


def _serve(runtime: Runtime, fake: FakeSlackApi) -> Iterator[TestClient]:
    with TestClient(build_app(runtime, chores=False, adapters=_adapters(runtime, fake))) as http:  # type: ignore[arg-type]
        yield http


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_deeply_nested_json_is_refused_before_any_route_parses_it(client: TestClient, path: str) -> None:
    reply = client.post(path, content=NESTED, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json() == {"error": "JSON nested too deeply"}


def test_nested_json_is_refused_even_when_signed(client: TestClient) -> None:
    body = NESTED.decode()
    reply = client.post("/slack/events", content=NESTED, headers=signed_headers(body, "application/json"))
    assert reply.status_code == 400


@pytest.mark.parametrize("path", [*JSON_ROUTES, "/slt/login"])
def test_a_body_over_the_limit_is_refused(client: TestClient, path: str) -> None:
    reply = client.post(path, content=b"x" * (MAX_BODY_BYTES + 1), headers={"Content-Type": "application/json"})
    assert reply.status_code == 413


def test_a_bad_content_length_is_a_client_error(client: TestClient) -> None:
    reply = client.post("/api/web/ask", content=b"{}", headers={"Content-Length": "abc"})
    assert reply.status_code == 400


def test_ordinary_requests_are_served_as_before(client: TestClient) -> None:
    assert client.get("/").status_code == 200  # the web chat's cookie
    reply = client.post("/api/web/ask", json={"org": "stone-bay-school", "question": "can I add a pupil [on] facebook?"})
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with FakeSlackApi() as fake, built_runtime(tmp_path, map_platforms) as runtime:
        with live_server(build_app(runtime, chores=False, adapters=_adapters(runtime, fake))) as url:  # type: ignore[arg-type]
            yield url


def _raw(url: str, head: bytes, chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """Send *head* then *chunks* until the server answers; its status line and the body bytes sent."""
    parts = urlsplit(url)
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        for chunk in chunks:
            try:
                answer = sock.recv(200)
                if answer:
                    return answer.split(b"\r\n", 1)[0], sent
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.sendall(chunk)
                sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            finally:
                sock.setblocking(False)
        sock.setblocking(True)
        return sock.recv(200).split(b"\r\n", 1)[0], sent


@pytest.mark.slow
def test_a_declared_300_mb_body_is_refused_before_a_byte_is_read(server: str) -> None:
    head = (b"POST /api/web/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 300000000\r\n\r\n")
    status, sent = _raw(server, head, iter([]))
    assert status == b"HTTP/1.1 413 Request Entity Too Large" and sent == 0


@pytest.mark.slow
def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(server: str) -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = b"x" * 65536
    chunks = (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(300_000_000 // len(piece)))
    status, sent = _raw(server, head, chunks)
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent < 20 * MAX_BODY_BYTES  # what the socket buffers held when the answer came, not 300 MB
