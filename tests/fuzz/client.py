"""A raw HTTP/1.1 client for fuzzing: sends exactly the bytes a generated request describes (any method,
any target, header bytes outside ASCII, a Content-Length that lies, a body that is not UTF-8), which httpx
and http.client refuse to send, and reads one response back.

    result = send(host, port, request.wire(), half_close=request.truncated)
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass, field

READ_LIMIT = 64 * 1024 * 1024  # no answer of ours is anywhere near this: a guard, not a limit we expect


@dataclass
class Result:
    status: int  # 0: no response at all (the connection closed or reset first)
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    error: str = ""  # why there was no (complete) response: "timeout", "reset", "closed"
    seconds: float = 0.0

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def send(host: str, port: int, data: bytes, *, half_close: bool = False, timeout: float = 30.0,
         method: str = "GET") -> Result:
    """Send *data* (a whole request, head and body) on a new connection and read one response.
    *half_close* shuts our side for writing once sent: a server waiting for body bytes a lying
    Content-Length promised then sees the end of the stream instead of waiting for ever."""
    started = time.monotonic()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.settimeout(timeout)
        error = ""
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # refused early (413) and closed, or reset: its answer may be waiting all the same
            error = "reset while sending"
        result = _read_response(sock, timeout, head_only=method.upper() == "HEAD")
        if not result.error and error and result.status == 0:
            result.error = error
        result.seconds = time.monotonic() - started
        return result
    finally:
        sock.close()


def stream(host: str, port: int, head: bytes, chunk: bytes, total: int, *, chunked: bool = False,
           timeout: float = 60.0) -> tuple[Result, int]:
    """Send *head*, then up to *total* body bytes in *chunk*s (HTTP chunked framing if *chunked*), stopping as
    soon as the server answers or closes; the response and how many body bytes were sent."""
    sock = socket.create_connection((host, port), timeout=timeout)
    sent = 0
    try:
        sock.settimeout(timeout)
        sock.sendall(head)
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:  # an answer (or a close) before the body is all sent
                    break
                piece = chunk[: total - sent]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        return _read_response(sock, timeout), sent
    finally:
        sock.close()


def _read_response(sock: socket.socket, timeout: float, head_only: bool = False) -> Result:
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while b"\r\n\r\n" not in buf:
            piece = _recv(sock, deadline)
            if not piece:
                return Result(0, error="closed" if not buf else "closed mid-head")
            buf += piece
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if 100 <= status < 200 and status != 101:  # "100 Continue" (we sent Expect): the answer follows
            return _read_rest(sock, rest, deadline, timeout, head_only)
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(b":") for line in lines[1:])]
        result = Result(status, headers)
        if head_only or status in (204, 304, 101):
            return result
        length = result.header(b"content-length")
        if length is not None and length.isdigit():
            while len(rest) < int(length):
                piece = _recv(sock, deadline)
                if not piece:
                    result.error = "closed mid-body"
                    break
                rest += piece
        elif (result.header(b"transfer-encoding") or b"").lower() == b"chunked":
            while not rest.endswith(b"0\r\n\r\n") and len(rest) < READ_LIMIT:
                piece = _recv(sock, deadline)
                if not piece:
                    break
                rest += piece
            rest = _dechunk(rest)
        else:
            while len(rest) < READ_LIMIT:
                piece = _recv(sock, deadline)
                if not piece:
                    break
                rest += piece
        result.body = rest
        return result
    except TimeoutError:
        return Result(0, error="timeout")
    except OSError:
        return Result(0, error="reset")


def _read_rest(sock: socket.socket, buf: bytes, deadline: float, timeout: float, head_only: bool) -> Result:
    """The response after an interim one, *buf* holding what was already received of it."""
    class _Replay:
        def __init__(self) -> None:
            self.pending = buf

        def recv(self, n: int) -> bytes:
            if self.pending:
                out, self.pending = self.pending[:n], self.pending[n:]
                return out
            return sock.recv(n)

        def settimeout(self, t: float) -> None:
            sock.settimeout(t)

    return _read_response(_Replay(), max(deadline - time.monotonic(), 0.001), head_only)  # type: ignore[arg-type]


def _recv(sock: socket.socket, deadline: float) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    sock.settimeout(left)
    return sock.recv(65536)


def _dechunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out
