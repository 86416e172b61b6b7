"""A family's chronology at county scale (issue 19): the first page of a long timeline, read by
the family's lead, beside the ceiling.

The families come from the generated data: `generate.py` gives every 10,000th family (references
BF-0000000, BF-0010000 ...) back-to-back episodes over five years with a contact most working
days, so each timeline holds well over 500 entries. Each request is
`GET /api/v1/families/{id}/chronology` (first page of 50, oldest first) as the lead of the
family's latest episode, who reads the whole record. The service builds the page from the whole
record (every consent, episode step, meeting, significant contact, document ... of the family),
so the page's cost follows the length of the family's history, not the page's.

As in `load.py`, each run is paired with a run of the ceiling (bench/ceiling.py) just before it,
same driver, same clients, same count (httpx) or time (wrk), reading the same families' episodes,
and reported as a share of it. Target: p95 under 50 ms with 4 clients.

    .venv/bin/python bench/chronology.py --base-url http://127.0.0.1:18765 \\
        --ceiling-url http://127.0.0.1:18766 --out bench/out/chronology.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api.security import issue_local_token
from app.db.engine import make_engine
from app.db.models import EpisodeRow, FamilyRow, PractitionerRow
from app.settings import Settings
from bench import wrk
from bench.generate import long_history_references
from bench.load import API, Fixture, Scenarios, Stats, _send, _with_ceiling, run_fixed
from bench.wrk import Request

TARGET_P95_MS = 50.0
PAGE = 50
"""The API's default page size: what a practitioner's screen asks for first."""


@dataclass(frozen=True)
class LongFamily:
    family_id: uuid.UUID
    reference: str
    lead: str
    """The email of the lead of the family's latest episode."""
    episode_ids: list[str]


def discover(database_url: str) -> list[LongFamily]:
    """The long-history families of the data set and the lead of each one's latest episode."""
    engine = make_engine(database_url)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(FamilyRow)).scalar_one()
        references = long_history_references(int(total))
        rows = conn.execute(
            select(
                FamilyRow.id,
                FamilyRow.reference,
                EpisodeRow.id.label("episode_id"),
                PractitionerRow.email,
            )
            .join(EpisodeRow, EpisodeRow.family_id == FamilyRow.id)
            .join(PractitionerRow, PractitionerRow.id == EpisodeRow.lead_practitioner_id)
            .where(FamilyRow.reference.in_(references))
            .order_by(FamilyRow.reference, EpisodeRow.requested_on)
        ).all()
    engine.dispose()
    by_family: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_family.setdefault(row.id, []).append(row)
    return [
        LongFamily(
            family_id=family_id,
            reference=found[-1].reference,
            lead=found[-1].email,
            episode_ids=[str(r.episode_id) for r in found],
        )
        for family_id, found in by_family.items()
    ]


class ChronologyScenario(Scenarios):
    """The first page of a long family's chronology as its lead; the ceiling reads one of the
    same families' episodes as that lead."""

    def __init__(self, fx: Fixture, families: list[LongFamily], seed: int) -> None:
        super().__init__(fx, seed)
        self.families = families

    def chronology(self) -> Request:
        family = self.rng.choice(self.families)
        path = f"{API}/families/{family.family_id}/chronology?limit={PAGE}"
        return ("GET", path, family.lead, {}, None)


def fixture(families: list[LongFamily], settings: Settings, today: date) -> Fixture:
    leads = sorted({f.lead for f in families})
    fx = Fixture(
        today=today,
        leads=leads,
        episodes_by_lead={
            lead: [e for f in families if f.lead == lead for e in f.episode_ids] for lead in leads
        },
        families_by_lead={
            lead: [str(f.family_id) for f in families if f.lead == lead] for lead in leads
        },
        reviews=[],
        link_worker="",
        link_hub_id="",
        manager="",
        reporting="",
    )
    assert settings.auth_hs256_secret is not None
    now = datetime.now(UTC)
    for email in leads:
        fx.tokens[email] = issue_local_token(
            subject=email,
            secret=settings.auth_hs256_secret.get_secret_value(),
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            now=now,
            lifetime=timedelta(hours=4),
        )
    return fx


