"""`policybot serve`: the web chat, the platforms that are configured and the SLT dashboard, on one port."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from bot import early
from bot.cli._shared import CorpusOpt, IndexOpt, _fail, _settings, app, out
from bot.errors import PolicybotError
from bot.startup import Startup


@app.command()
def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes on this port, each with "
                                                                  "its own runtime (PostgreSQL only).")] = 1,
          corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Start the server: web chat at /, Slack/Teams/Telegram when configured, SLT dashboard at /slt.
    It answers at once: /healthz says "starting" (503) while the index and model load, "ok" when ready."""
    import uvicorn

    from bot import serving
    from bot.server import build_app

    serving.configure_logging()
    settings = _settings(corpus, index)
    try:
        serving.check_workers(settings, workers)
    except PolicybotError as exc:
        raise _fail(exc) from exc
    out.print(f"policybot starting on http://{host}:{port}/ (SLT dashboard: /slt; /healthz says when it is ready)"
              + (f" with {workers} workers" if workers > 1 else ""))
    # X-Forwarded-For is believed from the proxies POLICYBOT_TRUSTED_PROXIES names, and from nobody else
    # (the dashboard's per-client sign-in limits read the same setting).
    proxy_headers, forwarded_allow_ips = bool(settings.trusted_proxies), settings.trusted_proxies or None
    if workers > 1:  # each worker process imports the factory and builds its own runtime
        given = {k: str(v) for k, v in (("corpus_dir", corpus), ("index_dir", index)) if v is not None}
        os.environ.update(serving.worker_environment(settings, workers, given))
        uvicorn.run(serving.FACTORY, factory=True, workers=workers, host=host, port=port, log_level="info",
                    proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips)
        return
    startup = Startup(settings, lambda: serving.ready(settings))
    bound = early.take()  # the port bound by bot.__main__ before the imports, answering "starting" meanwhile
    try:
        server = uvicorn.Server(uvicorn.Config(build_app(startup), host=host, port=port, log_level="info",
                                                 proxy_headers=proxy_headers,
                                                 forwarded_allow_ips=forwarded_allow_ips))
        server.run(sockets=[bound] if bound is not None else None)
    finally:
        startup.close()
