"""No role raises itself (security issue 15): nobody changes their own roles or active flag, every
role granted or revoked and every activation change is a security event, and managers review them,
with every break-glass read, in the security events report."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from app.api.schemas.security_events import SecurityEventRead
from app.clock import FixedClock
from app.domain.access import Role
from app.domain.audit import AuditEntry
from app.domain.errors import Forbidden
from app.services.security_events import every_security_event
from tests.builders import (
    ReferenceData,
    Staff,
    Statements,
    acting_as,
    as_user,
    given_practitioner,
    make_family_body,
)
from tests.reliability.test_query_counts import (
    ONE_TRANSACTION_WITH_ITS_AUDIT,
    SEALED_AFTERWARDS,
    transaction_boundaries,
)

API = "/api/v1"
REPORT = f"{API}/reports/security-events"
TODAY = {"from": "2025-03-03", "to": "2025-03-03"}  # the test clock's day
REASON = "Police report of a child at risk tonight"
NewUow = Callable[[], Any]
LONDON = ZoneInfo("Europe/London")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def practitioner_url(practitioner_id: uuid.UUID) -> str:
    return f"{API}/practitioners/{practitioner_id}"


def read_practitioner(client: TestClient, practitioner_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = ok(client.get(practitioner_url(practitioner_id)))
    return found


def change(client: TestClient, practitioner_id: uuid.UUID, **fields: Any) -> Any:
    """PATCH a practitioner at their current version."""
    version = read_practitioner(client, practitioner_id)["version"]
    return client.patch(
        practitioner_url(practitioner_id), json=fields, headers={"If-Match": f'"{version}"'}
    )


def audit_entries(new_uow: NewUow) -> list[AuditEntry]:
    with new_uow() as uow:
        return list(uow.audit.entries())


def report(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every row of the report, page after page, following `next_cursor`."""
    rows: list[dict[str, Any]] = []
    query: dict[str, Any] = {**TODAY, **params}
    while True:
        page = ok(client.get(REPORT, params=query))
        rows += page["items"]
        if page["next_cursor"] is None:
            return rows
        query["cursor"] = page["next_cursor"]


@pytest.fixture
def admin(new_uow: NewUow) -> uuid.UUID:
    return given_practitioner(new_uow, roles={Role.ADMIN}, name="Ada Admin")


@pytest.fixture
def other_admin(new_uow: NewUow) -> uuid.UUID:
    return given_practitioner(new_uow, roles={Role.ADMIN}, name="Abe Admin")


# --- nobody changes their own access -------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "field", "attempted_actions"),
    [
        ({"roles": ["admin", "manager"]}, "roles", ["grant_role:manager"]),
        ({"roles": ["manager"]}, "roles", ["grant_role:manager", "revoke_role:admin"]),
        ({"roles": ["admin", "link_worker"]}, "roles", ["grant_role:link_worker"]),
        ({"active": False}, "active", ["deactivate_practitioner"]),
    ],
    ids=["adds manager", "swaps admin for manager", "adds link worker", "deactivates"],
)
def test_an_admin_cannot_change_their_own_roles_or_active_flag(
    client: TestClient,
    new_uow: NewUow,
    staff: Staff,
    admin: uuid.UUID,
    attempt: dict[str, Any],
    field: str,
    attempted_actions: list[str],
) -> None:
    with as_user(client, admin):
        before = read_practitioner(client, admin)
        refused = change(client, admin, **attempt)
        after = read_practitioner(client, admin)

    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == f"own_{field}_change"
    assert problem["type"] == "/problems/self-role-change"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"].startswith("You cannot")
    assert "another admin" in problem["detail"]
    assert after == before  # nothing changed, not even the version

    request_id = refused.headers["X-Request-ID"]
    recorded = [e for e in audit_entries(new_uow) if e.request_id == request_id]
    denied = [e for e in recorded if e.outcome == "denied"]
    assert sorted(e.action for e in denied) == attempted_actions
    assert {(e.actor_id, e.resource_type, e.resource_id) for e in denied} == {
        (admin, "practitioner", str(admin))
    }

    with as_user(client, staff.manager):
        rows = report(client)
    in_report = sorted(
        (r["event"], r["role"] or "", r["outcome"]) for r in rows if r["request_id"] == request_id
    )
    assert in_report == [(*action.partition(":")[::2], "denied") for action in attempted_actions]


