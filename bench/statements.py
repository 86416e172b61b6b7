"""Round trips per request: the SQL statements and commits one request of each scenario costs.

The profiles (bench/profile.py) show the service's threads waiting on PostgreSQL most of the
time; this counts what they wait for. The app runs in-process (`create_app` on an engine this
script listens to) against the benchmark database, and each scenario's requests are sent one
at a time with the lead's token; the ceiling (bench/ceiling.py) costs 2 statements and 1 commit.
Statements of the background audit sealer are counted apart (they touch `audit_seals`).

    .venv/bin/python bench/statements.py --out bench/out/statements.md
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db.engine import make_engine
from app.main import create_app
from app.settings import Settings
from bench import load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FAMILYHUB_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench"
        ),
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("-n", type=int, default=30, help="requests per scenario")
    parser.add_argument("--out", type=Path, required=True)
    a = parser.parse_args(argv)
    settings = Settings()
    fx = load.discover(a.database_url, a.today, 10_000, 100_000)
    load.mint_tokens(fx, settings)
    engine = make_engine(a.database_url)
    counts: Counter[str] = Counter()

    def statement(
        _conn: Any, _cursor: Any, text: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        counts["sealer" if "audit_seals" in text else "statements"] += 1

    def commit(_conn: Any) -> None:
        counts["commits"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    sc = load.Scenarios(fx, seed=31)
    scenarios = [
        ("episode read with deadlines", sc.episode),
        ("family read", sc.family),
        ("caseload (lead, first page)", sc.caseload),
        ("worklist (lead, first page)", sc.worklist),
        ("overdue list, one hub, first page", sc.overdue_hub),
        ("record a review (write)", sc.review),
    ]
    rows = [
        "| Scenario | statements per request | commits per request (the sealer's included) | sealer statements per "
        "request | ms per request (in-process, one at a time) |",
        "|---|---|---|---|---|",
        "| ceiling (bench/ceiling.py) | 2 | 1 | 0 | |",
    ]
    with TestClient(create_app(settings, engine=engine)) as client:
        for _ in range(5):  # warm: caches, prepared statements
            method, path, user, headers, body = sc.episode()
            client.request(method, path, headers={"Authorization": f"Bearer {fx.tokens[user]}"})
        for name, make in scenarios:
            time.sleep(1)  # let the sealer finish the warm-up's entries
            counts.clear()
            started = time.perf_counter()
            statuses: Counter[int] = Counter()
            for _ in range(a.n):
                method, path, user, headers, body = make()
                r = client.request(
                    method,
                    path,
                    headers={"Authorization": f"Bearer {fx.tokens[user]}", **headers},
                    json=body,
                )
                statuses[r.status_code] += 1
            elapsed = (time.perf_counter() - started) / a.n * 1000
            time.sleep(1)  # the sealer's round for these requests
            rows.append(
                f"| {name} | {counts['statements'] / a.n:.1f} | {counts['commits'] / a.n:.1f} | "
                f"{counts['sealer'] / a.n:.1f} | {elapsed:.1f} |"
            )
            print(rows[-1], dict(statuses), flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
