"""Time `familyhub import` on a county-sized interchange file, and watch its memory.

Writes N households in the interchange format (docs/import-export.md), varied per household from
its own `random.Random(seed, index)` (1-3 children, stages from just requested to closed, 12 hubs,
40 lead professionals), into a fresh database with the hubs and the directory, then imports the
file through `app.services.interchange.run_import`, as `familyhub import` does, sampling the
process's resident memory every 500 households.

    .venv/bin/python bench/import_bench.py --households 5000            # a fresh SQLite file
    .venv/bin/python bench/import_bench.py --households 5000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.practitioners import Practitioner
from app.services.interchange import HouseholdOutcome, run_import
from app.services.ports import Agency, Hub
from app.services.use_case import Actor
from app.settings import Settings

TODAY = date(2026, 12, 1)
HUBS = [f"H{n:02d}" for n in range(1, 13)]
LEADS = 40
STAGES = ("requested", "assessing", "awaiting_qa", "active", "closed")


def postcode(index: int) -> str:
    """A distinct valid postcode per household, so the duplicate check compares like a county's
    (a few households a postcode), not every household with every other."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"FY{index % 9 + 1} {index // 400 % 10}{letters[index // 20 % 20]}{letters[index % 20]}"


def household(seed: int, index: int) -> dict[str, Any]:
    """One household's story, dated back from TODAY, deterministic in (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    start = TODAY - timedelta(days=rng.randint(120, 700))

    def day(n: int) -> str:
        return (start + timedelta(days=n)).isoformat()

    ref = f"OLD-{index}"
    children = [
        {
            "external_ref": f"{ref}-C{c}",
            "given_name": rng.choice(["Ava", "Noah", "Mia", "Leo", "Isla", "Alfie"]),
            "family_name": f"Family{index}",
            "date_of_birth": date(2010 + rng.randint(0, 12), rng.randint(1, 12), 1).isoformat(),
            "role": "child",
            "joined_on": day(0),
            "identifier_absent_reason": "pending_trace",
        }
        for c in range(rng.randint(1, 3))
    ]
    parent = {
        "external_ref": f"{ref}-P",
        "given_name": rng.choice(["Sarah", "Tom", "Priya", "Dan"]),
        "family_name": f"Family{index}",
        "date_of_birth": "1988-04-02",
        "role": "parent_carer",
        "joined_on": day(0),
    }
    lead = f"lead{rng.randrange(LEADS)}@bench.example"
    hub = HUBS[index % len(HUBS)]
    stage = rng.choice(STAGES)
    episode: dict[str, Any] = {
        "external_ref": f"{ref}-E",
        "source": rng.choice(["school", "health_visitor", "family_asked", "gp"]),
        "level_of_need": rng.choice(["2", "3"]),
        "lead": lead,
        "children": [c["external_ref"] for c in children],
        "requested_on": day(0),
    }
    consents = [
        {
            "external_ref": f"{ref}-K1",
            "purpose": "early_help",
            "given_by": parent["external_ref"],
            "method": "written",
            "given_on": day(5),
        },
        {
            "external_ref": f"{ref}-K2",
            "purpose": "information_sharing",
            "given_by": parent["external_ref"],
            "method": "written",
            "given_on": day(5),
            "sharing_scope": "all_taf_members",
        },
    ]
    if stage != "requested":
        episode["assessment"] = {
            "started_on": day(6),
            "completed_on": None if stage == "assessing" else day(20),
            "strengths": ["Warm relationships"],
            "needs": [
                {
                    "external_ref": f"{ref}-N",
                    "headline": "EDU",
                    "description": "Attendance below 90%",
                    "people": [children[0]["external_ref"]],
                }
            ],
            "child_voice": "Mornings are hard",
            "parents_view": "We need routines",
            "analysis": "Routines at home.",
        }
    if stage in ("awaiting_qa", "active", "closed"):
        decided = stage != "awaiting_qa"
        episode["plan"] = {
            "outcomes": [
                {
                    "external_ref": f"{ref}-O",
                    "description": "Attends every day",
                    "needs": [f"{ref}-N"],
                    "measure": "Attendance above 95%",
                    "baseline_score": 3,
                }
            ],
            "actions": [
                {
                    "description": "Routine chart",
                    "owner_person": parent["external_ref"],
                    "due_on": day(60),
                }
            ],
            "qa_reviews": [
                {
                    "submitted_on": day(24),
                    "decided_on": day(28) if decided else None,
                    "decided_by": "qa@bench.example" if decided else None,
                    "outcome": "approved" if decided else None,
                }
            ],
        }
    if stage in ("active", "closed"):
        episode["taf_members"] = [
            {
                "external_ref": f"{ref}-T",
                "practitioner": "school@bench.example",
                "role": "Attendance officer",
                "joined_on": day(28),
            }
        ]
        episode["meetings"] = [
            {
                "held_on": day(35),
                "attendees": [f"{ref}-T"],
                "family_present": True,
                "child_voice": "shared",
                "progress": [{"outcome": f"{ref}-O", "score": 4}],
                "decision": "close" if stage == "closed" else "continue",
            }
        ]
    if stage == "closed":
        episode["closure"] = {
            "closed_on": day(36),
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Calmer mornings"},
        }
    return {
        "format_version": 1,
        "external_ref": ref,
        "hub_code": hub,
        "address": {"line1": f"{index} Bench Street", "postcode": postcode(index)},
        "people": [parent, *children],
        "relationships": [
            {
                "person": parent["external_ref"],
                "related_person": c["external_ref"],
                "kind": "parent",
            }
            for c in children
        ],
        "consents": copy.deepcopy(consents),
        "episodes": [episode],
    }


def directory(new_uow: Any) -> Actor:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    with new_uow() as uow:
        hubs = []
        for code in HUBS:
            hub = Hub(
                id=uuid.uuid4(), code=code, name=f"{code} Hub", neighbourhood=code, active=True
            )
            uow.reference.add_hub(hub)
            hubs.append(hub.id)
        for code in ("COUNCIL_EH", "SCHOOL"):
            uow.reference.add_agency(Agency(code=code, name=code, kind=code.lower(), active=True))
        people = [
            (f"lead{n}@bench.example", "COUNCIL_EH", {Role.PRACTITIONER}) for n in range(LEADS)
        ]
        people += [
            ("qa@bench.example", "COUNCIL_EH", {Role.QUALITY_ASSURANCE}),
            ("school@bench.example", "SCHOOL", {Role.PRACTITIONER}),
            ("admin@bench.example", "COUNCIL_EH", {Role.ADMIN}),
        ]
        admin = None
        for email, agency, roles in people:
            practitioner = Practitioner(
                id=uuid.uuid4(),
                name=email.split("@")[0],
                email=email,
                agency_code=agency,
                roles=frozenset(roles),
                hub_ids=frozenset(hubs),
            )
            uow.practitioners.add(practitioner, at=at)
            admin = practitioner
        uow.commit()
    assert admin is not None
    return Actor(admin.as_principal())


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261209)
    parser.add_argument("--database-url")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="familyhub-import-"))
    url = args.database_url or f"sqlite:///{work / 'import.sqlite3'}"
    upgrade_to_head(url)
    settings = Settings(env="test", database_url=url)
    factory = make_session_factory(make_engine(url))

    def new_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory, audit_keys=settings.audit_keys())

    admin = directory(new_uow)
    path = work / "households.jsonl"
    with path.open("w") as out:
        for index in range(args.households):
            out.write(json.dumps(household(args.seed, index)) + "\n")
    print(f"wrote {args.households} households ({path.stat().st_size / 2**20:.1f} MiB) to {path}")
    samples: list[tuple[int, float, float]] = []
    started = time.perf_counter()
    cpu_started = time.process_time()

    def progress(outcome: HouseholdOutcome) -> None:
        if outcome.problems:
            print(outcome.problems[0])
        if outcome.line % 500 == 0:
            samples.append((outcome.line, time.perf_counter() - started, rss_mb()))
            print(
                f"{outcome.line:>6} households  {samples[-1][1]:7.1f} s  rss {samples[-1][2]:6.1f} MiB"
            )

    clock = FixedClock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    with path.open("rb") as lines:
        summary = run_import(
            new_uow,
            clock,
            admin,
            lines,
            dry_run=args.dry_run,
            levels=settings.early_help_levels,
            progress=progress,
            keep_problems=0,
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rate = summary.households / elapsed
    print(
        f"{summary.households} households: {summary.imported} imported, {summary.refused} refused"
        f" in {elapsed:.1f} s ({rate:.1f}/s, {1000 / rate:.1f} ms each);"
        f" 50,000 at this rate: {50_000 / rate / 60:.1f} min; CPU {cpu:.1f} s"
        f" ({1000 * cpu / summary.households:.1f} ms each: 50,000 in"
        f" {50_000 * cpu / summary.households / 60:.1f} min of one core)"
    )
    return 0 if summary.refused == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