def test_an_admin_still_changes_their_own_name_and_email(
    client: TestClient, admin: uuid.UUID
) -> None:
    with as_user(client, admin):
        changed = ok(
            change(client, admin, name="Ada Admin-Smith", email="ada.smith@council.example")
        )
    assert (changed["name"], changed["email"], changed["roles"]) == (
        "Ada Admin-Smith",
        "ada.smith@council.example",
        ["admin"],
    )


def test_sending_ones_own_roles_unchanged_is_not_a_change(
    client: TestClient, admin: uuid.UUID
) -> None:
    with as_user(client, admin):
        changed = ok(change(client, admin, roles=["admin"], active=True, name="Ada A. Admin"))
    assert (changed["roles"], changed["active"], changed["name"]) == (
        ["admin"],
        True,
        "Ada A. Admin",
    )


@pytest.mark.parametrize(
    ("who", "wants"),
    [("manager", ["manager", "admin"]), ("link_worker", ["link_worker", "manager"])],
)
def test_someone_who_is_not_an_admin_cannot_give_themselves_a_role(
    client: TestClient, staff: Staff, who: str, wants: list[str]
) -> None:
    me: uuid.UUID = getattr(staff, who)
    with as_user(client, me):
        before = read_practitioner(client, me)
        refused = change(client, me, roles=wants)
        after = read_practitioner(client, me)
    assert refused.status_code == 403
    assert after == before


def test_a_deactivated_admin_cannot_switch_themselves_back_on(
    client: TestClient, admin: uuid.UUID, other_admin: uuid.UUID
) -> None:
    with as_user(client, other_admin):
        deactivated = ok(change(client, admin, active=False))
    with as_user(client, admin):
        # They can no longer sign in, so they cannot even ask.
        asked = client.patch(
            practitioner_url(admin),
            json={"active": True},
            headers={"If-Match": f'"{deactivated["version"]}"'},
        )
    assert asked.status_code == 401
    with as_user(client, other_admin):
        assert read_practitioner(client, admin) == deactivated


# --- granting is a security event ----------------------------------------------------------------


def test_another_admin_makes_an_admin_a_manager_and_the_grant_is_in_the_report(
    client: TestClient, staff: Staff, admin: uuid.UUID, other_admin: uuid.UUID
) -> None:
    with as_user(client, other_admin):
        granted = change(client, admin, roles=["admin", "manager"])
    assert ok(granted)["roles"] == ["admin", "manager"]

    with as_user(client, staff.manager):
        rows = report(client)
    grant = next(r for r in rows if r["request_id"] == granted.headers["X-Request-ID"])
    assert grant == {
        "sequence": grant["sequence"],
        "occurred_at": "2025-03-03T10:00:00Z",
        "event": "grant_role",
        "outcome": "allowed",
        "actor_id": str(other_admin),
        "actor_name": "Abe Admin",
        "actor_roles": ["admin"],
        "practitioner_id": str(admin),
        "practitioner_name": "Ada Admin",
        "role": "manager",
        "family_id": None,
        "family_reference": None,
        "resource_type": "practitioner",
        "resource_id": str(admin),
        "break_glass_reason": None,
        "request_id": granted.headers["X-Request-ID"],
    }
    # The new manager reads the report (the grant has taken effect at once).
    with as_user(client, admin):
        assert client.get(REPORT, params=TODAY).status_code == 200


def test_each_role_granted_or_revoked_and_each_activation_change_is_its_own_event(
    client: TestClient, staff: Staff, admin: uuid.UUID
) -> None:
    lead = staff.lead
    with as_user(client, admin):
        ok(change(client, lead, roles=["manager", "quality_assurance"]))
        ok(change(client, lead, roles=["practitioner"]))
        ok(change(client, lead, active=False))
        ok(change(client, lead, active=True))
    with as_user(client, staff.manager):
        rows = report(client)
    about_lead = [(r["event"], r["role"]) for r in rows if r["practitioner_id"] == str(lead)]
    assert about_lead == [  # newest first; within one change, grants then revocations by role
        ("reactivate_practitioner", None),
        ("deactivate_practitioner", None),
        ("revoke_role", "quality_assurance"),
        ("revoke_role", "manager"),
        ("grant_role", "practitioner"),
        ("revoke_role", "practitioner"),
        ("grant_role", "quality_assurance"),
        ("grant_role", "manager"),
    ]
    assert {r["practitioner_name"] for r in rows if r["practitioner_id"] == str(lead)} == {
        "Lena Lead"
    }


