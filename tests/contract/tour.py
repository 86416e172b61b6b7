"""One representative request to every operation of the contract, through the API as a front end
would make them, recording every answer: what `test_openapi.py` compares with the contract.

The tour runs a family right through the cycle to a paid-for claim, keeps another one active for
the plan's and the TAF's own operations, and reads everything back, as each role does it. Every
change that needs If-Match is first sent without it (428), then with a stale ETag (412), then
with the right one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.db.repositories.reference import packaged_framework_document
from app.domain.access import Role
from app.domain.outcomes_framework import signed_off
from app.domain.practitioners import Practitioner
from tests.api.test_caseload import new_case
from tests.api.test_claims import run_family
from tests.api.test_episodes import API, Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_meeting_body,
    make_member_body,
    make_person_body,
)
from tests.interchange_builders import household, line_of

STALE = '"999"'


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass
class Tour:
    client: TestClient
    answers: list[Answer] = field(default_factory=list)

    def record(self, response: httpx.Response) -> None:
        response.read()
        self.answers.append(
            Answer(
                response.request.method,
                response.request.url.path,
                response.status_code,
                response.headers,
                response.content,
            )
        )

    def change(
        self,
        method: str,
        url: str,
        etag: str,
        body: dict[str, Any] | None = None,
        status: int = 200,
    ) -> httpx.Response:
        """A conditional change: 428 without If-Match, 412 with a stale one, then done."""
        missing = self.client.request(method, url, json=body)
        assert missing.status_code == 428, f"{method} {url} without If-Match: {missing.text}"
        stale = self.client.request(method, url, json=body, headers={"If-Match": STALE})
        assert stale.status_code == 412, f"{method} {url} with a stale ETag: {stale.text}"
        done: httpx.Response = self.client.request(
            method, url, json=body, headers={"If-Match": etag}
        )
        assert done.status_code == status, f"{method} {url}: {done.text}"
        return done

    def read(self, url: str, **params: Any) -> httpx.Response:
        """A read that must succeed; a versioned one is read again with If-None-Match (304)."""
        response: httpx.Response = self.client.get(url, params=params)
        assert response.status_code == 200, f"GET {url}: {response.text}"
        if "ETag" in response.headers:
            again = self.client.get(
                url, params=params, headers={"If-None-Match": response.headers["ETag"]}
            )
            assert again.status_code == 304, f"GET {url} with If-None-Match: {again.status_code}"
        return response


def etag_of(record: dict[str, Any]) -> str:
    return f'"{record["version"]}"'


def take_the_tour(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff, new_uow: Any
) -> Tour:
    tour = Tour(client)
    client.event_hooks["response"].append(tour.record)
    admin = given_practitioner(new_uow, roles={Role.ADMIN}, name="Ada Admin")
    auditor = given_practitioner(new_uow, roles={Role.AUDITOR}, name="Aud Auditor")
    reports = given_practitioner(new_uow, roles={Role.REPORTING}, name="Reports")

    for path in ("/health", "/ready", f"{API}/hubs", f"{API}/agencies"):
        tour.read(path)
    tour.read(f"{API}/outcome-headlines")
    tour.read(f"{API}/levels-of-need")

    _administer(tour, admin)
    closed = run_family(client, clock, reference, staff, "Moss", checked_on=None)
    _sustained(tour, clock, closed)
    _claim(tour, closed, auditor, reports)
    on(clock, "2025-01-13")
    active = _active_case(tour, clock, reference, staff)
    _household(tour, active)
    _plan_and_team(tour, active)
    _read_back(tour, active, staff, reports)
    _documents(tour, active, staff)
    _front_door(tour, active, new_uow)
    _family_help(tour, active, staff, new_uow, reports)
    _handover(tour, active, staff)
    return tour


def _administer(tour: Tour, admin: uuid.UUID) -> None:
    client = tour.client
    with as_user(client, admin):
        tour.read(f"{API}/admin/supporting-families/framework")
        ok(
            client.post(
                f"{API}/admin/supporting-families/framework",
                json={
                    "document": signed_off(packaged_framework_document()),
                    "reason": "Signed off by the SF lead",
                },
            ),
            201,
        )
        policy = tour.read(f"{API}/admin/supporting-families/policy").json()["in_force"]
        ok(
            client.post(
                f"{API}/admin/supporting-families/policy",
                json={"effective_from": "2024-01-01", "policy": policy, "reason": "As shipped"},
            ),
            201,
        )
        standards = tour.read(f"{API}/admin/timeliness-policy").json()["versions"][-1]
        standards = {k: v for k, v in standards.items() if k not in {"version", "in_force"}}
        ok(
            client.post(
                f"{API}/admin/timeliness-policy",
                json={**standards, "effective_from": "2025-06-01", "reason": "Board, May 2025"},
            ),
            201,
        )
        body = {
            "name": "Grace Hughes",
            "email": "grace.hughes@school.example",
            "agency_code": "SCHOOL",
            "roles": ["practitioner"],
        }
        key = {"Idempotency-Key": "register-grace"}
        grace = ok(client.post(f"{API}/practitioners", json=body, headers=key), 201)
        replayed = client.post(f"{API}/practitioners", json=body, headers=key)
        assert replayed.headers["Idempotent-Replayed"] == "true"
        tour.read(f"{API}/practitioners", limit=1)
        url = f"{API}/practitioners/{grace['id']}"
        tour.read(url)
        tour.change("PATCH", url, etag_of(grace), {"name": "Grace Hughes-Lee"})
        checked = client.post(
            f"{API}/imports",
            params={"dry_run": "true"},
            content=line_of(household()).encode(),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert ok(checked)["imported"] == 1
        tour.read(f"{API}/exports")


def _sustained(tour: Tour, clock: FixedClock, case: Case) -> None:
    """Six months after closure, every achieved outcome is checked and has held."""
    on(clock, "2024-12-30")
    for need in ok(tour.client.get(f"{case.url}/needs")):
        tour.change(
            "POST",
            f"{case.url}/needs/{need['id']}/sustainment-check",
            etag_of(need),
            {"result": "sustained", "evidence": {"source": "School MIS", "reference": "S-1"}},
        )
    on(clock, "2025-01-06")


def _claim(tour: Tour, case: Case, auditor: uuid.UUID, reports: uuid.UUID) -> None:
    client = tour.client
    with as_user(client, reports):
        claim = ok(
            client.post(
                f"{API}/claims", json={"episode_id": case.episode["id"], "period_end": "2024-12-31"}
            ),
            201,
        )
    url = f"{API}/claims/{claim['id']}"
    with as_user(client, auditor):
        tour.read(url)
        audited = tour.change(
            "POST", f"{url}/audit", etag_of(claim), {"outcome": "approved", "notes": "Checked"}
        )
    with as_user(client, reports):
        tour.change("POST", f"{url}/submission", audited.headers["ETag"])
        report = f"{API}/reports/supporting-families/claims"
        ok(client.post(report, json={"period_end": "2024-12-31"}), 201)
        tour.read(report, period_end="2024-12-31")
        as_csv = client.get(report, params={"period_end": "2024-12-31"}, headers=CSV)
        assert as_csv.status_code == 200, as_csv.text


CSV = {"Accept": "text/csv"}


def _active_case(
    tour: Tour, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> dict[str, Any]:
    """An episode through assessment, plan, QA and the first TAF meeting, to active."""
    client = tour.client
    case = new_case(client, clock, reference, staff, "Walker")
    give_consent(case, day="2025-01-13")
    give_consent(
        case,
        "information_sharing",
        day="2025-01-13",
        sharing_scope="named_agencies",
        agency_codes=["SCHOOL"],
    )
    assessment, plan = assess_and_plan(case)
    case.post("/plan-submission")
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
    mum = ok(
        client.post(
            f"{case.url}/taf-members",
            json={"kind": "family_member", "person_id": case.person("parent_carer"), "role": "Mum"},
        ),
        201,
    )
    on(clock, "2025-01-20")
    body = make_meeting_body(
        "2025-01-20", [school["id"], mum["id"]], outcome_id=plan["outcomes"][0]["id"]
    )
    held = tour.change("POST", f"{case.url}/meetings", case.etag, body, status=201)
    case.etag = held.headers["ETag"]
    return {
        "case": case,
        "assessment": assessment,
        "plan": ok(client.get(f"{case.url}/plans/{plan['id']}")),
        "school": school,
        "mum": mum,
    }


def _household(tour: Tour, active: dict[str, Any]) -> None:
    client = tour.client
    case: Case = active["case"]
    family_url = f"{API}/families/{case.family['id']}"
    tour.read(f"{API}/families", limit=1)
    ok(client.post(f"{API}/families/duplicate-check", json={"postcode": "FY1 3HT"}))
    family = tour.read(family_url).json()
    family = tour.change(
        "PATCH", family_url, etag_of(family), {"address": {**family["address"], "line2": "Flat 2"}}
    ).json()
    key = {"Idempotency-Key": "add-nan"}
    nan = make_member_body("other_adult", given_name="Nan", date_of_birth="1950-03-03")
    joined = client.post(f"{family_url}/members", json=nan, headers=key)
    assert joined.status_code == 201, joined.text
    again = client.post(f"{family_url}/members", json=nan, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    tour.change(
        "POST",
        f"{family_url}/members/{joined.json()['id']}/leave",
        joined.headers["ETag"],
        {"left_on": "2025-01-20"},
    )
    ok(
        client.post(
            f"{family_url}/relationships",
            json={
                "person_id": case.person("parent_carer"),
                "related_person_id": case.person("child"),
                "kind": "parent",
                "parental_responsibility": True,
            },
        ),
        201,
    )
    person_url = f"{API}/people/{case.person('child')}"
    person = tour.read(person_url).json()
    tour.change("PATCH", person_url, etag_of(person), {"send": True})

    consents = tour.read(f"{family_url}/consents", limit=1).json()
    sharing = ok(client.get(f"{family_url}/consents", params={"purpose": "information_sharing"}))
    consent_url = f"{family_url}/consents/{sharing['items'][0]['id']}"
    assert consents["next_cursor"] is not None
    tour.read(consent_url)
    tour.read(f"{family_url}/consent-status", purpose="information_sharing", agency_code="SCHOOL")
    nash = give_consent(
        case, "information_sharing", day="2025-01-20", sharing_scope="all_taf_members"
    )
    tour.change(
        "POST",
        f"{family_url}/consents/{nash['id']}/withdrawal",
        etag_of(nash),
        {"withdrawn_on": "2025-01-20", "reason": "Changed her mind about sharing with everyone"},
    )
    shared = client.post(
        f"{family_url}/disclosures",
        json={
            "decision": "shared",
            "decided_on": "2025-01-20",
            "recipient_name": "St Anne's Primary, safeguarding lead",
            "recipient_type": "education",
            "recipient_agency_code": "SCHOOL",
            "information": "The attendance outcome of the plan",
            "purpose": "So the school can support it",
            "person_ids": [case.person("child")],
            "lawful_basis": "ca2004_s16la",
        },
    )
    assert shared.status_code == 201, shared.text
    tour.record(shared)
    tour.read(f"{family_url}/disclosures", lawful_basis="ca2004_s16la")
    tour.read(shared.headers["Location"])
    tour.read(f"{family_url}/chronology", limit=5)
    nan = client.post(
        f"{family_url}/network-members",
        json={
            "person": make_person_body(given_name="Margaret", date_of_birth="1958-04-02"),
            "child_person_ids": [case.person("child")],
            "relationship": "grandparent",
            "agreed_role": "Walks Ava to school on Tuesdays",
        },
    )
    assert nan.status_code == 201, nan.text
    tour.record(nan)
    tour.read(f"{family_url}/network-members")
    offer = client.post(
        f"{family_url}/fgdm-offers",
        json={
            "status": "awaiting_answer",
            "decided_on": "2025-01-20",
            "offered_to_person_ids": [case.person("parent_carer")],
        },
    )
    assert offer.status_code == 201, offer.text
    tour.record(offer)
    tour.change(
        "POST",
        f"{family_url}/fgdm-offers/{offer.json()['id']}/answer",
        offer.headers["ETag"],
        {"accepted": True, "answered_on": "2025-01-20"},
    )
    tour.read(f"{family_url}/fgdm-offers")
    held = client.post(
        f"{family_url}/fgdm-meetings",
        json={
            "offer_id": offer.json()["id"],
            "held_on": "2025-01-20",
            "meeting_type": "family_group_conference",
            "coordinator_name": "Jo Baines",
            "coordinator_independent": True,
            "private_family_time": True,
            "attendee_person_ids": [case.person("parent_carer"), nan.json()["person"]["id"]],
        },
    )
    assert held.status_code == 201, held.text
    tour.record(held)
    tour.read(f"{family_url}/fgdm-meetings")
    tour.change(
        "POST",
        f"{family_url}/network-members/{nan.json()['id']}/end",
        nan.headers["ETag"],
        {"ended_on": "2025-01-20"},
    )


def _plan_and_team(tour: Tour, active: dict[str, Any]) -> None:
    client = tour.client
    case: Case = active["case"]
    plan = active["plan"]
    plan_url = f"{case.url}/plans/{plan['id']}"
    action = plan["actions"][0]
    tour.change(
        "PATCH", f"{plan_url}/actions/{action['id']}", etag_of(plan), {"status": "in_progress"}
    )
    revision = client.post(f"{plan_url}/revision")
    assert revision.status_code == 201, revision.text
    draft = revision.json()
    tour.change(
        "PATCH",
        f"{case.url}/plans/{draft['id']}",
        revision.headers["ETag"],
        {"actions": [{**_action_in(a), "due_on": "2025-03-31"} for a in draft["actions"]]},
    )
    tour.read(f"{case.url}/plans")
    tour.read(f"{case.url}/plans/{draft['id']}")

    assessment = active["assessment"]
    tour.read(f"{case.url}/assessments")
    tour.read(f"{case.url}/assessments/{assessment['id']}")
    reassessment = client.post(f"{case.url}/assessments")
    assert reassessment.status_code == 201, reassessment.text
    redo_url = f"{case.url}/assessments/{reassessment.json()['id']}"
    written = tour.change(
        "PATCH", redo_url, reassessment.headers["ETag"], {"analysis": "Mornings are easier now."}
    )
    tour.change("POST", f"{redo_url}/completion", written.headers["ETag"])

    tour.read(f"{case.url}/taf-members")
    tour.read(f"{case.url}/meetings")
    school = active["school"]
    tour.change(
        "POST",
        f"{case.url}/taf-members/{school['id']}/leave",
        etag_of(school),
        {"left_on": "2025-01-20"},
    )
    need = ok(
        client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": [case.person("child")],
                "identified_on": "2025-01-13",
                "evidence": {"source": "School MIS", "reference": "ATT-2025-004"},
            },
        ),
        201,
    )
    ok(
        client.post(
            f"{case.url}/support",
            json={
                "service": "Triple P",
                "provider": "Family Hub North",
                "started_on": "2025-01-20",
            },
        ),
        201,
    )
    tour.read(f"{case.url}/needs")
    tour.read(f"{case.url}/support")
    tour.change(
        "POST",
        f"{case.url}/needs/{need['id']}/outcome",
        etag_of(need),
        {
            "status": "achieved",
            "on": "2025-01-20",
            "evidence": {"source": "School MIS", "reference": "ATT-2025-019"},
        },
    )

    _contacts(tour, case)


def _contacts(tour: Tour, case: Case) -> None:
    """A home visit recorded, listed, read and corrected."""
    recorded = tour.client.post(
        f"{case.url}/contacts",
        json={
            "kind": "home_visit",
            "note": "Mornings calmer.",
            "seen_person_ids": [case.person("child")],
            "children_seen_alone": [case.person("child")],
        },
    )
    contact = ok(recorded, 201)
    tour.read(f"{case.url}/contacts")
    tour.read(f"{case.url}/contacts/{contact['id']}")
    tour.change(
        "POST",
        f"{case.url}/contacts/{contact['id']}/amendments",
        recorded.headers["ETag"],
        {"field": "note", "text": "Mornings much calmer.", "reason": "Sarah's own word"},
    )


def _action_in(action: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "outcome_id", "description", "owner_taf_member_id", "owner_person_id", "status")
    return {k: action[k] for k in keys}


def _read_back(tour: Tour, active: dict[str, Any], staff: Staff, reports: uuid.UUID) -> None:
    client = tour.client
    case: Case = active["case"]
    tour.read(f"{API}/episodes", limit=1)
    tour.read(case.url)
    tour.read(f"{case.url}/case")
    tour.read(f"{API}/me")
    tour.read(f"{API}/labels")
    tour.read(f"{API}/me/caseload")
    tour.read(f"{API}/me/worklist")
    tour.read(f"{API}/me/changes")
    with as_user(client, staff.manager):
        tour.read(f"{API}/timeliness/overdue", as_of="2025-06-30", limit=1)
        tour.read(f"{API}/timeliness/summary")
        tour.read(f"{API}/families/{case.family['id']}/access-log", limit=1)
        period = {"from": "2024-03-01", "to": "2025-01-31"}
        tour.read(f"{API}/reports/security-events", limit=1, **period)
        assert client.get(f"{API}/reports/security-events", params=period, headers=CSV).is_success
    with as_user(client, reports):
        period = {"from": "2024-01-01", "to": "2024-12-31"}
        tour.read(f"{API}/reports/early-help-measures", **period)
        as_csv = client.get(f"{API}/reports/early-help-measures", params=period, headers=CSV)
        assert as_csv.status_code == 200, as_csv.text
        quarter = {"quarter_end": "2024-12-31"}
        tour.read(f"{API}/reports/quarterly-progress", **quarter)
        as_csv = client.get(f"{API}/reports/quarterly-progress", params=quarter, headers=CSV)
        assert as_csv.status_code == 200, as_csv.text


def _documents(tour: Tour, active: dict[str, Any], staff: Staff) -> None:
    """A letter on the family's record and a scan on the episode: listed, read, downloaded, and
    the scan erased by a manager."""
    client = tour.client
    case: Case = active["case"]
    pdf = b"%PDF-1.7\n%%EOF\n"
    family_documents = f"{API}/families/{case.family['id']}/documents"
    letter = client.post(
        family_documents,
        data={"title": "School's letter", "dated_on": "2025-01-10"},
        files={"file": ("letter.txt", b"Dear Mrs Walker,\n", "text/plain")},
    )
    assert letter.status_code == 201, letter.text
    scan = ok(
        client.post(
            f"{case.url}/documents",
            data={"title": "Signed consent form", "sensitive": "true"},
            files={"file": ("consent.pdf", pdf, "application/pdf")},
        ),
        201,
    )
    tour.read(family_documents, limit=1)
    tour.read(f"{case.url}/documents")
    visit = ok(
        client.post(f"{case.url}/contacts", json={"kind": "phone", "note": "Form sent by post."}),
        201,
    )
    contact_documents = f"{case.url}/contacts/{visit['id']}/documents"
    posted = client.post(
        contact_documents,
        data={"title": "Returned form"},
        files={"file": ("form.txt", b"Signed and returned.\n", "text/plain")},
    )
    assert posted.status_code == 201, posted.text
    tour.read(contact_documents)
    tour.read(f"{API}/documents/{scan['id']}")
    tour.read(scan["content_url"])
    with as_user(client, staff.manager):
        erased = client.request(
            "DELETE", f"{API}/documents/{scan['id']}", json={"reason": "Scanned the wrong form"}
        )
        assert erased.status_code == 200, erased.text


def _front_door(tour: Tour, active: dict[str, Any], new_uow: Any) -> None:
    """A school's request about the active family, with its referral letter: the front door
    corrects its urgency and attaches it to the open episode, and its lead acknowledges it."""
    client = tour.client
    case: Case = active["case"]
    officer = given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Front")
    body = {
        "referrer": {"kind": "agency", "agency_code": "SCHOOL", "name": "Sam School"},
        "family_id": case.family["id"],
        "child_person_ids": [case.person("child")],
        "asked_for": "Support with attendance",
        "reason": "Attendance has fallen again",
        "family_agreed": True,
    }
    with as_user(client, officer):
        made = ok(client.post(f"{API}/requests", json=body, headers={"Idempotency-Key": "fd"}), 201)
        url = f"{API}/requests/{made['id']}"
        tour.read(f"{API}/requests", status="awaiting_decision", limit=1)
        tour.read(url)
        corrected = tour.change("PATCH", url, etag_of(made), {"urgency": "urgent"})
        letter = client.post(
            f"{url}/documents",
            data={"title": "School's referral letter"},
            files={"file": ("referral.txt", b"Attendance has fallen to 80%.\n", "text/plain")},
            headers={"Idempotency-Key": "fd-letter"},
        )
        assert letter.status_code == 201, letter.text
        tour.read(f"{url}/documents")
        decided = tour.change(
            "POST",
            f"{url}/decision",
            corrected.headers["ETag"],
            {"outcome": "already_open", "reason": "Known"},
        )
    tour.change("POST", f"{url}/acknowledgement", decided.headers["ETag"])


def _family_help(
    tour: Tour, active: dict[str, Any], staff: Staff, new_uow: Any, reports: uuid.UUID
) -> None:
    """The council switches to Family Help: the episode steps across to s17 under a practice
    supervisor, gains a co-worker who leaves again, gets its census dates and (no) child
    protection, and is extracted."""
    client = tour.client
    case: Case = active["case"]
    app_state = client.app.state  # type: ignore[attr-defined]
    before = app_state.settings
    app_state.settings = before.model_copy(
        update={"family_help": True, "threshold_document_version": "2026-04"}
    )
    supervisor = Practitioner(
        id=uuid.uuid4(),
        name="Sue Supervisor",
        email="sue.supervisor@council.example",
        agency_code="COUNCIL_EH",
        roles=frozenset({Role.PRACTITIONER}),
        registered_social_worker=True,
    )
    with new_uow() as uow:
        uow.practitioners.add(supervisor, at=datetime(2025, 1, 1, tzinfo=UTC))
        uow.commit()
    try:
        read = tour.read(f"{case.url}/family-help")
        stepped = tour.change(
            "POST",
            f"{case.url}/step-across",
            read.headers["ETag"],
            {
                "to_type": "family_help",
                "to_basis": "s17",
                "decided_by": str(supervisor.id),
                "reason": "Meets the child in need threshold",
                "oversight_practitioner_id": str(supervisor.id),
            },
        )
        referral = stepped.json()["census"]["referral_on"]
        with as_user(client, staff.manager):
            allocated = tour.change(
                "POST",
                f"{case.url}/allocations",
                stepped.headers["ETag"],
                {"practitioner_id": str(staff.school_worker), "role": "co_worker"},
            )
            [co_worker] = [a for a in allocated.json()["allocations"] if a["role"] == "co_worker"]
            ended = tour.change(
                "POST",
                f"{case.url}/allocations/{co_worker['id']}/end",
                allocated.headers["ETag"],
                {"reason": "Attendance work done"},
            )
        dated = tour.change(
            "PUT",
            f"{case.url}/census-dates",
            ended.headers["ETag"],
            {"referral_on": referral, "primary_need_code": "N4"},
        )
        # Child in need work with no s.47 enquiry: its child protection is recorded as none.
        tour.change(
            "PUT",
            f"{case.url}/census-child-protection",
            dated.headers["ETag"],
            {"s47_enquiries": [], "child_protection_plans": []},
        )
        with as_user(client, reports):
            tour.read(f"{API}/reports/cin-census", **{"from": "2024-04-01", "to": referral})
    finally:
        app_state.settings = before


def _handover(tour: Tour, active: dict[str, Any], staff: Staff) -> None:
    """Last: the level of need changes, the manager hands the case to another lead, who closes it."""
    case: Case = active["case"]
    etag = tour.client.get(case.url).headers["ETag"]
    changed = tour.change("POST", f"{case.url}/level-changes", etag, {"level_of_need": "3"})
    with as_user(tour.client, staff.manager):
        handed = tour.change(
            "POST",
            f"{case.url}/lead-assignments",
            changed.headers["ETag"],
            {"practitioner_id": str(staff.other_lead), "reason": "Caseload balancing"},
        )
    with as_user(tour.client, staff.other_lead):
        tour.change(
            "POST",
            f"{case.url}/closure",
            handed.headers["ETag"],
            {
                "reason": "all_needs_met",
                "family_view": {"improved": "yes", "in_their_words": "Mornings are calmer"},
            },
        )
