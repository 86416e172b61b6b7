"""CPU time per request, one client at a time: the uvicorn workers' and PostgreSQL's.

Latency on a shared two-core machine depends on who else is busy; CPU seconds per request
depend on it much less, and they bound the throughput two cores can give (2 cores / CPU per
request). Reads the workers' and the database backends' utime + stime from /proc before and
after each scenario. The machine's own speed still drifts over a day, so compare two builds by
running this against both servers in the same window (bench/RESULTS.md does).

    .venv/bin/python bench/cpu_per_request.py --base-url http://127.0.0.1:18765 --server-pid <pid>
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.settings import Settings
from bench.load import (
    API,
    Fixture,
    Scenarios,
    Stats,
    _send,
    discover,
    mint_tokens,
    worker_pids,
)
from bench.wrk import Request

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def backend_pids(database: str) -> list[int]:
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))
        return [r[0] for r in rows]


async def main_async(a: argparse.Namespace) -> None:
    fx = discover(a.database_url, a.today, 20, 300)
    mint_tokens(fx, Settings())
    sc = Scenarios(fx, seed=5)
    workers = worker_pids(a.server_pid)
    async with httpx.AsyncClient(base_url=a.base_url, timeout=120) as client:
        for name in ["episode", "family", "review", "overdue_hub", "caseload", "worklist"]:
            if a.only is None or name in a.only:
                await measure(a, client, fx, workers, name, getattr(sc, name), a.n)
        if a.only is not None and not {"full_sync", "delta_sync"} & set(a.only):
            return
        # No cursor yet: each lead's sync is a full one.
        await measure(a, client, fx, workers, "full_sync", sc.delta_sync, a.n_sync)
        for lead in fx.leads:  # a cursor per lead, so the next syncs are deltas
            r = await _send(client, fx, ("GET", f"{API}/me/changes", lead, {}, None), Stats("x"))
            if r is not None and r.status_code == 200:
                fx.sync_cursors[lead] = r.json()["cursor"]
        await measure(a, client, fx, workers, "delta_sync", sc.delta_sync, a.n_sync)


async def measure(
    a: argparse.Namespace,
    client: httpx.AsyncClient,
    fx: Fixture,
    workers: list[int],
    name: str,
    make: Callable[[], Request],
    n: int,
) -> None:
    done = 0
    try:
        for _ in range(10):  # warm the pools and caches first
            await _send(client, fx, make(), Stats("warm-up"))
        backends = backend_pids(a.database_url.rsplit("/", 1)[1])
        app_before = sum(map(cpu_seconds, workers))
        db_before = sum(map(cpu_seconds, backends))
        stats = Stats(name)
        started = time.perf_counter()
        for _ in range(n):
            await _send(client, fx, make(), stats)
            done += 1
    except StopIteration:  # reviews are used once: a rerun on the same data may run short
        pass
    if done == 0:
        print(f"| {name} | 0 | ran out of records to use | | | |", flush=True)
        return
    wall = (time.perf_counter() - started) / done * 1000
    app = (sum(map(cpu_seconds, workers)) - app_before) / done * 1000
    db = (sum(map(cpu_seconds, backends)) - db_before) / done * 1000
    print(
        f"| {name} | {done} | {wall:.1f} | {app:.1f} | {db:.1f} | {stats.errors} |",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:18765")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FAMILYHUB_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench"
        ),
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("-n", type=int, default=150)
    parser.add_argument("--n-sync", type=int, default=20, help="syncs to time (each is slow)")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="REQUEST",
        help="time only these requests (episode, family, review, overdue_hub, caseload, "
        "worklist, full_sync, delta_sync); a delta sync still takes its cursor from a full one",
    )
    a = parser.parse_args()
    print(
        "| Request | n | wall ms/request | app CPU ms/request | PostgreSQL CPU ms/request | errors |"
    )
    print("|---|---|---|---|---|---|")
    asyncio.run(main_async(a))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
