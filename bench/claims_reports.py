"""The two claims reports, timed in-process: the SF claims report and the quarterly return.

Runs the use cases the API serves (`claims.claims_report`, written out as the API's JSON a batch
of rows at a time, and `measures.quarterly_progress`) against the benchmark database, as the
reporting user, without the HTTP layer, and prints each run's time, the median, the report's size
and the process's peak memory. `--profile FILE` writes cProfile's top functions for one more
run of each. The HTTP figures stay `bench/run.sh`'s; this is for comparing code changes on the
same data quickly.

    FAMILYHUB_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench \\
        .venv/bin/python -m bench.claims_reports --runs 3 --profile bench/out/claims-profile.txt

(as a module: run as a script, bench/profile.py would shadow the standard library's `profile`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api.schemas.claims import ClaimsReportRead
from app.clock import FixedClock
from app.reports_cli import practitioner_acting, report_units_of_work
from app.services import claims, measures
from bench.load import EMAIL_DOMAIN


def _last_quarter_end(today: date) -> date:
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start - timedelta(days=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write cProfile's top functions here")
    a = parser.parse_args(argv)
    new_uow = report_units_of_work()
    clock = FixedClock(
        datetime.combine(a.today, day_time(12)).replace(tzinfo=UTC), ZoneInfo("Europe/London")
    )
    actor = practitioner_acting(new_uow, f"reports@{EMAIL_DOMAIN}")
    end = _last_quarter_end(a.today)

    def claims_report() -> int:
        report = claims.claims_report(new_uow(), clock, actor, end)
        size = sum(len(chunk) for chunk in ClaimsReportRead.json_chunks(report))
        print(f"    {len(report.rows)} rows, {size / 1e6:.1f} MB of JSON")
        return size

    def quarterly() -> int:
        progress = measures.quarterly_progress(new_uow(), clock, actor, quarter_end=end)
        print(f"    claims lines: {progress.claims}")
        return 0

    reports: list[tuple[str, Callable[[], int]]] = [
        (f"SF claims report, period {end}", claims_report),
        (f"quarterly return, quarter ending {end}", quarterly),
    ]
    for name, run in reports:
        print(name)
        times = []
        for _ in range(a.runs):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
            print(f"  {times[-1]:.2f} s")
        print(f"  median {statistics.median(times):.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")
    if a.profile:
        out = io.StringIO()
        for name, run in reports:
            profile = cProfile.Profile()
            profile.runcall(run)
            out.write(f"== {name}\n")
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        a.profile.parent.mkdir(parents=True, exist_ok=True)
        a.profile.write_text(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
