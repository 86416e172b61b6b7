"""A caseload moved out and in (issue 18 §3-4): export a household built through the API, import
it into an empty database, and every read endpoint answers the same (ids are mapped, not kept:
docs/import-export.md)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.deps import get_clock
from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.main import create_app
from app.services.interchange import ImportSummary, begin_export, export_households, run_import
from app.services.use_case import Actor
from app.settings import Settings
from tests.api.test_episodes import Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    bearer,
    given_practitioner,
    given_reference_data,
    given_staff,
    make_episode_body,
    make_family_body,
    make_meeting_body,
)
from tests.conftest import AUDIT_KEYS, new_database

API = "/api/v1"
LEVELS = ["2", "3"]


def admin_of(new_uow: Callable[[], SqlUnitOfWork]) -> Actor:
    """The person running the import: an admin who also manages (handovers are a manager's)."""
    admin = given_practitioner(new_uow, roles={Role.ADMIN, Role.MANAGER}, name="Ada Admin")
    with new_uow() as uow:
        found = uow.practitioners.get(admin)
    assert found is not None
    return Actor(found.as_principal())


def a_closed_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """A household taken through the whole cycle through the API, one dated request a step, its
    plan revised and the revision agreed at a review."""
    on(clock, "2024-11-25")
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    case = Case(client, clock, family, ok(response, 201), response.headers["ETag"])
    give_consent(case)
    give_consent(
        case, "information_sharing", sharing_scope="named_agencies", agency_codes=["SCHOOL"]
    )
    on(clock, "2024-12-03")
    _, plan = assess_and_plan(case)
    on(clock, "2024-12-20")
    case.post("/plan-submission")
    on(clock, "2025-01-06")
    with as_user(client, staff.qa_officer):
        case.post("/qa-decisions", {"outcome": "approved"})
    school = ok(
        client.post(
            f"{case.url}/taf-members",
            json={
                "kind": "practitioner",
                "practitioner_id": str(staff.school_worker),
                "role": "Attendance officer",
            },
        ),
        201,
    )
    on(clock, "2025-01-15")
    outcome = plan["outcomes"][0]["id"]
    case.post(
        "/meetings", make_meeting_body("2025-01-15", [school["id"]], outcome_id=outcome), status=201
    )
    revision = ok(client.post(f"{case.url}/plans/{plan['id']}/revision"), 201)
    on(clock, "2025-02-05")
    ok(
        client.patch(
            f"{case.url}/plans/{revision['id']}",
            headers={"If-Match": f'"{revision["version"]}"'},
            json={
                "actions": [
                    *revision["actions"],
                    {
                        "description": "Gate welcome",
                        "owner_taf_member_id": school["id"],
                        "due_on": "2025-02-28",
                    },
                ]
            },
        )
    )
    case.post(
        "/meetings",
        make_meeting_body(
            "2025-02-05",
            [school["id"]],
            outcome_id=outcome,
            score=6,
            decision="revise_plan",
            agrees_plan_id=revision["id"],
        ),
        status=201,
    )
    on(clock, "2025-02-20")
    case.post(
        "/meetings",
        make_meeting_body(
            "2025-02-20", [school["id"]], outcome_id=outcome, score=8, decision="close"
        ),
        status=201,
    )
    case.post(
        "/closure",
        {
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Calm mornings"},
        },
    )
    on(clock, "2025-03-03")
    return case


READS = [
    "/families/{family}",
    "/families/{family}/consents",
    "/episodes/{episode}",
    "/episodes/{episode}/assessments",
    "/episodes/{episode}/plans",
    "/episodes/{episode}/taf-members",
    "/episodes/{episode}/meetings",
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WHEN_RECORDED = re.compile(r"(recorded_at|recorded_on|amended_at|created_at|updated_at)$")


def same_shape(answer: Any) -> Any:
    """What must be identical after a round trip: the answer without its ids (an import makes
    new ones, docs/import-export.md), without the times steps (or evidence) were recorded, and with records
    that tie on their date in any order (such ties are ordered by id)."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if not WHEN_RECORDED.search(k)}
        if isinstance(value, list):
            return sorted((walk(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(value, str):
            return UUID.sub("<id>", value)
        return value

    return walk(answer)


def reads(client: TestClient, family: str, episode: str, paths: list[str]) -> dict[str, Any]:
    return {
        path: same_shape(ok(client.get(API + path.format(family=family, episode=episode))))
        for path in paths
    }


@pytest.fixture
def empty_database(engine: Engine, tmp_path: Path) -> Iterator[str]:
    target = new_database(engine.dialect.name.replace("postgresql", "postgres"), tmp_path)
    if isinstance(target, str):
        upgrade_to_head(target)
        yield target
        return
    with target as url:
        upgrade_to_head(url)
        yield url


EVIDENCE = {"source": "School MIS", "reference": "ATT-2024-117"}


def a_case_with_its_history(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """A household whose episode moved level, changed hands, had a Supporting Families need
    achieved and sustained, support delivered and contacts recorded (a sensitive one corrected,
    one by the new lead), each step on its own day through the API."""
    on(clock, "2024-11-25")
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    case = Case(client, clock, family, ok(response, 201), response.headers["ETag"])
    give_consent(case)
    on(clock, "2024-12-18")
    assess_on(case, "2024-12-03", "2024-12-18", "Routines at home are the root of it.")
    on(clock, "2024-12-02")
    need = ok(
        client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": [case.person("child")],
                "identified_on": "2024-12-02",
                "evidence": EVIDENCE,
            },
        ),
        201,
    )
    on(clock, "2024-12-05")
    ok(
        client.post(
            f"{case.url}/support",
            json={
                "service": "Triple P",
                "provider": "Family Hub North",
                "started_on": "2024-12-05",
            },
        ),
        201,
    )
    visit = ok(
        client.post(
            f"{case.url}/contacts",
            json={
                "kind": "home_visit",
                "happened_on": "2024-12-05",
                "happened_at": "16:30",
                "note": "Ava seemed tired.",
                "seen_person_ids": [case.person("parent_carer"), case.person("child")],
                "children_seen_alone": [case.person("child")],
                "child_voice": "I like school now.",
                "sensitive": True,
                "named_practitioner_ids": [str(staff.school_worker)],
                "significant": True,
            },
        ),
        201,
    )
    on(clock, "2024-12-10")
    ok(
        client.post(
            f"{case.url}/contacts/{visit['id']}/amendments",
            headers={"If-Match": '"1"'},
            json={"field": "note", "text": "Ava seemed tired; she slept badly.", "reason": "Why"},
        )
    )
    case.post("/level-changes", {"level_of_need": "3", "reason": "Needs escalated"})
    on(clock, "2025-01-20")
    with as_user(client, staff.manager):
        case.post(
            "/lead-assignments",
            {"practitioner_id": str(staff.other_lead), "reason": "Caseload balance"},
        )
    on(clock, "2025-02-10")
    with as_user(client, staff.other_lead):
        ok(
            client.post(
                f"{case.url}/contacts",
                json={"kind": "phone", "happened_on": "2025-01-27", "note": "Introduced myself."},
            ),
            201,
        )
        again = ok(client.post(f"{case.url}/assessments", json={"started_on": "2025-01-28"}), 201)
        a_url = f"{case.url}/assessments/{again['id']}"
        written = client.patch(
            a_url,
            headers={"If-Match": '"1"'},
            json={
                "analysis": "Mornings settled; sleep is the worry now.",
                "strengths": ["Grandma"],
            },
        )
        ok(
            client.post(
                f"{a_url}/completion",
                headers={"If-Match": written.headers["ETag"]},
                json={"completed_on": "2025-02-05"},
            )
        )
        need = ok(
            client.post(
                f"{case.url}/needs/{need['id']}/outcome",
                headers={"If-Match": f'"{need["version"]}"'},
                json={"status": "achieved", "on": "2025-02-10", "evidence": EVIDENCE},
            )
        )
        case.post(
            "/closure",
            {
                "reason": "all_needs_met",
                "family_view": {"improved": "yes", "in_their_words": "School is fine now"},
            },
        )
        on(clock, "2025-09-01")
        ok(
            client.post(
                f"{case.url}/needs/{need['id']}/sustainment-check",
                headers={"If-Match": f'"{need["version"]}"'},
                json={"evidence": EVIDENCE, "result": "sustained"},
            )
        )
    return case


def assess_on(case: Case, started_on: str, completed_on: str, analysis: str) -> None:
    """The assessment started, written and completed on the days given (the clock is past them)."""
    started = case.post("/assessment-start", {"started_on": started_on})["assessment"]
    a_url = f"{case.url}/assessments/{started['id']}"
    written = case.client.patch(
        a_url,
        headers={"If-Match": f'"{started["version"]}"'},
        json={
            "needs": [
                {
                    "headline": "EDU",
                    "description": "Attendance 78% this term",
                    "person_ids": [case.person("child")],
                }
            ],
            "analysis": analysis,
        },
    )
    ok(
        case.client.post(
            f"{a_url}/completion",
            headers={"If-Match": ok(written) and written.headers["ETag"]},
            json={"completed_on": completed_on},
        )
    )


def round_trip(
    case: Case,
    client: TestClient,
    clock: FixedClock,
    new_uow: Callable[[], SqlUnitOfWork],
    empty_database: str,
    reader_name: str,
    extra_reads: tuple[str, ...] = (),
) -> None:
    """Export the case's household, import it into the empty database, and compare every read."""
    paths = [*READS, *extra_reads]
    before = reads(client, case.family["id"], case.episode["id"], paths)
    admin = admin_of(new_uow)
    family_id = uuid.UUID(case.family["id"])
    with new_uow() as uow:
        begin_export(uow, clock, admin, family_id=family_id, hub_id=None)
    lines = [json.dumps(h) for h in export_households(new_uow, clock, admin, family_id=family_id)]
    assert len(lines) == 1

    engine = make_engine(empty_database)
    factory = make_session_factory(engine)

    def target_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory, audit_keys=AUDIT_KEYS)

    target_staff = given_staff(target_uow, given_reference_data(target_uow))
    summary = run_import(
        target_uow, clock, admin_of(target_uow), lines, dry_run=False, levels=LEVELS
    )
    assert (summary.problems, summary.imported) == ([], 1)
    with target_uow() as uow:
        imported = uow.external_refs.find("household", str(family_id))
        episode = uow.external_refs.find("episode", case.episode["id"])
    assert imported is not None
    assert episode is not None

    app = create_app(Settings(env="test", database_url=empty_database), engine=engine)
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app, raise_server_exceptions=False) as target:
        target.headers["Authorization"] = bearer(getattr(target_staff, reader_name))
        after = reads(target, str(imported), str(episode), paths)
    engine.dispose()
    for path in paths:
        assert after[path] == before[path], path


def test_an_exported_household_imports_into_an_empty_database_with_the_same_answers(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], SqlUnitOfWork],
    empty_database: str,
) -> None:
    case = a_closed_case(client, clock, reference, staff)
    round_trip(case, client, clock, new_uow, empty_database, "lead")


def test_handovers_level_changes_needs_and_support_survive_the_round_trip(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], SqlUnitOfWork],
    empty_database: str,
) -> None:
    case = a_case_with_its_history(client, clock, reference, staff)
    with as_user(client, staff.other_lead):
        round_trip(
            case,
            client,
            clock,
            new_uow,
            empty_database,
            "other_lead",
            (
                "/episodes/{episode}/needs",
                "/episodes/{episode}/support",
                "/episodes/{episode}/contacts",
            ),
        )


def imported(summary: ImportSummary) -> tuple[int, int, int]:
    return summary.imported, summary.already_imported, summary.refused