def test_registering_a_manager_is_recorded_as_a_grant(
    client: TestClient, staff: Staff, admin: uuid.UUID
) -> None:
    body = {
        "name": "Nia New",
        "email": "nia.new@council.example",
        "agency_code": "COUNCIL_EH",
        "roles": ["manager"],
    }
    with as_user(client, admin):
        created = ok(
            client.post(f"{API}/practitioners", json=body, headers={"Idempotency-Key": "nia-1"}),
            201,
        )
        replayed = client.post(
            f"{API}/practitioners", json=body, headers={"Idempotency-Key": "nia-1"}
        )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    with as_user(client, staff.manager):
        rows = report(client)
    grants = [r for r in rows if r["practitioner_id"] == created["id"]]
    assert [(r["event"], r["role"], r["practitioner_name"]) for r in grants] == [
        ("grant_role", "manager", "Nia New")  # once: the replay granted nothing
    ]


def test_a_refused_change_of_another_admin_records_no_grant(
    client: TestClient, staff: Staff, admin: uuid.UUID, other_admin: uuid.UUID
) -> None:
    with as_user(client, admin):
        version = read_practitioner(client, other_admin)["version"]
        stale = client.patch(
            practitioner_url(other_admin),
            json={"roles": ["admin", "manager"]},
            headers={"If-Match": f'"{version + 1}"'},
        )
    assert stale.status_code == 412
    with as_user(client, staff.manager):
        assert not [r for r in report(client) if r["practitioner_id"] == str(other_admin)]


# --- one request, one transaction with its audit entries ----------------------------------------

REFUSED_WORK_THEN_ITS_ENTRIES = ["SAVEPOINT", "ROLLBACK", *ONE_TRANSACTION_WITH_ITS_AUDIT]
"""The refused request's work rolls back; its entries, with their real outcomes, commit together."""


def entries_of(new_uow: NewUow, response: Any) -> list[tuple[str, str, str | None]]:
    """(action, outcome, problem code) of each entry the request left, in order."""
    request_id = response.headers["X-Request-ID"]
    return [
        (e.action, e.outcome, e.problem_code)
        for e in audit_entries(new_uow)
        if e.request_id == request_id
    ]


def test_an_admins_refused_self_promotion_is_kept_as_denied_in_one_transaction(
    client: TestClient, new_uow: NewUow, statements: Statements, admin: uuid.UUID
) -> None:
    with as_user(client, admin):
        version = read_practitioner(client, admin)["version"]
        statements.seen.clear()
        refused = client.patch(
            practitioner_url(admin),
            json={"roles": ["admin", "manager"]},
            headers={"If-Match": f'"{version}"'},
        )
        boundaries = transaction_boundaries(statements.seen)
    assert refused.status_code == 403
    assert entries_of(new_uow, refused) == [
        # Allowed by the access rules (admins manage the directory), then refused by the process;
        ("manage_practitioners", "refused", "own_roles_change"),
        # the grant asked for is denied.
        ("grant_role:manager", "denied", None),
    ]
    assert boundaries == [
        *REFUSED_WORK_THEN_ITS_ENTRIES,
        *SEALED_AFTERWARDS,
    ]


def test_a_stale_change_of_someone_elses_roles_is_kept_as_refused_in_one_transaction(
    client: TestClient,
    new_uow: NewUow,
    statements: Statements,
    admin: uuid.UUID,
    other_admin: uuid.UUID,
) -> None:
    with as_user(client, admin):
        version = read_practitioner(client, other_admin)["version"]
        statements.seen.clear()
        stale = client.patch(
            practitioner_url(other_admin),
            json={"roles": ["admin", "manager"]},
            headers={"If-Match": f'"{version + 1}"'},
        )
        boundaries = transaction_boundaries(statements.seen)
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    # Nothing was granted, so no grant is recorded: only the refused request.
    assert entries_of(new_uow, stale) == [("manage_practitioners", "refused", "stale_version")]
    assert boundaries == [
        *REFUSED_WORK_THEN_ITS_ENTRIES,
        *SEALED_AFTERWARDS,
        # Then the 412 shows the current record, read as a GET of its own.
        *ONE_TRANSACTION_WITH_ITS_AUDIT,
        *SEALED_AFTERWARDS,
    ]
    assert stale.json()["current"]["roles"] == ["admin"]


