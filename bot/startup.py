"""The server's runtime, built in the background while the server already answers.

Loading the index, building every organisation's scope, loading the embedding model and migrating the
log's database take seconds (minutes on a large index before the analysed terms were stored); a server
that bound its port only afterwards looked dead to its health check and to chat platforms all that time.
Now it binds at once: /healthz says "starting" (503) until the runtime is ready, then "ok" (200); a
start-up that failed says so (503, with the error), and the log has the traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.adapters.base import Adapter
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ready:
    runtime: Runtime
    adapters: Sequence[Adapter] = ()


Builder = Callable[[], Ready]


@dataclass
class Startup:
    """Runs *build* once, in a thread of its own (start()); the outcome is `ready` or `error`."""

    settings: Settings
    build: Builder
    ready: Ready | None = None
    error: str | None = None
    started_at: float = field(default_factory=time.monotonic)
    took_s: float | None = None
    _done: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @classmethod
    def built(cls, runtime: Runtime, adapters: Sequence[Adapter] = ()) -> Startup:
        """A start-up that is already over (tests and tools that build the runtime themselves)."""
        done = cls(runtime.settings, lambda: Ready(runtime, adapters), ready=Ready(runtime, adapters), took_s=0.0)
        done._done.set()
        return done

    @property
    def status(self) -> str:
        return "ok" if self.ready else "failed" if self.error else "starting"

    def start(self) -> None:
        if self._thread is None and not self._done.is_set():
            self._thread = threading.Thread(target=self._run, name="runtime-startup", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the start-up is over (ready or failed); False on timeout."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            self.ready = self.build()
            self.took_s = round(time.monotonic() - self.started_at, 2)
            log.info("ready in %.1f s: %d organisations; chat: %s", self.took_s, len(self.ready.runtime.orgs),
                     ", ".join(a.name for a in self.ready.adapters) or "none")
        except BaseException as exc:  # whatever it was, it must show in /healthz and the log, not vanish
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("start-up failed; /healthz reports it and nothing else is served")
        finally:
            self._done.set()

    def close(self) -> None:
        """Close what the runtime opened, once it is built (waits for a build still running)."""
        if self._thread is not None:
            self._thread.join()
        if self.ready is not None:
            self.ready.runtime.close()
