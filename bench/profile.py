"""Where a scenario's time goes: py-spy samples of the service's workers while the scenario runs.

For a target RESULTS.md reports as missed, this says what the time is spent on. It samples the
uvicorn workers (`py-spy record --subprocesses --idle`, 100 Hz) while one scenario is sent, by
wrk for the repeatable reads and the mixed load, by httpx for reviews (each used once) and the
reports, then keeps the samples of threads that are handling a request (a frame of app/, FastAPI
or Starlette on the stack: idle event loops and thread-pool threads are dropped) and prints:

- the share of those samples by what the innermost frame is doing: waiting on PostgreSQL
  (psycopg's wait), SQLAlchemy, Pydantic, the JSON encoder, the token check, FastAPI/Starlette,
  the service's own code (app/...), and the rest;
- the app/ functions with the largest inclusive share (on the stack in that many samples).

py-spy comes from PyPI (`.venv/bin/pip install py-spy`); it needs ptrace, which root has here.

    .venv/bin/python bench/profile.py --server-pid <familyhub serve pid> --scenario episode \\
        --base-url http://127.0.0.1:18765 --seconds 20 --out bench/out/profile-episode.txt
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.settings import Settings
from bench import chronology, load, wrk

WRK_SCENARIOS = {"episode", "family", "caseload", "worklist", "overdue_hub", "mixed", "chronology"}
"""`chronology`: the first page of a long family's timeline, as bench/chronology.py sends it."""
HTTPX_SCENARIOS = {
    "review",
    "sf_claims_report",
    "quarterly_progress",
    "early_help_measures",
    "timeliness_summary",
}

BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("waiting on PostgreSQL (psycopg's wait)", ("(psycopg/waiting.py",)),
    ("psycopg (Python side)", ("(psycopg/",)),
    ("SQLAlchemy", ("(sqlalchemy/",)),
    ("Pydantic", ("(pydantic/", "(pydantic_core")),
    ("JSON encoding/decoding", ("(json/", "(orjson")),
    ("token check (jose, cryptography, hmac)", ("(jose/", "(cryptography/", "(hmac.py", "(hashlib")),
    ("FastAPI / Starlette / anyio / uvicorn", ("(fastapi/", "(starlette/", "(anyio/", "(uvicorn/", "(h11/", "(httptools")),
    ("app/domain", ("(app/domain/",)),
    ("app/services", ("(app/services/",)),
    ("app/db", ("(app/db/",)),
    ("app/api", ("(app/api/",)),
    ("app (other)", ("(app/",)),
]  # fmt: skip
"""Checked in order against the innermost frame ('Class.function (package/file.py:line)');
the first that matches names the bucket."""


IDLE_LEAVES = ("(threading.py", "(selectors.py", "(queue.py", "(multiprocessing/")
"""A thread waiting for work: the thread pool's idle threads, the audit sealer between rounds,
the supervisor."""


def _busy(frames: list[str]) -> bool:
    """A thread handling a request (or sealing the audit entries requests wrote); the change
    listener's thread (always waiting for a NOTIFY) is not."""
    if any("PostgresListener" in f for f in frames) or frames[-1].split(" (")[-1].startswith(
        tuple(x.lstrip("(") for x in IDLE_LEAVES)
    ):
        return False
    return any("(app/" in f or "(fastapi/" in f or "(starlette/routing" in f for f in frames)


def _bucket(leaf: str) -> str:
    if leaf.startswith("Connection.wait ") and "(psycopg/" in leaf:
        return BUCKETS[0][0]  # the C wait for the server's answer
    for name, needles in BUCKETS:
        if any(n in leaf for n in needles):
            return name
    return "other (stdlib, C extensions)"