def test_a_grant_commits_in_the_same_transaction_as_the_change(
    client: TestClient,
    new_uow: NewUow,
    statements: Statements,
    admin: uuid.UUID,
    other_admin: uuid.UUID,
) -> None:
    with as_user(client, admin):
        version = read_practitioner(client, other_admin)["version"]
        statements.seen.clear()
        granted = client.patch(
            practitioner_url(other_admin),
            json={"roles": ["manager"]},
            headers={"If-Match": f'"{version}"'},
        )
        boundaries = transaction_boundaries(statements.seen)
    assert ok(granted)["roles"] == ["manager"]
    assert entries_of(new_uow, granted) == [
        ("manage_practitioners", "allowed", None),
        ("grant_role:manager", "allowed", None),
        ("revoke_role:admin", "allowed", None),
    ]
    assert boundaries == [*ONE_TRANSACTION_WITH_ITS_AUDIT, *SEALED_AFTERWARDS]


def test_a_registration_names_the_new_practitioner_in_its_entries(
    client: TestClient, new_uow: NewUow, admin: uuid.UUID
) -> None:
    body = {
        "name": "Nia New",
        "email": "nia.new@council.example",
        "agency_code": "COUNCIL_EH",
        "roles": ["practitioner", "link_worker"],
        "hub_ids": [],
    }
    with as_user(client, admin):
        refused = client.post(f"{API}/practitioners", json=body)
        created = ok(
            client.post(f"{API}/practitioners", json={**body, "roles": ["practitioner"]}), 201
        )
    assert refused.status_code == 422  # a link worker covers at least one hub
    assert entries_of(new_uow, refused) == [
        ("manage_practitioners", "refused", "link_worker_hubs_required")
    ]
    registered = [
        (e.action, e.resource_id, e.outcome)
        for e in audit_entries(new_uow)
        if e.resource_type == "practitioner" and e.resource_id == created["id"]
    ]
    assert registered == [
        ("manage_practitioners", created["id"], "allowed"),
        ("grant_role:practitioner", created["id"], "allowed"),
    ]


# --- break glass ---------------------------------------------------------------------------------


def test_break_glass_reads_are_in_the_report_with_the_reason_and_the_family(
    client: TestClient, reference: ReferenceData, staff: Staff
) -> None:
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    with as_user(client, staff.police_officer):
        assert client.get(f"{API}/families/{family['id']}").status_code == 404
        opened = client.get(
            f"{API}/families/{family['id']}", headers={"X-Break-Glass-Reason": REASON}
        )
    ok(opened)
    with as_user(client, staff.manager):
        rows = report(client)
    assert rows == [
        {
            "sequence": rows[0]["sequence"],
            "occurred_at": "2025-03-03T10:00:00Z",
            "event": "break_glass_read",
            "outcome": "allowed",
            "actor_id": str(staff.police_officer),
            "actor_name": "Pat Police",
            "actor_roles": ["practitioner"],
            "practitioner_id": None,
            "practitioner_name": None,
            "role": None,
            "family_id": family["id"],
            "family_reference": family["reference"],
            "resource_type": "family",
            "resource_id": family["id"],
            "break_glass_reason": REASON,
            "request_id": opened.headers["X-Request-ID"],
        }
    ]


# --- who reads the report ------------------------------------------------------------------------

NOT_MANAGERS = {
    "admin": {Role.ADMIN},
    "link worker": {Role.LINK_WORKER},
    "practitioner": {Role.PRACTITIONER},
    "quality assurance": {Role.QUALITY_ASSURANCE},
    "reporting": {Role.REPORTING},
    "reporting beside manager": {Role.REPORTING, Role.MANAGER},
    "auditor": {Role.AUDITOR},
}


