"""`policybot serve`'s port is bound and answers "starting" before the heavy imports (bot.early), and the
real server takes the same socket over."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest

from bot import early


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_answers_starting_until_the_server_takes_the_socket_over() -> None:
    port = _free_port()
    listener = early.bind(["serve", "--port", str(port), "--index", "somewhere"])
    assert listener is not None
    try:
        status, headers, body = _get(port)
        assert status == 503 and json.loads(body) == {"status": "starting"}
        assert headers.get("retry-after") == "5"
        sock = early.take()
        assert sock is listener.socket and early.take() is None
    except BaseException:
        listener.take().close()
        raise
    # the same listening socket, now served by "the real server" (here: one answer by hand)
    def serve_one() -> None:
        conn, _ = sock.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")

    thread = threading.Thread(target=serve_one)
    thread.start()
    try:
        assert _get(port)[::2] == (200, b"ok")
    finally:
        thread.join(10)
        sock.close()


@pytest.mark.parametrize(("argv", "address"), [
    (["serve"], ("127.0.0.1", 8000)),
    (["serve", "--host=0.0.0.0", "--port=9001"], ("0.0.0.0", 9001)),
    (["serve", "--corpus", "c", "--port", "9002", "--workers", "1"], ("127.0.0.1", 9002)),
    (["serve", "--workers", "2"], None),  # uvicorn binds for its workers
    (["serve", "--port", "x"], None),  # typer reports it
    (["serve", "--port"], None),
    (["serve", "--help"], None),
    (["index"], None),
    ([], None),
])
def test_which_commands_bind_early(argv: list[str], address: tuple[str, int] | None) -> None:
    assert early._address(argv) == address


def test_a_taken_port_is_left_to_uvicorn_to_report() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert early.bind(["serve", "--port", str(taken.getsockname()[1])]) is None
    assert early.take() is None
