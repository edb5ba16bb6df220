"""`policybot serve`'s port, bound before anything heavy is imported, answering 503 "starting" at once.

Importing the command line, the runtime, SQLAlchemy, the adapters and the server takes seconds (7 s seen
on 2 busy cores) before uvicorn binds its port: a health check or a proxy saw a refused connection, not
"starting". bot.__main__ calls `bind(argv)` first thing (stdlib only): for `serve` it binds the port, and a
thread answers every request with 503 {"status": "starting"} and Retry-After until the real server takes
the same socket over (`take()`, then uvicorn serves it): no connection is refused in between, and one that
is waiting in the backlog at the handover is answered by the real server. With `--workers N` (N > 1)
uvicorn binds the port itself: nothing is bound here.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence

BODY = b'{"status": "starting"}'
RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\n"
            b"connection: close\r\ncontent-length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


class EarlyListener:
    """The bound socket, answered by a thread until take() hands it over."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._answer, name="early-503", daemon=True)
        self._thread.start()

    def _answer(self) -> None:
        self.socket.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(1.0)
                    head = b""
                    while b"\r\n\r\n" not in head and len(head) < 16384:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    conn.sendall(RESPONSE)
                except OSError:
                    pass

    def take(self) -> socket.socket:
        """Stop answering and return the listening socket (blocking again) for the real server."""
        self._stop.set()
        self._thread.join()
        self.socket.settimeout(None)
        return self.socket


_listener: EarlyListener | None = None


def bind(argv: Sequence[str]) -> EarlyListener | None:
    """For `serve` (one worker), bind its --host/--port now and answer "starting"; None otherwise, or
    when the arguments are not plain enough to read here (typer reads them again and reports errors)."""
    global _listener
    address = _address(argv)
    if address is None:
        return None
    sock = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        return None  # the port is taken or not ours: uvicorn says so in its own words
    _listener = EarlyListener(sock)
    return _listener


def take() -> socket.socket | None:
    """The socket bound by bind(), handed over (None if nothing was bound)."""
    global _listener
    listener, _listener = _listener, None
    return listener.take() if listener is not None else None


def _address(argv: Sequence[str]) -> tuple[str, int] | None:
    args = list(argv)
    if not args or args[0] != "serve" or any(a in ("--help", "-h") for a in args):
        return None
    values = {"--host": "127.0.0.1", "--port": "8000", "--workers": "1"}  # serve's defaults (bot/cli/serve.py)
    i = 1
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name in values:
            if not eq:
                if i + 1 >= len(args):
                    return None
                value = args[i + 1]
                i += 1
            values[name] = value
        i += 1
    try:
        port, workers = int(values["--port"]), int(values["--workers"])
    except ValueError:
        return None
    if workers != 1 or not 0 < port < 65536:
        return None
    return values["--host"], port
