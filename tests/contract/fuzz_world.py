"""A small, real world for the contract fuzz: every kind of record a path can name, and a token per role.

Built through the API (so through the domain rules), on a database of its own: the fuzz commits
what it changes, so it must never share a database with tests that count rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.deps import get_clock
from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import upgrade_to_head
from app.db.repositories.reference import packaged_framework_document
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.outcomes_framework import signed_off
from app.main import create_app
from app.settings import Settings
from tests.api.test_caseload import new_case
from tests.api.test_claims import run_family
from tests.api.test_episodes import API, Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    as_user,
    bearer,
    given_practitioner,
    given_reference_data,
    given_staff,
    make_meeting_body,
)

FUZZ_NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
"""The service's clock while the fuzz runs: after every seeded date."""


@dataclass
class World:
    """What the fuzz needs: the app, a token for each role, and the ids of real records."""

    app: FastAPI
    clock: FixedClock
    tokens: dict[str, str]
    """Authorization header values by a short name for who signs (one or more per role)."""
    cases: list[dict[str, list[str]]] = field(default_factory=list)
    """Per family: every path parameter name → the ids of that family's records of that kind."""
    practitioners: list[str] = field(default_factory=list)
    """Directory entries for `{practitioner_id}`: never one that signs a request, so the fuzz
    cannot lock its own users out by deactivating them."""
    hubs: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    """Practitioners a body may name as a lead or TAF member (the signers among them)."""

    def ids(self, name: str) -> list[str]:
        """Every known id for a path parameter (or body field) name, across all families."""
        if name == "practitioner_id":
            return self.practitioners
        if name == "hub_id":
            return self.hubs
        return [i for case in self.cases for i in case.get(name, [])]


@contextmanager
def fuzz_world(database_url: str) -> Iterator[World]:
    """Migrate a fresh database, seed it through the API and yield the world built on it."""
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        session_factory = make_session_factory(engine)

        def new_uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(session_factory)

        reference = given_reference_data(new_uow)
        staff = given_staff(new_uow, reference)
        people = {
            "auditor": given_practitioner(new_uow, roles={Role.AUDITOR}, name="Aud Auditor"),
            "reports": given_practitioner(new_uow, roles={Role.REPORTING}, name="Reports"),
            "admin": given_practitioner(new_uow, roles={Role.ADMIN}, name="Ada Admin"),
        }
        fodder = [
            given_practitioner(new_uow, roles={Role.PRACTITIONER}, name=f"Fodder {n}")
            for n in range(2)
        ]
        clock = FixedClock(FUZZ_NOW)
        app = create_app(Settings(env="test", database_url=database_url), engine=engine)
        app.dependency_overrides[get_clock] = lambda: clock
        world = World(
            app=app,
            clock=clock,
            tokens={
                "lead": bearer(staff.lead),
                "school_worker": bearer(staff.school_worker),
                "link_worker": bearer(staff.link_worker),
                "qa_officer": bearer(staff.qa_officer),
                "manager": bearer(staff.manager),
                "reports": bearer(people["reports"]),
                "admin": bearer(people["admin"]),
                "auditor": bearer(people["auditor"]),
            },
            practitioners=[str(p) for p in fodder],
            hubs=[str(h) for h in reference.hubs.values()],
            staff=[str(staff.lead), str(staff.other_lead), str(staff.school_worker)],
        )
        with TestClient(app, raise_server_exceptions=True) as client:
            client.headers["Authorization"] = bearer(staff.lead)
            _verify_framework(client, people["admin"])

            # An active episode: consent, assessment, agreed plan, TAF with a meeting, a need.
            on(clock, "2024-11-25")
            active = new_case(client, clock, reference, staff, "Hughes")
            _run_to_active(active, staff.qa_officer, staff.school_worker)

            # An episode run right through the cycle and closed, its family claimed for.
            closed = run_family(client, clock, reference, staff, "Moss")
            with as_user(client, people["reports"]):
                batch = ok(
                    client.post(
                        f"{API}/reports/supporting-families/claims",
                        json={"period_end": "2024-12-31"},
                    ),
                    201,
                )
            world.cases.append(_collect(client, closed))
            world.cases[-1]["claim_id"] = [str(c) for c in batch["raised_claim_ids"]]
            world.cases.append(_collect(client, active))

            # A request not yet assessed, with consent given.
            on(clock, "2025-02-24")
            requested = new_case(client, clock, reference, staff, "Nash")
            give_consent(requested, day="2025-02-24")
            world.cases.append(_collect(client, requested))
        clock.instant = FUZZ_NOW
        yield world
    finally:
        engine.dispose()


def _verify_framework(client: TestClient, admin: uuid.UUID) -> None:
    """The shipped Supporting Families framework, signed off, so needs and claims can be recorded."""
    document = signed_off(packaged_framework_document())
    with as_user(client, admin):
        ok(
            client.post(
                f"{API}/admin/supporting-families/framework",
                json={"document": document, "reason": "Signed off by the SF lead"},
            ),
            201,
        )


def _run_to_active(case: Case, qa_officer: uuid.UUID, school_worker: uuid.UUID) -> None:
    on(case.clock, "2024-12-02")
    give_consent(case)
    give_consent(
        case, "information_sharing", sharing_scope="named_agencies", agency_codes=["SCHOOL"]
    )
    on(case.clock, "2024-12-03")
    _, plan = assess_and_plan(case)
    case.post("/plan-submission")
    on(case.clock, "2024-12-23")
    with as_user(case.client, qa_officer):
        case.post("/qa-decisions", {"outcome": "approved"})
    school = ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={
                "kind": "practitioner",
                "practitioner_id": str(school_worker),
                "role": "Attendance officer",
            },
        ),
        201,
    )
    mum = ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={"kind": "family_member", "person_id": case.person("parent_carer"), "role": "Mum"},
        ),
        201,
    )
    on(case.clock, "2025-01-06")
    case.post(
        "/meetings",
        make_meeting_body(
            "2025-01-06", [school["id"], mum["id"]], outcome_id=plan["outcomes"][0]["id"]
        ),
        status=201,
    )
    ok(
        case.client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": [case.person("child")],
                "identified_on": "2024-12-03",
                "evidence": {"source": "School MIS", "reference": "ATT-2024-117"},
            },
        ),
        201,
    )


def _collect(client: TestClient, case: Case) -> dict[str, list[str]]:
    """Read back every record of the case the paths can name, by path parameter name."""
    episode = case.url
    family = ok(client.get(f"{API}/families/{case.family['id']}"))
    plans = ok(client.get(f"{episode}/plans"))
    found: dict[str, list[str]] = {
        "family_id": [family["id"]],
        "episode_id": [case.episode["id"]],
        "person_id": [m["person_id"] for m in family["members"]],
        "membership_id": [m["id"] for m in family["members"]],
        "consent_id": [
            c["id"] for c in _items(ok(client.get(f"{API}/families/{family['id']}/consents")))
        ],
        "assessment_id": [a["id"] for a in _items(ok(client.get(f"{episode}/assessments")))],
        "plan_id": [p["id"] for p in _items(plans)],
        "action_id": [a["id"] for p in _items(plans) for a in p.get("actions", [])],
        "outcome_id": [o["id"] for p in _items(plans) for o in p.get("outcomes", [])],
        "need_id": [n["id"] for n in _items(ok(client.get(f"{episode}/needs")))],
        "member_id": [m["id"] for m in _items(ok(client.get(f"{episode}/taf-members")))],
    }
    return found


def _items(data: Any) -> list[dict[str, Any]]:
    return data["items"] if isinstance(data, dict) and "items" in data else list(data)
