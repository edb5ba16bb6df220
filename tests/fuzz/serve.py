"""The fuzz server (tests/fuzz/harness.py) as a process of its own, for benchmarks/fuzz.py: its memory is
then the server's alone. It prints one JSON line (its address, pid and the credentials the fuzzer needs),
writes each log record with a traceback to --events as a JSON line as it happens, and stops when its
standard input closes.

    python -m tests.fuzz.serve --base /tmp/x --events /tmp/x/events.jsonl [--database-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import threading
import time
from pathlib import Path

from tests.fuzz.harness import fuzz_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    with fuzz_server(args.base, args.database_url) as server, args.events.open("a", encoding="utf-8") as events:
        print(json.dumps({"url": server.url, "pid": os.getpid(), "creds": dataclasses.asdict(server.creds)}),
              flush=True)
        seen_tb, seen_secret = 0, 0
        while True:
            done = stop.wait(0.2)
            tracebacks = server.capture.since(seen_tb)
            secrets = server.capture.secret_hits[seen_secret:]
            for text in tracebacks:
                events.write(json.dumps({"at": time.time(), "kind": "traceback", "text": text}) + "\n")
            for text in secrets:
                events.write(json.dumps({"at": time.time(), "kind": "secret", "text": text}) + "\n")
            seen_tb, seen_secret = seen_tb + len(tracebacks), seen_secret + len(secrets)
            events.write(json.dumps({"at": time.time(), "kind": "records", "count": server.capture.count,
                                     "spooled": server.runtime.log.spool.pending()}) + "\n")
            events.flush()
            if done:
                break


if __name__ == "__main__":
    main()
