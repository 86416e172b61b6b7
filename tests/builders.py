"""Builders for test data: keyword-only, valid by default, any field overridable."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.services.ports import Agency, Hub, UnitOfWork
from app.services.use_case import Actor


@dataclass(frozen=True)
class ReferenceData:
    hubs: dict[str, uuid.UUID]
    agencies: list[str]


def given_reference_data(new_uow: Callable[[], UnitOfWork]) -> ReferenceData:
    """Three hubs and a handful of agencies, as a council configures them."""
    with new_uow() as uow:
        hubs = {}
        for code in ("NORTH", "CENTRAL", "SOUTH"):
            hub = Hub(
                id=uuid.uuid4(),
                code=code,
                name=f"{code.title()} Family Hub",
                neighbourhood=code.title(),
                active=True,
            )
            uow.reference.add_hub(hub)
            hubs[code] = hub.id
        agencies = ["SCHOOL", "HEALTH_VISITING", "POLICE", "HOUSING", "COUNCIL_EH"]
        for code in agencies:
            uow.reference.add_agency(
                Agency(
                    code=code, name=code.replace("_", " ").title(), kind=code.lower(), active=True
                )
            )
        uow.commit()
    return ReferenceData(hubs=hubs, agencies=agencies)


def make_person_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "given_name": "Ava",
        "family_name": "Hughes",
        "date_of_birth": "2017-06-01",
    }
    body.update(overrides)
    return body


def make_member_body(role: str = "child", **person_overrides: Any) -> dict[str, Any]:
    return {"role": role, "person": make_person_body(**person_overrides)}


def make_family_body(hub_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    """A two-member household: a parent and a child, in the given hub."""
    body: dict[str, Any] = {
        "address": {"line1": "12 Cedar Road", "town": "Blackpool", "postcode": "FY1 3HT"},
        "hub_id": str(hub_id),
        "members": [
            make_member_body("parent_carer", given_name="Sarah", date_of_birth="1990-02-14"),
            make_member_body("child", given_name="Ava", date_of_birth="2017-06-01"),
        ],
    }
    body.update(overrides)
    return body


def make_episode_body(
    family: dict[str, Any], lead_id: uuid.UUID, **overrides: Any
) -> dict[str, Any]:
    """A school's request for early help for the family's children (as the API returned it)."""
    body: dict[str, Any] = {
        "family_id": family["id"],
        "source": "school",
        "level_of_need": "2",
        "lead_practitioner_id": str(lead_id),
        "child_person_ids": [m["person_id"] for m in family["members"] if m["role"] == "child"],
    }
    body.update(overrides)
    return body


def make_consent_body(given_by: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "purpose": "early_help",
        "given_by_person_id": given_by,
        "method": "written",
        "given_on": "2025-02-24",
    }
    body.update(overrides)
    return body


def make_meeting_body(
    held_on: str,
    attendee_member_ids: list[str],
    *,
    outcome_id: str | None = None,
    score: int = 4,
    **overrides: Any,
) -> dict[str, Any]:
    """A TAF meeting the family attended that decides to carry on, scoring one outcome if given."""
    body: dict[str, Any] = {
        "held_on": held_on,
        "attendee_member_ids": attendee_member_ids,
        "family_present": True,
        "child_voice": "shared",
        "decision": "continue",
    }
    if outcome_id is not None:
        body["progress"] = [{"outcome_id": outcome_id, "score": score}]
    body.update(overrides)
    return body


def iso(d: date) -> str:
    return d.isoformat()


@dataclass(frozen=True)
class Staff:
    lead: uuid.UUID
    other_lead: uuid.UUID
    qa_officer: uuid.UUID
    school_worker: uuid.UUID
    police_officer: uuid.UUID
    link_worker: uuid.UUID
    manager: uuid.UUID


def given_staff(new_uow: Callable[[], UnitOfWork], reference: ReferenceData) -> Staff:
    """A practitioner for every role the cycle needs, registered in the directory."""
    from app.domain.access import Role
    from app.domain.practitioners import Practitioner

    people = {
        "lead": ("Lena Lead", "COUNCIL_EH", {Role.PRACTITIONER}, {"NORTH"}),
        "other_lead": ("Omar Other", "HEALTH_VISITING", {Role.PRACTITIONER}, {"NORTH"}),
        "qa_officer": ("Quinn Quality", "COUNCIL_EH", {Role.QUALITY_ASSURANCE}, set()),
        "school_worker": ("Sam School", "SCHOOL", {Role.PRACTITIONER}, {"NORTH"}),
        "police_officer": ("Pat Police", "POLICE", {Role.PRACTITIONER}, set()),
        "link_worker": ("Lee Link", "COUNCIL_EH", {Role.LINK_WORKER}, {"NORTH"}),
        "manager": ("Mo Manager", "COUNCIL_EH", {Role.MANAGER}, set()),
    }
    ids: dict[str, uuid.UUID] = {}
    with new_uow() as uow:
        for key, (name, agency, roles, hubs) in people.items():
            practitioner = Practitioner(
                id=uuid.uuid4(),
                name=name,
                email=f"{key}@council.example",
                agency_code=agency,
                roles=frozenset(roles),
                hub_ids=frozenset(reference.hubs[h] for h in hubs),
            )
            uow.practitioners.add(practitioner, at=datetime(2025, 1, 1, tzinfo=UTC))
            ids[key] = practitioner.id
        uow.commit()
    return Staff(**ids)


def bearer(practitioner_id: uuid.UUID, *, secret: str | None = None, **overrides: Any) -> str:
    """An Authorization header value for a practitioner, signed like `familyhub token` signs."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.api.security import issue_local_token
    from app.clock import SystemClock
    from app.settings import DEV_TOKEN_SECRET

    fields: dict[str, Any] = {
        "subject": str(practitioner_id),
        "secret": secret or DEV_TOKEN_SECRET,
        "issuer": "familyhub-local",
        "audience": "familyhub",
        "now": SystemClock(ZoneInfo("Europe/London")).now(),
        "lifetime": timedelta(hours=1),
    }
    fields.update(overrides)
    return "Bearer " + issue_local_token(**fields)


