"""What every part of the speed benchmark (benchmarks/speed.py) shares: the questions, the targets, the
measurement helpers (percentiles, memory from /proc, the CPU other processes use during a loop), the
environment recorded with the figures and the command-line options."""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
DIM = 384
K = 3
TARGET_P50_MS = 30.0
TARGET_P99_MS = 60.0
TARGET_SPEEDUP = 4.0

# Questions as staff type them: slang, typos, lower case, about the topics school policies cover.
QUESTIONS = (
    "can i add an ex pupil on insta?",
    "who is the DSL",
    "is it ok to whatsapp a learner",
    "can I accept a friend request from a parent?",
    "am i allowed to post photos of the kids on my facebook",
    "what should I do if a student messages me on snapchat",
    "can i use my personal phone to take pictures on a trip",
    "who do i report a safeguarding concern to?",
    "can I follow former students on twitter once they've left",
    "is it ok to have a private instagram account",
    "can i dm a year 11 about their homework",
    "what happens if i break the social media policy",
    "can parents complain about staff on facebook",
    "who looks after the school's official social media accounts",
    "should my profile be set to private",
    "can I say where I work on my linkedin profile",
    "a parent added me on facebook what do i do",
    "can we set up a class whatsapp group",
    "am I allowed to use social media during lessons",
    "is it okay to text a pupil's mum from my own mobile",
    "what training is there on online safety",
    "can i share a video of sports day on the school page",
    "someone is trolling me online about my job, who do i tell",
    "can i be friends with ex students who are now over 18",
    "can i give my phone number to a pupil",
    "do i need permission before posting pupil pictures",
    "can pupils use their phones in school",
    "who is the headteacher",
    "how often is the social media policy reviewed",
    "can I comment on school matters on my personal account",
    "is tiktok allowed for staff",
    "what counts as cyberbullying",
    "can I contact a learner's carer on whatsapp",
    "am i alowed to message a pupil privatly",
    "can i show a youtube video in class",
    "can a supply teacher post about the school online",
    "what should i do if i see a pupil at risk on social media",
    "who approves a new school social media account",
    "can i use the school account to message parents",
    "do i need to tell anyone if i'm tagged in a photo at work",
    "whats the rule on selfies with students",
    "can I block a parent who is harassing me online",
)

DOC_TITLES = ("Social Media Policy", "Safeguarding and Child Protection Policy", "Staff Code of Conduct",
              "Acceptable Use Policy", "Online Safety Policy", "Mobile Phone and Camera Policy",
              "Data Protection Policy", "Behaviour Policy", "Whistleblowing Policy", "Remote Learning Policy")


def add_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of benchmarks/speed.py, which each part takes too (a part ignores those it has no use for)."""
    parser.add_argument("--quick", action="store_true", help="smoke run: 10,000 clauses, 100 queries, writes nothing")
    parser.add_argument("--queries", type=int, default=None, help="timed queries per corpus (default 500; quick 100)")
    parser.add_argument("--clauses", type=int, default=None, help="synthetic clauses (default 100,000; quick 10,000)")
    parser.add_argument("--seed", type=int, default=20240917)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile of ours on the synthetic corpora")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser


# ---------------------------------------------------------------- measurement helpers

def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(samples_s, dtype=np.float64) * 1000.0
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "mean_ms": round(float(ms.mean()), 2), "max_ms": round(float(ms.max()), 2), "n": int(ms.size)}


def _proc_status(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    except OSError:
        pass
    return None


def rss_kib() -> int | None:
    return _proc_status("VmRSS")


def hwm_kib() -> int | None:
    return _proc_status("VmHWM")


def reset_hwm() -> bool:
    """Reset VmHWM (the kernel's peak-RSS mark) so that a phase's own peak can be read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def maxrss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def load_avg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


class CpuMeter:
    """CPU used by *other* processes while a loop runs (cores on average), from /proc/stat less this
    process's own CPU time: the figures are only clean when this stays near 0."""

    def __init__(self) -> None:
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / self.hz  # all but idle and iowait
        own = os.times()
        return time.perf_counter(), busy, own.user + own.system

    def other_cores(self) -> float | None:
        end = self._sample()
        if self.start is None or end is None or end[0] <= self.start[0]:
            return None
        wall = end[0] - self.start[0]
        return round(max(0.0, (end[1] - self.start[1]) - (end[2] - self.start[2])) / wall, 2)


def settle() -> None:
    gc.unfreeze()
    gc.collect()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file.replace(str(ROOT) + "/", "")


def environment(args: argparse.Namespace) -> dict:
    import torch

    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    return {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count(), "cpu": cpu,
            "platform": platform.platform(), "git_commit": _git("rev-parse", "--short", "HEAD"),
            "bot_dirty": bool(_git("status", "--porcelain", "--", "bot")), "seed": args.seed}


def _git(*a: str) -> str:
    try:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
