"""Start time and memory of `policybot serve` on a synthetic trust (a benchmark, not a timed test):

    .venv/bin/python benchmarks/start_memory.py [--work var/bench] [--checkout PATH --label before]
                                                [--replicas 2] [--questions 60] [--no-write]

  * the index: benchmarks/trust.py's synthetic trust (1 trust + 50 schools x 30 policies, 241,740 clauses,
    random unit vectors for the embeddings, terms analysed as the indexer does), written once into
    WORK/<label>/ by a child process with the serving code on its path (--checkout: another checkout's code
    on PYTHONPATH, so its own index format) and reused while neither the code nor the generator changes.
  * each replica: `python -m bot serve --port <free port>` as a real process (SQLite log in a temp folder, the
    exported ONNX model cached under WORK/models beforehand so no replica pays for the one-off export).
    /healthz is polled every 20 ms from the moment the process is spawned: seconds to the first answer
    (its status: 503 "starting" is expected) and to the first 200.
  * memory once ready (and again after the questions): VmRSS, RssAnon and RssFile from /proc/PID/status and
    Pss from /proc/PID/smaps_rollup. Replicas run one after another on the same index and stay up together,
    so the second one's figures show what memory-mapped index files let them share (Pss splits shared pages
    between the processes that map them; RSS counts them in each).
  * per-question latency: --questions questions (benchmarks/speed.py's QUESTIONS, round robin over schools
    and the trust) through POST /api/web/ask on the first replica, one at a time, after 5 untimed; p50/p90.
    The quoted passages of every answer are hashed, so two runs (before/after) can be checked for
    identical answers.
Writes benchmarks/results/start_memory.{json,md} (the json keeps every label's run; the md shows them all).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.speed import QUESTIONS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TARGET_READY_S = 15.0
TARGET_RSS_GB = 1.2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthz(port: int) -> tuple[int | None, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return int(r.status), json.loads(r.read())
    except urllib.error.HTTPError as exc:
        try:
            return int(exc.code), json.loads(exc.read())
        except ValueError:
            return int(exc.code), {}
    except OSError:
        return None, {}


def ask(port: int, org: str, question: str, cookie: str) -> tuple[float, dict[str, object]]:
    body = json.dumps({"question": question, "org": org}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/web/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Cookie": f"policybot_web={cookie}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as r:
        reply = json.loads(r.read())
    return time.perf_counter() - start, reply


def memory(pid: int) -> dict[str, int]:
    """KiB: VmRSS, RssAnon, RssFile, VmHWM from /proc/PID/status; Pss from /proc/PID/smaps_rollup."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
            out[key] = int(line.split()[1])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, every thread) the process has used: on cores shared with other work,
    what its start costs whatever the wall clock says."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


def environment(work: Path, models: Path, checkout: Path | None) -> dict[str, str]:
    env = {**os.environ, "POLICYBOT_DATABASE_URL": f"sqlite:///{work}/log.db",
           "POLICYBOT_SPOOL_FILE": str(work / "spool.jsonl"), "POLICYBOT_SECRET_KEY_FILE": str(work / "secret.key"),
           "POLICYBOT_MODEL_CACHE_DIR": str(models), "POLICYBOT_ENVIRONMENT": "development",
           "POLICYBOT_RATE_LIMIT_PER_MINUTE": "600", "POLICYBOT_RATE_LIMIT_BURST": "100"}
    env.pop("PYTHONPATH", None)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    return env