def summarise(raw: str, top: int = 25) -> str:
    """Collapsed stacks (py-spy's raw format: frames separated by ';', then a count) as tables."""
    by_bucket: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    busy = idle = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if not _busy(frames):
            idle += count
            continue
        busy += count
        by_bucket[_bucket(frames[-1])] += count
        for f in dict.fromkeys(_function(f) for f in frames if "(app/" in f):
            inclusive[f] += count
    out = [
        f"{busy} samples of threads handling a request ({idle} idle samples dropped)",
        "",
        "| Innermost frame | share of busy samples |",
        "|---|---|",
    ]
    out += [f"| {name} | {n / busy:.0%} |" for name, n in by_bucket.most_common()] if busy else []
    out += ["", "| app/ function (inclusive) | share of busy samples |", "|---|---|"]
    out += (
        [f"| {name} | {n / busy:.0%} |" for name, n in inclusive.most_common(top)] if busy else []
    )
    return "\n".join(out)


def _function(frame: str) -> str:
    """'Class.name (app/x.py:12)' -> 'app/x.py:Class.name' (each function counted once)."""
    name, _, where = frame.partition(" (")
    return f"{where.rstrip(')').rsplit(':', 1)[0]}:{name}"


def _send_with_httpx(a: argparse.Namespace, fx: load.Fixture, scenario: str) -> None:
    sc = load.Scenarios(fx, seed=29)
    make = getattr(sc, scenario)

    async def go() -> None:
        async with httpx.AsyncClient(base_url=a.base_url, timeout=300) as client:
            stats = await load.run_fixed(
                client, fx, scenario, make, a.n, a.clients, max_seconds=a.seconds
            )
            print(f"  sent {stats.as_dict()}", flush=True)

    asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:18765")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FAMILYHUB_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench"
        ),
    )
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument(
        "--scenario", required=True, choices=sorted(WRK_SCENARIOS | HTTPX_SCENARIOS)
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("-n", type=int, default=200, help="requests (httpx scenarios)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--out", type=Path, required=True)
    a = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    # Reviews are used once (each episode is reviewed once a day): look through every lead's
    # caseload for them, since load.py's run has used up those of its 40 leads.
    everyone = a.scenario == "review"
    fx = load.discover(a.database_url, a.today, 10_000 if everyone else 40, 100_000)
    a.n = min(a.n, len(fx.reviews)) if everyone else a.n
    load.mint_tokens(fx, Settings())
    with tempfile.TemporaryDirectory(prefix="familyhub-profile-") as folder:
        raw = Path(folder) / "stacks.txt"
        spy = subprocess.Popen(
            [
                py_spy, "record", "--pid", str(a.server_pid), "--subprocesses", "--idle",
                "--rate", "100", "--format", "raw", "--output", str(raw),
                "--duration", str(round(a.seconds) + 3),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        time.sleep(2)  # py-spy attaches to every worker first
        if a.scenario == "chronology":
            families = chronology.discover(a.database_url)
            fx = chronology.fixture(families, Settings(), a.today)
            make = chronology.ChronologyScenario(fx, families, seed=29).chronology
            row = wrk.run(
                a.base_url, fx.tokens, a.scenario, make, connections=a.clients, seconds=a.seconds
            )
            print(f"  sent {row}", flush=True)
        elif a.scenario in WRK_SCENARIOS:
            sc = load.Scenarios(fx, seed=29)
            if a.scenario == "mixed":
                make = load._unnamed(load.mixed_requests(fx, sc, load.MIX))
            else:
                make = getattr(sc, a.scenario)
            row = wrk.run(
                a.base_url, fx.tokens, a.scenario, make, connections=a.clients, seconds=a.seconds
            )
            print(f"  sent {row}", flush=True)
        else:
            _send_with_httpx(a, fx, a.scenario)
        _, err = spy.communicate()
        if not raw.exists():
            raise SystemExit(f"py-spy wrote nothing: {err}")
        text = summarise(raw.read_text())
    header = f"Profile of `{a.scenario}`, {a.clients} clients, {a.seconds:.0f} s (bench/profile.py)"
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(header + "\n\n" + text + "\n")
    print(header + "\n\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
