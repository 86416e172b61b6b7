"""Working an s.47 episode through the API on both databases (issue 20 §2): the lead child
protection practitioner and a co-worker allocated to it read the family and the episode, record
contacts and read sensitive notes as the lead does, find it in lists and carry it offline; they do
not close it; from the day their allocation ends they get the unknown-record answer, as does a
practitioner never allocated."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.access import Role
from app.services.ports import UnitOfWork
from tests.api.test_caseload import caseload, new_case
from tests.api.test_contacts import record
from tests.api.test_episodes import API, Case, ok
from tests.api.test_family_help import family_help, fh_client, post, social_worker, to_s17
from tests.builders import ReferenceData, Staff, as_user, given_practitioner

__all__ = ["fh_client"]


@dataclass(frozen=True)
class ChildProtection:
    case: Case
    cp_lead: uuid.UUID
    co_worker: uuid.UUID
    stranger: uuid.UUID

    def allocation_of(self, practitioner: uuid.UUID) -> dict[str, Any]:
        data, _ = family_help(self.case)
        [held] = [
            a
            for a in data["allocations"]
            if a["practitioner_id"] == str(practitioner) and not a["ended_on"]
        ]
        allocation: dict[str, Any] = held
        return allocation


def on_s47(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> ChildProtection:
    """Lena leads an episode that steps to s.17, then s.47 under Chris (a registered social
    worker, as the law requires of a lead child protection practitioner); the manager allocates
    Casey, a family support worker from another agency, as a co-worker. Lena co-works."""
    case = new_case(client, clock, reference, staff, "Hughes")
    supervisor = social_worker(new_uow, "Sue Supervisor")
    cp_lead = social_worker(new_uow, "Chris Protection")
    co_worker = given_practitioner(
        new_uow, roles={Role.PRACTITIONER}, agency="HEALTH_VISITING", name="Casey Coworker"
    )
    stranger = given_practitioner(new_uow, roles={Role.PRACTITIONER}, name="Stevie Stranger")
    to_s17(case, supervisor)
    with as_user(client, staff.manager):
        post(
            case,
            "/step-across",
            {
                "to_type": "family_help",
                "to_basis": "s47",
                "decided_by": str(supervisor),
                "reason": "Strategy discussion: s47 enquiry",
                "lead_child_protection_practitioner_id": str(cp_lead),
            },
        )
        post(case, "/allocations", {"practitioner_id": str(co_worker), "role": "co_worker"})
    return ChildProtection(case, cp_lead, co_worker, stranger)


def works_the_case(work: ChildProtection, practitioner: uuid.UUID) -> dict[str, Any]:
    """Reads the episode, the family, its chronology; finds it in lists and on the device;
    records a contact; reads a sensitive note the lead wrote."""
    case = work.case
    client = case.client
    sensitive = record(case, sensitive=True, note="Mum disclosed a new partner.")
    with as_user(client, practitioner):
        episode = ok(client.get(case.url))
        family = ok(client.get(f"{API}/families/{case.family['id']}"))
        chronology = client.get(f"{API}/families/{case.family['id']}/chronology")
        listed = {f["id"] for f in ok(client.get(f"{API}/families"))["items"]}
        carried = {f["id"] for f in ok(client.get(f"{API}/me/changes"))["families"]}
        mine = record(case, note="Saw Ava at school with the designated safeguarding lead.")
        notes = {c["id"]: c for c in ok(client.get(f"{case.url}/contacts"))["items"]}
    assert episode["id"] == case.episode["id"]
    assert family["id"] == case.family["id"]
    assert chronology.status_code == 200
    assert case.family["id"] in listed
    assert case.family["id"] in carried
    assert notes[sensitive["id"]]["note"] == "Mum disclosed a new partner."
    assert not notes[sensitive["id"]]["withheld"]
    contact: dict[str, Any] = mine
    return contact


def unknown_to(work: ChildProtection, practitioner: uuid.UUID) -> None:
    """Every door answers as for an unknown id, and lists do not show the family."""
    case = work.case
    client = case.client
    with as_user(client, practitioner):
        answers = {
            "episode": client.get(case.url),
            "family": client.get(f"{API}/families/{case.family['id']}"),
            "chronology": client.get(f"{API}/families/{case.family['id']}/chronology"),
            "contact": client.post(
                f"{case.url}/contacts",
                json={
                    "kind": "home_visit",
                    "note": "Home calm.",
                    "seen_person_ids": [case.person("parent_carer")],
                    "children_seen_alone": [],
                },
            ),
        }
        unknown = client.get(f"{API}/episodes/{uuid.uuid4()}")
        on_caseload = {e["episode_id"] for e in caseload(client)}
        listed = {f["id"] for f in ok(client.get(f"{API}/families"))["items"]}
        carried = {f["id"] for f in ok(client.get(f"{API}/me/changes"))["families"]}
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert answers["episode"].json()["detail"] == unknown.json()["detail"]
    assert case.family["id"] not in listed
    assert case.family["id"] not in carried
    assert case.episode["id"] not in on_caseload


class TestTheLeadChildProtectionPractitioner:
    def test_reads_the_episode_and_records_a_contact(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        work = on_s47(fh_client, clock, reference, staff, new_uow)
        contact = works_the_case(work, work.cp_lead)
        assert contact["recorded_by"] == str(work.cp_lead)

    def test_once_handed_over_to_another_gets_the_unknown_record_answer(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        work = on_s47(fh_client, clock, reference, staff, new_uow)
        works_the_case(work, work.cp_lead)
        successor = social_worker(new_uow, "Dana Duty")
        with as_user(fh_client, staff.manager):
            post(
                work.case,
                "/allocations",
                {
                    "practitioner_id": str(successor),
                    "role": "lead_child_protection_practitioner",
                },
            )
        unknown_to(work, work.cp_lead)
        works_the_case(work, successor)


class TestACoWorker:
    def test_reads_the_episode_and_records_a_contact(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        work = on_s47(fh_client, clock, reference, staff, new_uow)
        contact = works_the_case(work, work.co_worker)
        assert contact["recorded_by"] == str(work.co_worker)

    def test_does_not_close_the_episode_the_lead_steers(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        work = on_s47(fh_client, clock, reference, staff, new_uow)
        case = work.case
        with as_user(fh_client, work.co_worker):
            etag = fh_client.get(case.url).headers["ETag"]
            closing = fh_client.post(
                f"{case.url}/closure",
                json={
                    "reason": "all_needs_met",
                    "family_view": {"improved": "yes", "in_their_words": "Calmer now."},
                },
                headers={"If-Match": etag},
            )
        assert closing.status_code == 403
        assert closing.json()["code"] == "not_permitted"

    def test_from_the_day_the_allocation_ends_gets_the_unknown_record_answer(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        work = on_s47(fh_client, clock, reference, staff, new_uow)
        works_the_case(work, work.co_worker)
        allocation = work.allocation_of(work.co_worker)
        with as_user(fh_client, staff.manager):
            post(
                work.case,
                f"/allocations/{allocation['id']}/end",
                {"reason": "Health visiting input complete."},
            )
        unknown_to(work, work.co_worker)


def test_a_practitioner_never_allocated_gets_the_unknown_record_answer(
    fh_client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    work = on_s47(fh_client, clock, reference, staff, new_uow)
    unknown_to(work, work.stranger)


def test_each_finds_the_episode_on_their_caseload_in_the_role_they_work_it(
    fh_client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """The lead child protection practitioner's s.47 cases are on their home screen, as a
    co-worker's are, each marked with how they work it; the lead's shows them as its lead."""
    work = on_s47(fh_client, clock, reference, staff, new_uow)
    episode = work.case.episode["id"]
    roles = {}
    for who in (staff.lead, work.cp_lead, work.co_worker, work.stranger):
        with as_user(fh_client, who):
            roles[who] = {e["episode_id"]: e["my_role"] for e in caseload(fh_client)}.get(episode)
    assert roles == {
        staff.lead: "lead_professional",
        work.cp_lead: "lead_child_protection_practitioner",
        work.co_worker: "co_worker",
        work.stranger: None,
    }


def test_the_family_s_chronology_shows_who_was_allocated_and_when_they_stopped(
    fh_client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    work = on_s47(fh_client, clock, reference, staff, new_uow)
    allocation = work.allocation_of(work.co_worker)
    with as_user(fh_client, staff.manager):
        post(
            work.case,
            f"/allocations/{allocation['id']}/end",
            {"reason": "Health visiting input complete."},
        )
    url = f"{API}/families/{work.case.family['id']}/chronology"
    kinds = ["allocation_started", "allocation_ended"]
    entries = ok(fh_client.get(url, params={"kind": kinds, "limit": 50}))["items"]
    seen = {(e["kind"], e["by_practitioner_id"], e["what"]) for e in entries}
    assert (
        "allocation_started",
        str(work.cp_lead),
        "Allocated as lead child protection practitioner",
    ) in seen
    assert ("allocation_started", str(work.co_worker), "Allocated as co-worker") in seen
    assert (
        "allocation_ended",
        str(work.co_worker),
        "No longer allocated as co-worker: Health visiting input complete.",
    ) in seen