class Replica:
    def __init__(self, index: dict[str, object], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.start = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(self.port),
                                      "--corpus", str(index["corpus"]), "--index", str(index["index"])],
                                     env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float) -> dict[str, object]:
        first: dict[str, object] | None = None
        ready = None
        body: dict[str, object] = {}
        while ready is None and time.perf_counter() - self.start < timeout and self.proc.poll() is None:
            status, body = healthz(self.port)
            now = round(time.perf_counter() - self.start, 2)
            if status is not None and first is None:
                first = {"s": now, "status": status, "said": body.get("status")}
            if status == 200:
                ready = now
            else:
                time.sleep(0.02)
        if ready is None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"not ready in {timeout} s (exit code {self.proc.poll()}):\n{tail}")
        return {"first_healthz": first, "ready_s": ready, "started_in_s": body.get("started_in_s"),
                "cpu_s_to_ready": cpu_seconds(self.proc.pid), "memory_ready_kib": memory(self.proc.pid)}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def questions(port: int, orgs: list[str], n: int) -> dict[str, object]:
    plan = [(orgs[i % len(orgs)], QUESTIONS[i % len(QUESTIONS)]) for i in range(n + 5)]
    took: list[float] = []
    digest = hashlib.sha256()
    answered = 0
    for i, (org, q) in enumerate(plan):
        latency, reply = ask(port, org, q, cookie=f"bench-{i}")
        answer = reply.get("answer") or {}
        if not isinstance(answer, dict):
            raise RuntimeError(f"no answer to {q!r} for {org}: {reply}")
        passages = [(p.get("source"), p.get("section"), p.get("text")) for p in answer.get("passages", [])]
        digest.update(json.dumps([org, q, answer.get("answered"), passages]).encode())
        if i >= 5:
            took.append(latency)
            answered += bool(answer.get("answered"))
    ms = sorted(t * 1000 for t in took)
    return {"n": len(took), "p50_ms": round(statistics.median(ms), 1),
            "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1), "answered": answered, "answers_sha256": digest.hexdigest()[:16]}


def run(args: argparse.Namespace) -> dict[str, object]:
    work = args.work.resolve()
    checkout = args.checkout.resolve() if args.checkout else None
    out = work / f"trust-{args.label}"
    env_write = {**os.environ}
    env_write.pop("PYTHONPATH", None)
    if checkout is not None:
        env_write["PYTHONPATH"] = str(checkout)
    print(f"[{time.strftime('%H:%M:%S')}] writing (or reusing) the synthetic trust's index in {out}", file=sys.stderr)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "trust.py"), str(out),
                           "--cache", str(work / "trust-cache")], env=env_write, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    index = json.loads(done.stdout.strip().splitlines()[-1])
    models = work / "models"
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from bot.retrieval.embeddings import SentenceTransformerEmbedder as E; "
                    "print(E(cache_dir=Path(sys.argv[1])).load())", str(models)],
                   env=env_write, cwd=ROOT, check=True, capture_output=True)
    sizes = {p.name: p.stat().st_size for p in Path(str(index["index"])).iterdir() if p.is_file()}
    report: dict[str, object] = {
        "label": args.label, "checkout": str(checkout or ROOT), "commit": _commit(checkout or ROOT),
        "cores": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()],
        "index": {k: index[k] for k in ("clauses", "documents", "organisations")},
        "index_files_mib": {k: round(v / 2**20, 1) for k, v in sorted(sizes.items())}, "replicas": []}
    replicas: list[Replica] = []
    with tempfile.TemporaryDirectory(prefix="policybot-start-memory-") as tmp:
        try:
            for r in range(args.replicas):
                rwork = Path(tmp) / f"replica-{r}"
                rwork.mkdir()
                print(f"[{time.strftime('%H:%M:%S')}] starting replica {r}", file=sys.stderr)
                replica = Replica(index, environment(rwork, models, checkout), rwork, rwork / "server.log")
                replicas.append(replica)
                report["replicas"].append(replica.wait_ready(args.timeout))  # type: ignore[union-attr]
            orgs = sorted(json.loads((Path(str(index["index"])) / "manifest.json").read_text())["orgs"],
                          key=lambda o: o["slug"])
            slugs = [o["slug"] for o in orgs]
            print(f"[{time.strftime('%H:%M:%S')}] {args.questions} questions", file=sys.stderr)
            report["questions"] = questions(replicas[0].port, slugs, args.questions)
            for replica, entry in zip(replicas, report["replicas"]):  # type: ignore[call-overload]
                entry["memory_after_questions_kib"] = memory(replica.proc.pid)
        finally:
            for replica in replicas:
                replica.stop()
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def _commit(path: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=path, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "bot"], cwd=path, capture_output=True, text=True)
    return done.stdout.strip() + (" + uncommitted changes under bot/" if dirty.stdout.strip() else "")


def _gib(kib: int | None) -> str:
    return f"{kib / 2**20:.2f}" if kib else "-"


def markdown(runs: dict[str, dict]) -> str:
    lines = ["# Start time and memory: a synthetic trust", "",
             "`benchmarks/start_memory.py`: 1 trust + 50 schools x 30 policies (benchmarks/trust.py), random unit "
             "vectors for the embeddings; each replica a real `policybot serve` process polled from its spawn. "
             f"Targets: ready <= {TARGET_READY_S:.0f} s, RSS <= {TARGET_RSS_GB} GB per replica, p50 unchanged, "
             "503 \"starting\" from the first second.", ""]
    for label, r in runs.items():
        ix = r["index"]
        lines += [f"## {label}", "",
                  f"Commit {r['commit']}, {r['cores']} cores, load average {r['load_before']} before, {r['load_after']} "
                  f"after. Index: {ix['clauses']:,} clauses, {ix['documents']:,} documents, {ix['organisations']} "
                  f"organisations; files (MiB): " + ", ".join(f"{k} {v}" for k, v in r["index_files_mib"].items()), "",
                  "| replica | first /healthz (s, status) | ready (s) | CPU s to ready | RSS ready (GiB) | RssAnon | "
                  "RssFile | Pss | RSS after questions | Pss after |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, rep in enumerate(r["replicas"]):
            f, m, a = rep["first_healthz"], rep["memory_ready_kib"], rep.get("memory_after_questions_kib", {})
            lines.append(f"| {n} | {f['s']} ({f['status']} {f['said']}) | {rep['ready_s']} | "
                         f"{rep.get('cpu_s_to_ready', '-')} | {_gib(m.get('VmRSS'))} | "
                         f"{_gib(m.get('RssAnon'))} | {_gib(m.get('RssFile'))} | {_gib(m.get('Pss'))} | "
                         f"{_gib(a.get('VmRSS'))} | {_gib(a.get('Pss'))} |")
        q = r["questions"]
        lines += ["", f"Questions through /api/web/ask on replica 0: {q['n']} timed, p50 {q['p50_ms']} ms, p90 "
                  f"{q['p90_ms']} ms, {q['answered']} answered; answers digest `{q['answers_sha256']}`.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--checkout", type=Path, default=None, help="serve another checkout's code (PYTHONPATH)")
    parser.add_argument("--label", default="after")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    report = run(args)
    print(json.dumps(report, indent=1))
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "start_memory.json"
        runs = json.loads(path.read_text()) if path.is_file() else {}
        runs[args.label] = report
        path.write_text(json.dumps(runs, indent=1) + "\n")
        (RESULTS / "start_memory.md").write_text(markdown(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