@pytest.mark.parametrize("who", list(NOT_MANAGERS))
def test_only_managers_read_the_security_events_report(
    client: TestClient, reference: ReferenceData, new_uow: NewUow, who: str
) -> None:
    roles = NOT_MANAGERS[who]
    hubs = frozenset({reference.hubs["NORTH"]}) if Role.LINK_WORKER in roles else frozenset()
    user = given_practitioner(new_uow, roles=roles, hubs=hubs)
    with as_user(client, user):
        refused = client.get(REPORT, params=TODAY)
        as_csv = client.get(REPORT, params=TODAY, headers={"Accept": "text/csv"})
    assert (refused.status_code, as_csv.status_code) == (403, 403)
    assert refused.json()["code"] == "not_permitted"
    attempts = [e for e in audit_entries(new_uow) if e.action == "read_security_events"]
    assert [(e.actor_id, e.outcome) for e in attempts] == [(user, "denied"), (user, "denied")]


def test_reading_the_report_is_itself_audited(
    client: TestClient, new_uow: NewUow, staff: Staff
) -> None:
    with as_user(client, staff.manager):
        read = client.get(REPORT, params=TODAY)
    ok(read)
    (entry,) = [e for e in audit_entries(new_uow) if e.request_id == read.headers["X-Request-ID"]]
    assert (entry.actor_id, entry.action, entry.resource_id, entry.outcome) == (
        staff.manager,
        "read_security_events",
        "security-events",
        "allowed",
    )


# --- the report's period, pages and CSV ----------------------------------------------------------


def grant_and_revoke(client: TestClient, admin: uuid.UUID, people: list[uuid.UUID]) -> None:
    """Two events per person: manager granted, then revoked."""
    with as_user(client, admin):
        for person in people:
            roles = read_practitioner(client, person)["roles"]
            ok(change(client, person, roles=[*roles, "manager"]))
            ok(change(client, person, roles=roles))


def test_the_period_is_whole_days_in_the_councils_time_zone(
    client: TestClient, clock: FixedClock, staff: Staff, admin: uuid.UUID
) -> None:
    # 23:30 UTC on 31 March 2025 is 00:30 on 1 April in London (British Summer Time).
    clock.instant = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    with as_user(client, admin):
        ok(change(client, staff.lead, active=False))
    with as_user(client, staff.manager):
        march = report(client, **{"from": "2025-03-01", "to": "2025-03-31"})
        april_fools = report(client, **{"from": "2025-04-01", "to": "2025-04-01"})
    assert not [r for r in march if r["event"] == "deactivate_practitioner"]
    assert [(r["event"], r["occurred_at"]) for r in april_fools] == [
        ("deactivate_practitioner", "2025-03-31T23:30:00Z")
    ]