async def timeline_lengths(
    client: httpx.AsyncClient, fx: Fixture, families: list[LongFamily]
) -> dict[str, int]:
    """How many entries each family's whole timeline holds, by walking its pages (untimed)."""
    lengths: dict[str, int] = {}
    for family in families:
        count, cursor = 0, None
        while True:
            path = f"{API}/families/{family.family_id}/chronology?limit=200"
            path += f"&cursor={cursor}" if cursor else ""
            response = await _send(client, fx, ("GET", path, family.lead, {}, None), Stats("walk"))
            if response is None or response.status_code != 200:
                raise RuntimeError(f"reading {family.reference}'s chronology failed: {response}")
            body = response.json()
            count += len(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        lengths[family.reference] = count
    return lengths


def _line(d: dict[str, Any], driver: str) -> str:
    share = d.get("share_of_ceiling")
    return (
        f"  {driver:5s} {d['scenario']:38s} n={d['count']:5d} {d['throughput_rps']} req/s "
        f"p50={d['p50_ms']} p95={d['p95_ms']} p99={d['p99_ms']} err={d['errors']}"
        + (f" | ceiling {d['ceiling_rps']} req/s, share {share:.0%}" if share else "")
    )


async def main_async(a: argparse.Namespace) -> dict[str, Any]:
    families = discover(a.database_url)
    if not families:
        raise SystemExit(
            "no long-history family in the data set: generate it with bench/generate.py"
        )
    fx = fixture(families, Settings(), a.today)
    sc = ChronologyScenario(fx, families, seed=3)
    ceiling_sc = ChronologyScenario(fx, families, seed=5)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
        "families": [f.reference for f in families],
        "page": PAGE,
        "target_p95_ms": TARGET_P95_MS,
        "scenarios": [],
        "wrk_scenarios": [],
    }
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with (
        httpx.AsyncClient(base_url=a.base_url, limits=limits, timeout=a.timeout) as client,
        httpx.AsyncClient(base_url=a.ceiling_url or a.base_url, limits=limits) as ceiling_client,
    ):
        results["timeline_lengths"] = await timeline_lengths(client, fx, families)
        print(f"families and their timelines' lengths: {results['timeline_lengths']}", flush=True)
        warm = Stats("warm-up")
        for _ in range(20):
            await _send(client, fx, sc.chronology(), warm)
            if a.ceiling_url:
                await _send(ceiling_client, fx, ceiling_sc.ceiling(), warm)
        for clients in a.clients:
            name = f"chronology, first page ({clients} clients)"
            ceiling = None
            if a.ceiling_url:
                ceiling = await run_fixed(
                    ceiling_client, fx, "ceiling", ceiling_sc.ceiling, a.n, clients, a.max_seconds
                )
            stats = await run_fixed(client, fx, name, sc.chronology, a.n, clients, a.max_seconds)
            d = _with_ceiling(stats.as_dict(), ceiling.as_dict() if ceiling else None)
            results["scenarios"].append(d)
            print(_line(d, "httpx"), flush=True)
    if wrk.available():
        for clients in a.clients:
            name = f"chronology, first page ({clients} clients)"
            ceiling_row = None
            if a.ceiling_url:
                ceiling_row = await asyncio.to_thread(
                    wrk.run,
                    a.ceiling_url,
                    fx.tokens,
                    "ceiling",
                    ceiling_sc.ceiling,
                    connections=clients,
                    seconds=a.wrk_seconds,
                )
            row = await asyncio.to_thread(
                wrk.run,
                a.base_url,
                fx.tokens,
                name,
                sc.chronology,
                connections=clients,
                seconds=a.wrk_seconds,
            )
            row = _with_ceiling(row, ceiling_row)
            results["wrk_scenarios"].append(row)
            print(_line(row, "wrk"), flush=True)
    else:
        print("  wrk is not installed (apt-get install wrk): its runs are skipped", flush=True)
    results["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    results["finished_at"] = datetime.now(UTC).isoformat()
    return results


def markdown(results: dict[str, Any]) -> str:
    lengths = ", ".join(f"{ref}: {n}" for ref, n in results["timeline_lengths"].items())
    out = [
        f"Run {results['started_at']} .. {results['finished_at']}; load average (1/5/15 min) "
        f"before {' '.join(results['loadavg_before'])}, after {' '.join(results['loadavg_after'])}.",
        f"Families (entries in the whole timeline): {lengths}; first page of {results['page']}.",
        "",
        "| Scenario | driver | clients | n | req/s | p50 ms | p95 ms | p99 ms | errors | "
        "ceiling req/s | share | p95 < 50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [("httpx", s) for s in results["scenarios"]]
    rows += [("wrk", s) for s in results["wrk_scenarios"]]
    for driver, s in rows:
        share = s.get("share_of_ceiling")
        met = s["p95_ms"] is not None and s["p95_ms"] < TARGET_P95_MS and s["errors"] == 0
        out.append(
            f"| {s['scenario']} | {driver} | {s['concurrency']} | {s['count']} | "
            f"{s['throughput_rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
            f"{s['errors']} | {s.get('ceiling_rps', '')} | "
            f"{f'{share:.0%}' if share else ''} | {'yes' if met else '**no**'} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:18765")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FAMILYHUB_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench"
        ),
    )
    parser.add_argument("--ceiling-url", help="bench/ceiling.py served beside the service")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("-n", type=int, default=400, help="requests per httpx run")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[4, 1], help="clients of each run, in turn"
    )
    parser.add_argument("--max-seconds", type=float, default=60, help="stop an httpx run after")
    parser.add_argument("--wrk-seconds", type=float, default=15, help="length of each wrk run")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request fails")
    parser.add_argument("--out", type=Path, default=Path("bench/out/chronology.json"))
    a = parser.parse_args(argv)
    results = asyncio.run(main_async(a))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2, default=str))
    table = markdown(results)
    a.out.with_suffix(".md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