@contextmanager
def as_user(client: Any, practitioner_id: uuid.UUID) -> Iterator[None]:
    """Make the requests inside the block as another practitioner."""
    previous = client.headers.get("Authorization")
    client.headers["Authorization"] = bearer(practitioner_id)
    try:
        yield
    finally:
        client.headers["Authorization"] = previous


def given_practitioner(
    new_uow: Callable[[], UnitOfWork],
    *,
    roles: set[Any],
    agency: str = "COUNCIL_EH",
    hubs: frozenset[uuid.UUID] = frozenset(),
    name: str = "Test User",
) -> uuid.UUID:
    """One more practitioner in the directory, with exactly the roles a test needs."""
    from app.domain.practitioners import Practitioner

    practitioner = Practitioner(
        id=uuid.uuid4(),
        name=name,
        email=f"{uuid.uuid4().hex[:12]}@council.example",
        agency_code=agency,
        roles=frozenset(roles),
        hub_ids=hubs,
    )
    with new_uow() as uow:
        uow.practitioners.add(practitioner, at=datetime(2025, 1, 1, tzinfo=UTC))
        uow.commit()
    return practitioner.id


def acting_as(new_uow: Callable[[], UnitOfWork], practitioner_id: uuid.UUID) -> Actor:
    """The practitioner as the services see them when a test calls a use case directly."""
    with new_uow() as uow:
        practitioner = uow.practitioners.get(practitioner_id)
    assert practitioner is not None
    return Actor(principal=practitioner.as_principal())


@dataclass
class Statements:
    """The SQL statements sent on the test's connection, to show a request's cost is fixed."""

    seen: list[str]

    def during(self, request: Callable[[], Any]) -> int:
        """How many statements `request` sent; it must answer 200 and send at least one (none
        would mean the app no longer runs on the recorded connection, and every count is 0)."""
        self.seen.clear()
        response = request()
        assert response.status_code == 200, response.text
        assert self.seen, "no statement was recorded: the app is not on the test's connection"
        return len(self.seen)