@pytest.mark.parametrize(
    ("period", "field", "words"),
    [
        ({"from": "2025-03-04", "to": "2025-03-03"}, "from", "cannot start after it ends"),
        ({"from": "2024-03-01", "to": "2025-03-02"}, "to", "at most 366 days"),
    ],
    ids=["backwards", "over a year"],
)
def test_a_period_backwards_or_longer_than_a_year_is_refused(
    client: TestClient, staff: Staff, period: dict[str, str], field: str, words: str
) -> None:
    with as_user(client, staff.manager):
        refused = client.get(REPORT, params=period)
        a_leap_year = client.get(REPORT, params={"from": "2024-01-01", "to": "2024-12-31"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert words in refused.json()["detail"]
    assert a_leap_year.status_code == 200


def test_paging_walks_every_row_exactly_once_newest_first(
    client: TestClient, staff: Staff, admin: uuid.UUID
) -> None:
    grant_and_revoke(client, admin, [staff.lead, staff.other_lead, staff.qa_officer])
    with as_user(client, staff.manager):
        everything = ok(client.get(REPORT, params={**TODAY, "limit": 200}))
        pages: list[list[dict[str, Any]]] = []
        query: dict[str, Any] = {**TODAY, "limit": 4}
        while True:
            response = client.get(REPORT, params=query)
            page = ok(response)
            pages.append(page["items"])
            if page["next_cursor"] is None:
                assert "Link" not in response.headers
                break
            assert response.headers["Link"].endswith('>; rel="next"')
            query["cursor"] = page["next_cursor"]
    walked = [row for page in pages for row in page]
    assert [len(p) for p in pages] == [4, 2]
    assert walked == everything["items"]
    sequences = [row["sequence"] for row in walked]
    assert sequences == sorted(set(sequences), reverse=True)


def test_csv_has_every_row_of_the_period_as_json_shows_it(
    client: TestClient, reference: ReferenceData, staff: Staff, admin: uuid.UUID
) -> None:
    grant_and_revoke(client, admin, [staff.lead, staff.other_lead])
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    with as_user(client, staff.police_officer):
        ok(client.get(f"{API}/families/{family['id']}", headers={"X-Break-Glass-Reason": REASON}))
    with as_user(client, staff.manager):
        rows = report(client, limit=2)
        by_header = client.get(REPORT, params={**TODAY, "limit": 2}, headers={"Accept": "text/csv"})
    assert by_header.status_code == 200, by_header.text
    assert by_header.headers["content-type"].startswith("text/csv")
    assert "security-events_2025-03-03_2025-03-03.csv" in by_header.headers["content-disposition"]

    def as_cells(row: dict[str, Any]) -> dict[str, str]:
        cells = {k: "" if v is None else str(v) for k, v in row.items()}
        cells["actor_roles"] = " ".join(row["actor_roles"])
        return cells

    table = list(csv.DictReader(io.StringIO(by_header.text)))
    assert len(table) == len(rows) == 5  # all of them, although a JSON page holds 2
    assert table == [as_cells(r) for r in rows]


def test_the_csv_stream_reads_the_period_page_after_page_each_row_once(
    client: TestClient, staff: Staff, admin: uuid.UUID, new_uow: NewUow, clock: FixedClock
) -> None:
    grant_and_revoke(client, admin, [staff.lead, staff.other_lead, staff.qa_officer])
    with as_user(client, staff.manager):
        rows = report(client)
    manager = replace(acting_as(new_uow, staff.manager), request_id="the-csv-download")
    streamed = every_security_event(
        new_uow,
        clock,
        manager,
        first_day=date(2025, 3, 3),
        last_day=date(2025, 3, 3),
        zone=LONDON,
        batch=4,
    )
    as_json = [SecurityEventRead.from_domain(e).model_dump(mode="json") for e in streamed]
    assert len(as_json) == 6
    assert as_json == rows
    # Each page is read in a use case of its own, its read on record with it.
    pages_read = [e for e in audit_entries(new_uow) if e.request_id == "the-csv-download"]
    assert [(e.action, e.outcome) for e in pages_read] == [("read_security_events", "allowed")] * 2


def test_a_refused_csv_download_reads_nothing_and_is_audited_once(
    staff: Staff, new_uow: NewUow, clock: FixedClock
) -> None:
    lead = replace(acting_as(new_uow, staff.lead), request_id="a-lead-tries")
    with pytest.raises(Forbidden):
        every_security_event(
            new_uow, clock, lead, first_day=date(2025, 3, 3), last_day=date(2025, 3, 3), zone=LONDON
        )
    tried = [e for e in audit_entries(new_uow) if e.request_id == "a-lead-tries"]
    assert [(e.action, e.outcome) for e in tried] == [("read_security_events", "denied")]


def test_a_page_of_events_costs_the_same_statements_for_many_people_as_for_few(
    client: TestClient, statements: Statements, staff: Staff, admin: uuid.UUID, new_uow: NewUow
) -> None:
    def one_page() -> Any:
        with as_user(client, staff.manager):
            return client.get(REPORT, params={**TODAY, "limit": 200})

    # Each measured page follows changes to practitioners, which make every worker forget who
    # was signed in: both pages look the manager up again.
    grant_and_revoke(client, admin, [staff.lead])
    with_few = statements.during(one_page)
    others = [given_practitioner(new_uow, roles={Role.PRACTITIONER}) for _ in range(5)]
    grant_and_revoke(client, admin, others)
    with_many = statements.during(one_page)
    assert len(ok(one_page())["items"]) == 12
    assert with_few == with_many
