"""The early help cycle through the API: request → assess → plan → QA → first TAF → reviews → closure."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Table, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import FixedClock
from app.db.models import EpisodeRow
from app.domain.audit import AuditEntry
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    make_episode_body,
    make_family_body,
    make_meeting_body,
    make_member_body,
)

API = "/api/v1"


def on(clock: FixedClock, day: str) -> None:
    """Move the service's clock to 10:00 UTC on the given day."""
    clock.instant = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class Case:
    client: TestClient
    clock: FixedClock
    family: dict[str, Any]
    episode: dict[str, Any]
    etag: str

    @property
    def url(self) -> str:
        return f"{API}/episodes/{self.episode['id']}"

    def person(self, role: str) -> str:
        person_id: str = next(m["person_id"] for m in self.family["members"] if m["role"] == role)
        return person_id

    def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        response = self.client.post(f"{self.url}{path}", json=body, headers={"If-Match": self.etag})
        data = ok(response, status)
        if "episode" in data and isinstance(data["episode"], dict):
            self.episode = data["episode"]
            self.etag = response.headers["ETag"]
        elif data.get("stage"):
            self.episode = data
            self.etag = response.headers["ETag"]
        return data

    def deadline(self, kind: str) -> dict[str, Any]:
        return next(d for d in self.episode["deadlines"] if d["kind"] == kind)


@pytest.fixture
def case(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> Case:
    on(clock, "2024-11-25")
    body = make_family_body(reference.hubs["NORTH"])
    family = ok(client.post(f"{API}/families", json=body), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    episode = ok(response, 201)
    return Case(client, clock, family, episode, response.headers["ETag"])


def give_consent(
    case: Case, purpose: str = "early_help", day: str = "2024-12-02", **extra: Any
) -> dict[str, Any]:
    if case.clock.today().isoformat() < day:
        on(case.clock, day)
    body = {
        "purpose": purpose,
        "given_by_person_id": case.person("parent_carer"),
        "method": "written",
        "given_on": day,
        **extra,
    }
    consent: dict[str, Any] = ok(
        case.client.post(f"{API}/families/{case.family['id']}/consents", json=body), 201
    )
    return consent


def assess_and_plan(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start, write and complete the assessment, and draft a plan linked to its needs."""
    started = case.post("/assessment-start")
    assessment = started["assessment"]
    a_url = f"{case.url}/assessments/{assessment['id']}"
    child = case.person("child")
    written = case.client.patch(
        a_url,
        headers={"If-Match": f'"{assessment["version"]}"'},
        json={
            "strengths": ["Warm relationship with mum"],
            "needs": [
                {
                    "headline": "EDU",
                    "description": "Attendance 78% this term",
                    "person_ids": [child],
                }
            ],
            "child_voice": "I don't like mornings",
            "parents_view": "Mornings are a battle",
            "analysis": "Routines at home are the root of poor attendance.",
        },
    )
    assessment = ok(written)
    completed = ok(
        case.client.post(f"{a_url}/completion", headers={"If-Match": written.headers["ETag"]})
    )
    need = completed["needs"][0]["id"]
    plan = ok(
        case.client.post(
            f"{case.url}/plans",
            json={
                "outcomes": [
                    {
                        "description": "Ava attends school every day",
                        "need_ids": [need],
                        "measure": "Attendance above 95%",
                        "baseline_score": 3,
                    }
                ],
                "actions": [
                    {
                        "description": "Morning routine chart",
                        "owner_person_id": case.person("parent_carer"),
                        "due_on": "2025-01-31",
                    }
                ],
            },
        ),
        201,
    )
    return completed, plan


class TestFullCycle:
    def test_a_family_is_run_through_the_whole_cycle(self, case: Case, staff: Staff) -> None:
        assert case.episode["stage"] == "requested"
        assert case.episode["lead"]["name"] == "Lena Lead"
        give_consent(case)
        give_consent(
            case, "information_sharing", sharing_scope="named_agencies", agency_codes=["SCHOOL"]
        )

        on(case.clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        assessment_clock = case.deadline("assessment")
        assert assessment_clock["started_on"] == "2024-12-02"
        assert (
            assessment_clock["due_on"] == "2025-01-02"
        )  # 20 working days, skipping 25/26 Dec and 1 Jan
        assert assessment_clock["status"] == "on_time"

        on(case.clock, "2024-12-20")
        case.post("/plan-submission")
        assert case.episode["stage"] == "plan_awaiting_qa"
        assert case.deadline("assessment")["status"] == "met_on_time"

        on(case.clock, "2024-12-23")
        with as_user(case.client, staff.qa_officer):
            case.post(
                "/qa-decisions", {"outcome": "returned", "comments": "Add an action for the school"}
            )
        assert case.episode["stage"] == "plan_returned"
        school = ok(
            case.client.post(
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
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "family_member",
                    "person_id": case.person("parent_carer"),
                    "role": "Mum",
                },
            ),
            201,
        )
        plan_url = f"{case.url}/plans/{plan['id']}"
        current = case.client.get(plan_url)
        actions = [
            *current.json()["actions"],
            {
                "description": "Daily welcome at the gate",
                "owner_taf_member_id": school["id"],
                "due_on": "2025-01-31",
            },
        ]
        ok(
            case.client.patch(
                plan_url, json={"actions": actions}, headers={"If-Match": current.headers["ETag"]}
            )
        )
        case.post("/plan-submission")

        on(case.clock, "2025-01-06")
        with as_user(case.client, staff.qa_officer):
            case.post("/qa-decisions", {"outcome": "approved"})
        assert case.episode["stage"] == "plan_approved"
        first_taf = case.deadline("first_taf")
        assert (first_taf["started_on"], first_taf["due_on"]) == ("2025-01-06", "2025-01-20")

        on(case.clock, "2025-01-15")
        plan = case.client.get(plan_url).json()
        held = case.post(
            "/meetings",
            make_meeting_body(
                "2025-01-15", [school["id"], mum["id"]], outcome_id=plan["outcomes"][0]["id"]
            ),
            status=201,
        )
        assert held["meeting"]["is_first"] is True
        assert case.episode["stage"] == "active"
        assert case.deadline("first_taf")["status"] == "met_on_time"
        review = case.deadline("review")
        assert (review["due_from"], review["due_on"]) == ("2025-02-12", "2025-02-26")
        assert case.client.get(plan_url).json()["status"] == "agreed"

        on(case.clock, "2025-02-20")
        case.post(
            "/meetings",
            make_meeting_body(
                "2025-02-20",
                [school["id"]],
                outcome_id=plan["outcomes"][0]["id"],
                score=8,
                child_voice="present",
                decision="close",
            ),
            status=201,
        )
        assert case.deadline("review")["status"] == "met_on_time"

        case.post(
            "/closure",
            {
                "reason": "all_needs_met",
                "family_view": {"improved": "yes", "in_their_words": "Mornings are calm now"},
            },
        )
        assert case.episode["stage"] == "closed"
        assert case.episode["closed_on"] == "2025-02-20"
        meetings = ok(case.client.get(f"{case.url}/meetings"))
        assert [m["is_first"] for m in meetings] == [True, False]


class TestRefusals:
    def test_assessing_a_family_without_consent_is_refused(self, case: Case) -> None:
        response = case.client.post(f"{case.url}/assessment-start", headers={"If-Match": case.etag})
        assert response.status_code == 409
        assert response.json()["code"] == "early_help_consent_not_in_force"
        assert "consent" in response.json()["detail"].lower()
        assert case.client.get(case.url).json()["stage"] == "requested"

    def test_holding_a_taf_meeting_before_the_plan_is_approved_is_refused(self, case: Case) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        case.post("/assessment-start")
        response = case.client.post(
            f"{case.url}/meetings",
            headers={"If-Match": case.etag},
            json=make_meeting_body("2024-12-03", [], child_voice="present"),
        )
        assert response.status_code == 409
        assert "approved" in response.json()["detail"]

    def test_reviewing_a_closed_episode_is_refused(self, case: Case) -> None:
        case.post("/closure", {"reason": "moved_away"})
        response = case.client.post(
            f"{case.url}/meetings",
            headers={"If-Match": case.etag},
            json={
                "held_on": "2024-11-25",
                "attendee_member_ids": [],
                "family_present": False,
                "child_voice": "not_shared",
                "decision": "continue",
            },
        )
        assert response.status_code == 409
        assert "closed" in response.json()["detail"]

    def test_a_practitioner_joins_the_taf_only_with_consent_to_share_with_their_agency(
        self, case: Case, staff: Staff
    ) -> None:
        give_consent(
            case,
            "information_sharing",
            day="2024-11-25",
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        url = f"{case.url}/taf-members"
        police = case.client.post(
            url,
            json={
                "kind": "practitioner",
                "practitioner_id": str(staff.police_officer),
                "role": "PCSO",
            },
        )
        assert police.status_code == 409
        assert police.json()["code"] == "sharing_consent_not_in_force"
        school = case.client.post(
            url,
            json={
                "kind": "practitioner",
                "practitioner_id": str(staff.school_worker),
                "role": "Teacher",
            },
        )
        assert school.status_code == 201

    def test_a_stale_transition_is_refused_and_changes_nothing(self, case: Case) -> None:
        give_consent(case)
        stale = case.etag
        case.post("/assessment-start")
        response = case.client.post(
            f"{case.url}/closure", headers={"If-Match": stale}, json={"reason": "moved_away"}
        )
        assert response.status_code == 412
        assert response.json()["current"]["stage"] == "assessing"
        assert response.json()["current"]["id"] == case.episode["id"]
        assert case.client.get(case.url).json()["stage"] == "assessing"

    def test_closing_needs_the_familys_view(self, case: Case) -> None:
        response = case.client.post(
            f"{case.url}/closure", headers={"If-Match": case.etag}, json={"reason": "all_needs_met"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "family_view"

    def test_a_family_has_one_open_episode_at_a_time(self, case: Case, staff: Staff) -> None:
        with as_user(case.client, staff.manager):
            response = case.client.post(
                f"{API}/episodes",
                json={
                    "family_id": case.family["id"],
                    "source": "gp",
                    "level_of_need": "3",
                    "lead_practitioner_id": str(staff.lead),
                    "child_person_ids": [case.person("child")],
                },
            )
        assert response.status_code == 409

    def test_an_adult_is_not_a_child_of_an_episode(self, case: Case, staff: Staff) -> None:
        case.post("/closure", {"reason": "moved_away"})
        response = request_again(case, staff, child_role="parent_carer")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "child_person_ids[0]"

    def test_level_of_need_outside_early_help_is_refused(self, case: Case, staff: Staff) -> None:
        case.post("/closure", {"reason": "moved_away"})
        response = request_again(case, staff, level_of_need="4")
        assert response.status_code == 422
        # A business rule's field problem reads like a field's own: one style of type code.
        assert response.json()["errors"][0] == {
            "field": "level_of_need",
            "message": response.json()["detail"],
            "type": "invalid_value",
        }


def request_again(
    case: Case, staff: Staff, *, child_role: str = "child", level_of_need: str = "3"
) -> Any:
    """A new request for the same family, as its lead professional."""
    return case.client.post(
        f"{API}/episodes",
        json={
            "family_id": case.family["id"],
            "source": "gp",
            "level_of_need": level_of_need,
            "lead_practitioner_id": str(staff.lead),
            "child_person_ids": [case.person(child_role)],
        },
    )


class TestConsentAndHandover:
    def test_withdrawing_consent_stops_the_clocks(self, case: Case) -> None:
        consent = give_consent(case)
        on(case.clock, "2024-12-03")
        case.post("/assessment-start")
        on(case.clock, "2024-12-10")
        url = f"{API}/families/{case.family['id']}/consents/{consent['id']}/withdrawal"
        ok(
            case.client.post(
                url,
                json={"withdrawn_on": "2024-12-10", "reason": "No longer wants help"},
                headers={"If-Match": f'"{consent["version"]}"'},
            )
        )
        episode = ok(case.client.get(case.url))
        assert episode["consent_withdrawn_on"] == "2024-12-10"
        assert (
            next(d for d in episode["deadlines"] if d["kind"] == "assessment")["status"]
            == "stopped"
        )
        case.etag = f'"{episode["version"]}"'
        refused = case.client.post(
            f"{case.url}/closure",
            headers={"If-Match": case.etag},
            json={
                "reason": "all_needs_met",
                "family_view": {"improved": "no", "in_their_words": "n/a"},
            },
        )
        assert refused.status_code == 409
        case.post("/closure", {"reason": "consent_withdrawn"})
        assert case.episode["stage"] == "closed"

    def test_handover_keeps_history_and_does_not_reset_clocks(
        self, case: Case, staff: Staff
    ) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        case.post("/assessment-start")
        due = case.deadline("assessment")["due_on"]
        with as_user(case.client, staff.manager):
            case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.other_lead), "reason": "Caseload balance"},
            )
        assert case.episode["lead"]["practitioner_id"] == str(staff.other_lead)
        assert case.episode["lead_history"][-1]["from_practitioner_id"] == str(staff.lead)
        assert case.deadline("assessment")["due_on"] == due

    def test_a_new_request_after_closure_is_linked_to_the_old_episode(
        self, case: Case, staff: Staff
    ) -> None:
        case.post("/closure", {"reason": "moved_away"})
        again = ok(
            case.client.post(
                f"{API}/episodes",
                json={
                    "family_id": case.family["id"],
                    "source": "family_asked",
                    "level_of_need": "3",
                    "lead_practitioner_id": str(staff.lead),
                    "child_person_ids": [case.person("child")],
                },
            ),
            201,
        )
        assert again["previous_episode_id"] == case.episode["id"]

    def test_the_level_of_need_can_change_with_history(self, case: Case) -> None:
        case.post("/level-changes", {"level_of_need": "3", "reason": "Needs escalated"})
        assert case.episode["level_of_need"] == "3"
        assert [h["level"] for h in case.episode["level_history"]] == ["2", "3"]

    def test_as_of_answers_for_a_past_date(self, case: Case) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        case.post("/assessment-start")
        on(case.clock, "2025-01-10")
        late = ok(case.client.get(case.url))
        assert (
            next(d for d in late["deadlines"] if d["kind"] == "assessment")["status"] == "overdue"
        )
        earlier = ok(case.client.get(case.url, params={"as_of": "2024-12-10"}))
        assert (
            next(d for d in earlier["deadlines"] if d["kind"] == "assessment")["status"]
            == "on_time"
        )


def test_episodes_are_listed_by_lead_and_stage(case: Case, staff: Staff) -> None:
    mine = ok(case.client.get(f"{API}/episodes", params={"lead_practitioner_id": str(staff.lead)}))
    assert [e["id"] for e in mine["items"]] == [case.episode["id"]]
    assert ok(case.client.get(f"{API}/episodes", params={"stage": "active"}))["items"] == []


def test_families_with_a_member_body_builder_still_validate(
    client: TestClient, reference: ReferenceData
) -> None:
    body = make_family_body(reference.hubs["NORTH"], members=[make_member_body("child")])
    assert client.post(f"{API}/families", json=body).status_code == 201


# --- one open episode per family, held by the database too --------------------------------------


def copy_of(connection: Connection, episode_id: str) -> dict[str, Any]:
    """An episode row's values under a new id, to write past the service as another program might."""
    row = connection.execute(select(EpisodeRow).where(EpisodeRow.id == uuid.UUID(episode_id))).one()
    values = dict(row._mapping)
    values["id"] = uuid.uuid4()
    return values


def test_the_database_refuses_a_second_open_episode_for_a_family(
    case: Case, connection: Connection
) -> None:
    second = copy_of(connection, case.episode["id"])
    savepoint = connection.begin_nested()
    # The one-open-episode index by name (PostgreSQL) or by column (SQLite's wording).
    with pytest.raises(
        IntegrityError,
        match=r"uq_episodes_family_id_open|UNIQUE constraint failed: episodes\.family_id",
    ):
        connection.execute(cast(Table, EpisodeRow.__table__).insert().values(**second))
    savepoint.rollback()


def test_a_closed_episode_does_not_count(case: Case, connection: Connection) -> None:
    second = copy_of(connection, case.episode["id"])
    savepoint = connection.begin_nested()
    connection.execute(
        update(EpisodeRow)
        .where(EpisodeRow.id == uuid.UUID(case.episode["id"]))
        .values(stage="closed", closed_on=date(2025, 3, 3))
    )
    connection.execute(cast(Table, EpisodeRow.__table__).insert().values(**second))
    family = uuid.UUID(case.family["id"])
    stages = connection.scalars(select(EpisodeRow.stage).where(EpisodeRow.family_id == family))
    assert sorted(stages) == ["closed", "requested"]
    savepoint.rollback()


# --- a step refused after the access check is kept in the audit trail ---------------------------


def audited(new_uow: Callable[[], Any], request_id: str) -> AuditEntry:
    """The one audit entry the request left."""
    with new_uow() as uow:
        left: list[AuditEntry] = [e for e in uow.audit.entries() if e.request_id == request_id]
    [entry] = left
    return entry


def refused(
    case: Case, method: str, url: str, *, status: int, etag: str | None = None, **kwargs: Any
) -> str:
    """Send a request the process refuses; returns its request id."""
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    headers = {"X-Request-ID": request_id, **({"If-Match": etag} if etag else {})}
    response = case.client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    return request_id


class TestRefusedStepsAreAudited:
    def test_completing_a_changed_assessment_is_refused_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        assessment = case.post("/assessment-start")["assessment"]
        url = f"{case.url}/assessments/{assessment['id']}"
        request_id = refused(case, "POST", f"{url}/completion", status=412, etag='"99"')
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type, entry.resource_id) == (
            "write_episode",
            "assessment",
            assessment["id"],
        )
        assert entry.family_id == uuid.UUID(case.family["id"])
        assert (entry.outcome, entry.problem_code) == ("refused", "stale_version")
        assert ok(case.client.get(url))["status"] == "draft"

    def test_reassessing_a_draft_is_refused_out_of_turn_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        case.post("/assessment-start")
        request_id = refused(case, "POST", f"{case.url}/assessments", status=409)
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type) == ("write_episode", "assessment")
        assert (entry.outcome, entry.problem_code) == ("refused", "reassessment_of_draft")
        assert len(ok(case.client.get(f"{case.url}/assessments"))) == 1

    def test_a_second_plan_in_progress_is_refused_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        request_id = refused(case, "POST", f"{case.url}/plans", status=409, json={})
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type) == ("write_episode", "plan")
        assert (entry.outcome, entry.problem_code) == ("refused", "plan_already_in_progress")
        assert [p["id"] for p in ok(case.client.get(f"{case.url}/plans"))] == [plan["id"]]

    def test_progress_on_an_action_of_a_draft_plan_is_refused_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        action_id = plan["actions"][0]["id"]
        request_id = refused(
            case,
            "PATCH",
            f"{case.url}/plans/{plan['id']}/actions/{action_id}",
            status=409,
            etag=f'"{plan["version"]}"',
            json={"status": "done"},
        )
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type, entry.resource_id) == (
            "update_assigned_action",
            "plan_action",
            action_id,
        )
        assert (entry.outcome, entry.problem_code) == (
            "refused",
            "action_progress_on_unagreed_plan",
        )

    def test_a_stale_qa_decision_is_refused_and_audited_as_refused(
        self, case: Case, staff: Staff, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        on(case.clock, "2024-12-03")
        assess_and_plan(case)
        stale = case.etag
        case.post("/plan-submission")
        with as_user(case.client, staff.qa_officer):
            request_id = refused(
                case,
                "POST",
                f"{case.url}/qa-decisions",
                status=412,
                etag=stale,
                json={"outcome": "approved"},
            )
        entry = audited(new_uow, request_id)
        assert (entry.actor_id, entry.action, entry.resource_id) == (
            staff.qa_officer,
            "decide_qa",
            case.episode["id"],
        )
        assert (entry.outcome, entry.problem_code) == ("refused", "stale_version")
        assert ok(case.client.get(case.url))["stage"] == "plan_awaiting_qa"

    def test_a_meeting_before_the_plan_is_approved_is_refused_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        give_consent(case)
        case.post("/assessment-start")
        request_id = refused(
            case,
            "POST",
            f"{case.url}/meetings",
            status=409,
            etag=case.etag,
            json=make_meeting_body("2024-12-02", [], child_voice="present"),
        )
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type) == ("write_episode", "taf_meeting")
        assert (entry.outcome, entry.problem_code) == ("refused", "meeting_before_plan_approval")
        assert ok(case.client.get(f"{case.url}/meetings")) == []

    def test_a_stale_taf_leaving_is_refused_and_audited_as_refused(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        mum = ok(
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "family_member",
                    "person_id": case.person("parent_carer"),
                    "role": "Mum",
                },
            ),
            201,
        )
        request_id = refused(
            case,
            "POST",
            f"{case.url}/taf-members/{mum['id']}/leave",
            status=412,
            etag='"99"',
            json={},
        )
        entry = audited(new_uow, request_id)
        assert (entry.action, entry.resource_type, entry.resource_id) == (
            "write_episode",
            "taf_member",
            mum["id"],
        )
        assert (entry.outcome, entry.problem_code) == ("refused", "stale_version")
        [member] = ok(case.client.get(f"{case.url}/taf-members"))
        assert member["left_on"] is None


class TestTheCaseOnOneScreen:
    """`GET /episodes/{id}/case`: what a lead's case page shows, in one response."""

    def test_everything_the_page_shows_with_names(self, case: Case, staff: Staff) -> None:
        give_consent(case)
        give_consent(case, "information_sharing", sharing_scope="all_taf_members")
        on(case.clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        school = ok(
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "practitioner",
                    "practitioner_id": str(staff.school_worker),
                    "role": "Attendance officer",
                },
            ),
            201,
        )
        view = ok(case.client.get(f"{case.url}/case"))
        assert view["episode"]["id"] == case.episode["id"]
        assert view["episode"]["deadlines"] == ok(case.client.get(case.url))["deadlines"]
        assert view["family"]["reference"] == case.family["reference"]
        assert view["family"]["name"] == "Hughes"
        assert sorted(m["name"] for m in view["family"]["members"]) == [
            "Ava Hughes",
            "Sarah Hughes",
        ]
        assert view["assessment"]["status"] == "completed"
        assert view["plan"]["id"] == plan["id"]
        assert [(m["member"]["role"], m["name"]) for m in view["taf"]] == [
            ("Attendance officer", "Sam School")
        ]
        assert view["plan"]["actions"][0]["owner_name"] == "Sarah Hughes"
        assert view["recent_meetings"] == []
        assert view["meetings_held"] == 0
        assert school["id"] == view["taf"][0]["member"]["id"]

    def test_its_etag_answers_304_until_anything_on_it_changes(
        self, case: Case, staff: Staff
    ) -> None:
        give_consent(case)
        give_consent(case, "information_sharing", sharing_scope="all_taf_members")
        first = case.client.get(f"{case.url}/case")
        tag = first.headers["ETag"]
        again = case.client.get(f"{case.url}/case", headers={"If-None-Match": tag})
        assert (again.status_code, again.content) == (304, b"")
        ok(
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "practitioner",
                    "practitioner_id": str(staff.school_worker),
                    "role": "Attendance officer",
                },
            ),
            201,
        )
        changed = case.client.get(f"{case.url}/case", headers={"If-None-Match": tag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != tag

    def test_someone_who_may_not_read_the_episode_gets_what_an_unknown_id_gets(
        self, case: Case, staff: Staff
    ) -> None:
        with as_user(case.client, staff.police_officer):
            hidden = case.client.get(f"{case.url}/case")
            unknown = case.client.get(f"{API}/episodes/{uuid.uuid4()}/case")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]


def graces_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """The Hughes household with Grace as the parent: her episode assessed and its plan drafted
    (an action hers), consent to share with every TAF member, and Sam School and Grace in the TAF."""
    on(clock, "2024-11-25")
    body = make_family_body(
        reference.hubs["NORTH"],
        members=[
            make_member_body("parent_carer", given_name="Grace", date_of_birth="1990-02-14"),
            make_member_body("child", given_name="Ava", date_of_birth="2017-06-01"),
        ],
    )
    family = ok(client.post(f"{API}/families", json=body), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    case = Case(client, clock, family, ok(response, 201), response.headers["ETag"])
    give_consent(case)
    give_consent(case, "information_sharing", sharing_scope="all_taf_members")
    on(clock, "2024-12-03")
    assess_and_plan(case)
    return case


def join(case: Case, body: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = ok(case.client.post(f"{case.url}/taf-members", json=body), 201)
    return member


def school_joins(case: Case, staff: Staff) -> dict[str, Any]:
    return join(
        case,
        {
            "kind": "practitioner",
            "practitioner_id": str(staff.school_worker),
            "role": "Attendance officer",
        },
    )


def grace_joins(case: Case) -> dict[str, Any]:
    return join(
        case, {"kind": "family_member", "person_id": case.person("parent_carer"), "role": "Mum"}
    )


class TestListsNameWhoTheyMention:
    """A row shows a name beside each id: TAF members, meeting attendees, action owners and QA
    officers, in the lists and in the answers to the steps that change them."""

    @pytest.fixture
    def case(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> Case:
        return graces_case(client, clock, reference, staff)

    def test_the_taf_lists_grace_hughes_beside_her_membership(
        self, case: Case, staff: Staff
    ) -> None:
        school = school_joins(case, staff)
        grace = grace_joins(case)
        assert (school["name"], grace["name"]) == ("Sam School", "Grace Hughes")
        members = ok(case.client.get(f"{case.url}/taf-members"))
        assert sorted((m["kind"], m["role"], m["name"]) for m in members) == [
            ("family_member", "Mum", "Grace Hughes"),
            ("practitioner", "Attendance officer", "Sam School"),
        ]
        left = case.client.post(
            f"{case.url}/taf-members/{grace['id']}/leave",
            json={},
            headers={"If-Match": f'"{grace["version"]}"'},
        )
        assert (ok(left)["left_on"], ok(left)["name"]) == ("2024-12-03", "Grace Hughes")
        # The case page names them the same way, in the membership and beside it.
        taf = ok(case.client.get(f"{case.url}/case"))["taf"]
        assert sorted((m["member"]["name"], m["name"]) for m in taf) == [
            ("Grace Hughes", "Grace Hughes"),
            ("Sam School", "Sam School"),
        ]

    def test_a_plans_action_owners_and_qa_officer_are_named(self, case: Case, staff: Staff) -> None:
        school = school_joins(case, staff)
        [plan] = ok(case.client.get(f"{case.url}/plans"))
        assert [a["owner_name"] for a in plan["actions"]] == ["Grace Hughes"]
        plan_url = f"{case.url}/plans/{plan['id']}"
        current = case.client.get(plan_url)
        actions = [
            *current.json()["actions"],
            {
                "description": "Daily welcome at the gate",
                "owner_taf_member_id": school["id"],
                "due_on": "2025-01-31",
                "owner_name": "Somebody Else",  # names are read, never written
            },
        ]
        edited = ok(
            case.client.patch(
                plan_url, json={"actions": actions}, headers={"If-Match": current.headers["ETag"]}
            )
        )
        assert [a["owner_name"] for a in edited["actions"]] == ["Grace Hughes", "Sam School"]
        on(case.clock, "2024-12-20")
        case.post("/plan-submission")
        on(case.clock, "2024-12-23")
        with as_user(case.client, staff.qa_officer):
            decided = case.post("/qa-decisions", {"outcome": "approved"})
        assert [d["officer_name"] for d in decided["plan"]["qa_decisions"]] == ["Quinn Quality"]
        assert [d["officer_name"] for d in decided["episode"]["qa_decisions"]] == ["Quinn Quality"]
        assert [d["officer_name"] for d in ok(case.client.get(case.url))["qa_decisions"]] == [
            "Quinn Quality"
        ]
        again = ok(case.client.get(plan_url))
        assert [a["owner_name"] for a in again["actions"]] == ["Grace Hughes", "Sam School"]
        assert [d["officer_name"] for d in again["qa_decisions"]] == ["Quinn Quality"]

    def test_a_meeting_lists_who_attended_by_name(self, case: Case, staff: Staff) -> None:
        school, grace = school_joins(case, staff), grace_joins(case)
        on(case.clock, "2024-12-20")
        case.post("/plan-submission")
        with as_user(case.client, staff.qa_officer):
            case.post("/qa-decisions", {"outcome": "approved"})
        on(case.clock, "2025-01-06")
        [plan] = ok(case.client.get(f"{case.url}/plans"))
        held = case.post(
            "/meetings",
            make_meeting_body(
                "2025-01-06", [grace["id"], school["id"]], outcome_id=plan["outcomes"][0]["id"]
            ),
            status=201,
        )
        attendees = [
            {"member_id": grace["id"], "name": "Grace Hughes"},
            {"member_id": school["id"], "name": "Sam School"},
        ]
        assert held["meeting"]["attendees"] == attendees
        [meeting] = ok(case.client.get(f"{case.url}/meetings"))
        assert meeting["attendees"] == attendees
        assert meeting["attendee_member_ids"] == [grace["id"], school["id"]]
        [recent] = ok(case.client.get(f"{case.url}/case"))["recent_meetings"]
        assert recent["attendees"] == attendees

    def test_the_lead_s_delta_sync_carries_the_same_names(self, case: Case, staff: Staff) -> None:
        school = school_joins(case, staff)
        grace_joins(case)
        changes = ok(case.client.get(f"{API}/me/changes"))
        assert sorted(m["name"] for m in changes["taf_members"]) == ["Grace Hughes", "Sam School"]
        assert [a["owner_name"] for p in changes["plans"] for a in p["actions"]] == ["Grace Hughes"]
        assert school["name"] == "Sam School"


# --- dated steps (issue 18 §1) ---------------------------------------------------------------------


@pytest.fixture
def late_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """A case from the old system, entered on 10 March 2026: requested 1 March 2024, consent to
    take part given on 4 March 2024."""
    on(clock, "2026-03-10")
    body = make_family_body(reference.hubs["NORTH"])
    for member in body["members"]:
        member["joined_on"] = "2023-09-01"
    family = ok(client.post(f"{API}/families", json=body), 201)
    response = client.post(
        f"{API}/episodes", json=make_episode_body(family, staff.lead, requested_on="2024-03-01")
    )
    case = Case(client, clock, family, ok(response, 201), response.headers["ETag"])
    give_consent(case, day="2024-03-04")
    return case


def assess_and_plan_on(case: Case, started_on: str, completed_on: str) -> dict[str, Any]:
    """The assessment started and completed on the days given, and a plan drafted from it."""
    started = case.post("/assessment-start", {"started_on": started_on})
    assessment = started["assessment"]
    a_url = f"{case.url}/assessments/{assessment['id']}"
    written = case.client.patch(
        a_url,
        headers={"If-Match": f'"{assessment["version"]}"'},
        json={
            "needs": [
                {
                    "headline": "EDU",
                    "description": "Attendance 78% this term",
                    "person_ids": [case.person("child")],
                }
            ],
            "analysis": "Routines at home are the root of poor attendance.",
        },
    )
    ok(written)
    completed: dict[str, Any] = ok(
        case.client.post(
            f"{a_url}/completion",
            headers={"If-Match": written.headers["ETag"]},
            json={"completed_on": completed_on},
        )
    )
    ok(
        case.client.post(
            f"{case.url}/plans",
            json={
                "outcomes": [
                    {
                        "description": "Ava attends school every day",
                        "need_ids": [completed["needs"][0]["id"]],
                        "measure": "Attendance above 95%",
                        "baseline_score": 3,
                    }
                ]
            },
        ),
        201,
    )
    return completed


def problem(response: Any, status: int = 422) -> tuple[str, str, str]:
    """The problem's code, the field it names and its detail."""
    assert response.status_code == status, response.text
    data = response.json()
    return data["code"], data["errors"][0]["field"], data["detail"]


class TestDatedSteps:
    def test_a_case_entered_late_gets_the_clocks_it_would_have_had_recorded_live(
        self, late_case: Case, staff: Staff
    ) -> None:
        case = late_case
        completed = assess_and_plan_on(case, "2024-03-05", "2024-03-25")
        assert (completed["started_on"], completed["completed_on"]) == ("2024-03-05", "2024-03-25")
        assert completed["started_recorded_at"].startswith("2026-03-10T10:00:00")
        assert completed["completed_recorded_at"].startswith("2026-03-10T10:00:00")
        assert case.episode["assessment_started_on"] == "2024-03-05"

        submitted = case.post("/plan-submission", {"submitted_on": "2024-03-27"})
        assessment_clock = case.deadline("assessment")
        assert (assessment_clock["started_on"], assessment_clock["met_on"]) == (
            "2024-03-04",
            "2024-03-27",
        )
        assert assessment_clock["status"] == "met_on_time"
        assert case.episode["plan_submitted_on"] == "2024-03-27"
        assert case.episode["plan_submitted_recorded_at"].startswith("2026-03-10T10:00:00")
        assert submitted["plan"]["submitted_on"] == "2024-03-27"
        assert submitted["plan"]["submitted_recorded_at"].startswith("2026-03-10T10:00:00")
        assert case.deadline("quality_assurance")["started_on"] == "2024-03-27"

        with as_user(case.client, staff.qa_officer):
            decided = case.post(
                "/qa-decisions", {"outcome": "approved", "decided_on": "2024-04-02"}
            )
        decision = decided["plan"]["qa_decisions"][0]
        assert decision["decided_on"] == "2024-04-02"
        assert decision["recorded_at"].startswith("2026-03-10T10:00:00")
        assert case.deadline("quality_assurance")["status"] == "met_on_time"
        assert case.deadline("first_taf")["started_on"] == "2024-04-02"

        mum = ok(
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "family_member",
                    "person_id": case.person("parent_carer"),
                    "role": "Mum",
                    "joined_on": "2024-04-03",
                },
            ),
            201,
        )
        held = case.post("/meetings", make_meeting_body("2024-04-10", [mum["id"]]), status=201)
        assert held["meeting"]["is_first"] is True
        assert case.deadline("first_taf")["status"] == "met_on_time"

    def test_a_plan_submitted_on_its_real_date_in_2024_is_not_late(self, late_case: Case) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        late_case.post("/plan-submission", {"submitted_on": "2024-03-27"})
        assert late_case.deadline("assessment")["status"] == "met_on_time"
        assert late_case.deadline("assessment")["days_overdue"] == 0

    def test_steps_sent_without_a_date_happen_today(self, late_case: Case) -> None:
        started = late_case.post("/assessment-start")
        assert started["assessment"]["started_on"] == "2026-03-10"
        assert late_case.episode["assessment_started_on"] == "2026-03-10"

    def test_a_closure_dated_before_the_assessment_started_is_refused(
        self, late_case: Case
    ) -> None:
        late_case.post("/assessment-start", {"started_on": "2024-03-10"})
        response = late_case.client.post(
            f"{late_case.url}/closure",
            headers={"If-Match": late_case.etag},
            json={"reason": "moved_away", "closed_on": "2024-03-07"},
        )
        code, field, detail = problem(response)
        assert (code, field) == ("step_date_before_previous_step", "closed_on")
        assert detail == (
            "This step is dated 2024-03-07, before the assessment started (2024-03-10)."
        )
        assert ok(late_case.client.get(late_case.url))["stage"] == "assessing"

    def test_a_closure_dated_before_the_assessment_was_completed_is_refused(
        self, late_case: Case
    ) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        late_case.etag = late_case.client.get(late_case.url).headers["ETag"]
        response = late_case.client.post(
            f"{late_case.url}/closure",
            headers={"If-Match": late_case.etag},
            json={"reason": "moved_away", "closed_on": "2024-03-20"},
        )
        assert problem(response)[:2] == ("step_date_before_previous_step", "closed_on")

    @pytest.mark.parametrize(
        ("path", "field"),
        [
            ("/assessment-start", "started_on"),
            ("/closure", "closed_on"),
        ],
    )
    def test_a_date_in_the_future_is_refused(self, late_case: Case, path: str, field: str) -> None:
        body: dict[str, Any] = {field: "2026-03-11"}
        if path == "/closure":
            body["reason"] = "moved_away"
        response = late_case.client.post(
            f"{late_case.url}{path}", headers={"If-Match": late_case.etag}, json=body
        )
        code, named, detail = problem(response)
        assert (code, named) == ("step_date_in_future", field)
        assert "2026-03-11" in detail
        assert "2026-03-10" in detail
        assert ok(late_case.client.get(late_case.url))["stage"] == "requested"

    def test_a_completion_submission_or_decision_in_the_future_is_refused(
        self, late_case: Case, staff: Staff
    ) -> None:
        case = late_case
        started = case.post("/assessment-start", {"started_on": "2024-03-05"})
        a_url = f"{case.url}/assessments/{started['assessment']['id']}"
        refused = case.client.post(
            f"{a_url}/completion",
            headers={"If-Match": f'"{started["assessment"]["version"]}"'},
            json={"completed_on": "2026-04-01"},
        )
        assert problem(refused)[:2] == ("step_date_in_future", "completed_on")
        assert ok(case.client.get(a_url))["status"] == "draft"

        # The same case, with the assessment and plan done: the next steps dated tomorrow.
        case.post("/closure", {"reason": "moved_away", "closed_on": "2024-03-06"})
        second = ok(
            case.client.post(
                f"{API}/episodes",
                json=make_episode_body(case.family, staff.lead, requested_on="2024-04-01"),
            ),
            201,
        )
        case.episode, case.etag = second, f'"{second["version"]}"'
        assess_and_plan_on(case, "2024-04-02", "2024-04-10")
        case.etag = case.client.get(case.url).headers["ETag"]
        submitted = case.client.post(
            f"{case.url}/plan-submission",
            headers={"If-Match": case.etag},
            json={"submitted_on": "2026-03-11"},
        )
        assert problem(submitted)[:2] == ("step_date_in_future", "submitted_on")
        case.post("/plan-submission", {"submitted_on": "2024-04-12"})
        with as_user(case.client, staff.qa_officer):
            decided = case.client.post(
                f"{case.url}/qa-decisions",
                headers={"If-Match": case.etag},
                json={"outcome": "approved", "decided_on": "2026-03-11"},
            )
        assert problem(decided)[:2] == ("step_date_in_future", "decided_on")
        assert ok(case.client.get(case.url))["stage"] == "plan_awaiting_qa"

    def test_an_assessment_started_before_the_request_is_refused(self, late_case: Case) -> None:
        response = late_case.client.post(
            f"{late_case.url}/assessment-start",
            headers={"If-Match": late_case.etag},
            json={"started_on": "2024-02-28"},
        )
        code, field, detail = problem(response)
        assert (code, field) == ("step_date_before_request", "started_on")
        assert "2024-03-01" in detail

    def test_an_assessment_started_before_consent_was_given_is_refused(
        self, late_case: Case
    ) -> None:
        response = late_case.client.post(
            f"{late_case.url}/assessment-start",
            headers={"If-Match": late_case.etag},
            json={"started_on": "2024-03-02"},
        )
        assert response.status_code == 409
        assert response.json()["code"] == "early_help_consent_not_in_force"

    def test_a_qa_decision_dated_before_the_plan_was_sent_is_refused(
        self, late_case: Case, staff: Staff
    ) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        late_case.post("/plan-submission", {"submitted_on": "2024-03-27"})
        with as_user(late_case.client, staff.qa_officer):
            response = late_case.client.post(
                f"{late_case.url}/qa-decisions",
                headers={"If-Match": late_case.etag},
                json={"outcome": "approved", "decided_on": "2024-03-26"},
            )
        code, field, detail = problem(response)
        assert (code, field) == ("step_date_before_previous_step", "decided_on")
        assert detail == (
            "This step is dated 2024-03-26, before the plan was sent for quality assurance "
            "(2024-03-27)."
        )

    def test_a_plan_sent_before_the_assessment_was_completed_is_refused(
        self, late_case: Case
    ) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        late_case.etag = late_case.client.get(late_case.url).headers["ETag"]
        response = late_case.client.post(
            f"{late_case.url}/plan-submission",
            headers={"If-Match": late_case.etag},
            json={"submitted_on": "2024-03-22"},
        )
        code, field, detail = problem(response)
        assert (code, field) == ("step_date_before_previous_step", "submitted_on")
        assert "the assessment was completed (2024-03-25)" in detail

    def test_a_handover_keeps_the_day_it_took_effect_and_when_it_was_recorded(
        self, late_case: Case, staff: Staff
    ) -> None:
        with as_user(late_case.client, staff.manager):
            late_case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.other_lead), "effective_on": "2024-05-01"},
            )
        first, handover = late_case.episode["lead_history"]
        assert first["recorded_at"].startswith("2026-03-10T10:00:00")
        assert handover["assigned_on"] == "2024-05-01"
        assert handover["recorded_at"].startswith("2026-03-10T10:00:00")

    def test_a_handover_dated_before_the_last_one_is_refused(
        self, late_case: Case, staff: Staff
    ) -> None:
        with as_user(late_case.client, staff.manager):
            late_case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.other_lead), "effective_on": "2024-05-01"},
            )
            response = late_case.client.post(
                f"{late_case.url}/lead-assignments",
                headers={"If-Match": late_case.etag},
                json={"practitioner_id": str(staff.lead), "effective_on": "2024-04-01"},
            )
        code, field, detail = problem(response)
        assert (code, field) == ("step_date_before_previous_step", "effective_on")
        assert detail == "This step is dated 2024-04-01, before the last handover (2024-05-01)."

    def test_a_change_of_level_keeps_its_day_and_is_refused_in_the_future_or_before_the_request(
        self, late_case: Case
    ) -> None:
        late_case.post("/level-changes", {"level_of_need": "3", "effective_on": "2024-06-03"})
        change = late_case.episode["level_history"][-1]
        assert (change["level"], change["changed_on"]) == ("3", "2024-06-03")
        assert change["recorded_at"].startswith("2026-03-10T10:00:00")
        for day, code in [
            ("2026-03-11", "step_date_in_future"),
            ("2024-02-01", "step_date_before_request"),
            ("2024-06-02", "step_date_before_previous_step"),
        ]:
            response = late_case.client.post(
                f"{late_case.url}/level-changes",
                headers={"If-Match": late_case.etag},
                json={"level_of_need": "2", "effective_on": day},
            )
            assert problem(response)[:2] == (code, "effective_on"), day

    def test_taf_joins_and_leaves_are_dated_by_the_same_rule(self, late_case: Case) -> None:
        join = {
            "kind": "family_member",
            "person_id": late_case.person("parent_carer"),
            "role": "Mum",
        }
        members = f"{late_case.url}/taf-members"
        early = late_case.client.post(members, json={**join, "joined_on": "2024-02-29"})
        assert problem(early)[:2] == ("step_date_before_request", "joined_on")
        future = late_case.client.post(members, json={**join, "joined_on": "2026-03-11"})
        assert problem(future)[:2] == ("step_date_in_future", "joined_on")

        mum = ok(late_case.client.post(members, json={**join, "joined_on": "2024-03-04"}), 201)
        assert mum["joined_on"] == "2024-03-04"
        leave = f"{members}/{mum['id']}/leave"
        etag = {"If-Match": f'"{mum["version"]}"'}
        before = late_case.client.post(leave, headers=etag, json={"left_on": "2024-03-03"})
        code, field, detail = problem(before)
        assert (code, field) == ("step_date_before_previous_step", "left_on")
        assert detail == (
            "This step is dated 2024-03-03, before they joined the Team Around the Family "
            "(2024-03-04)."
        )
        later = late_case.client.post(leave, headers=etag, json={"left_on": "2026-03-11"})
        assert problem(later)[:2] == ("step_date_in_future", "left_on")
        assert (
            ok(late_case.client.post(leave, headers=etag, json={"left_on": "2024-09-30"}))[
                "left_on"
            ]
            == "2024-09-30"
        )
        (left,) = ok(late_case.client.get(members))
        assert left["joined_recorded_at"].startswith("2026-03-10T10:00:00")
        assert left["left_recorded_at"].startswith("2026-03-10T10:00:00")


def late_case_to_first_meeting(case: Case, staff: Staff) -> str:
    """The late case taken through its real dates to the first TAF meeting on 10 April 2024:
    assessed 5-25 March, plan sent 27 March, approved 2 April, Mum joined 3 April. Returns
    Mum's TAF membership id."""
    assess_and_plan_on(case, "2024-03-05", "2024-03-25")
    case.post("/plan-submission", {"submitted_on": "2024-03-27"})
    with as_user(case.client, staff.qa_officer):
        case.post("/qa-decisions", {"outcome": "approved", "decided_on": "2024-04-02"})
    mum = ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={
                "kind": "family_member",
                "person_id": case.person("parent_carer"),
                "role": "Mum",
                "joined_on": "2024-04-03",
            },
        ),
        201,
    )
    mum_id: str = mum["id"]
    case.post("/meetings", make_meeting_body("2024-04-10", [mum_id]), status=201)
    return mum_id


class TestViewsAsTheyStood:
    """Issue 18 §2: GET /episodes/{id}?as_of=D shows the episode as it stood on D."""

    def view(self, case: Case, day: str) -> dict[str, Any]:
        found: dict[str, Any] = ok(case.client.get(case.url, params={"as_of": day}))
        return found

    def test_the_stage_plan_and_clocks_are_those_of_the_day_asked_about(
        self, late_case: Case, staff: Staff
    ) -> None:
        late_case_to_first_meeting(late_case, staff)

        assessing = self.view(late_case, "2024-03-20")
        assert assessing["stage"] == "assessing"
        assert [(d["kind"], d["status"]) for d in assessing["deadlines"]] == [
            ("assessment", "on_time")
        ]
        assert assessing["plan_in_force"] is None

        waiting = self.view(late_case, "2024-03-28")
        assert waiting["stage"] == "plan_awaiting_qa"
        assert [(d["kind"], d["status"]) for d in waiting["deadlines"]] == [
            ("assessment", "met_on_time"),
            ("quality_assurance", "on_time"),
        ]

        approved = self.view(late_case, "2024-04-05")
        assert approved["stage"] == "plan_approved"
        assert [d["kind"] for d in approved["deadlines"]] == [
            "assessment",
            "quality_assurance",
            "first_taf",
        ]
        first_taf = approved["deadlines"][2]
        assert (first_taf["status"], first_taf["met_on"]) == ("on_time", "2024-04-10")
        assert approved["plan_in_force"] is None

        active = self.view(late_case, "2024-04-10")
        assert active["stage"] == "active"
        assert active["plan_in_force"]["number"] == 1
        assert active["plan_in_force"]["agreed_on"] == "2024-04-10"
        assert active["deadlines"][2]["status"] == "met_on_time"
        assert active["deadlines"][3]["kind"] == "review"

        today = ok(late_case.client.get(late_case.url))
        assert (today["as_of"], today["stage"]) == ("2026-03-10", "active")

    def test_a_day_before_the_request_is_refused_naming_as_of(self, late_case: Case) -> None:
        code, field, _ = problem(
            late_case.client.get(late_case.url, params={"as_of": "2024-02-29"})
        )
        assert (code, field) == ("as_of_before_request", "as_of")

    def test_every_review_clock_is_kept_and_one_held_before_day_28_is_early(
        self, late_case: Case, staff: Staff
    ) -> None:
        mum = late_case_to_first_meeting(late_case, staff)
        late_case.post("/meetings", make_meeting_body("2024-05-01", [mum]), status=201)
        late_case.post("/meetings", make_meeting_body("2024-06-05", [mum]), status=201)

        reviews = [d for d in late_case.episode["deadlines"] if d["kind"] == "review"]
        assert [(r["started_on"], r["met_on"], r["early"]) for r in reviews] == [
            ("2024-04-10", "2024-05-01", True),
            ("2024-05-01", "2024-06-05", False),
            ("2024-06-05", None, False),
        ]
        assert [r["status"] for r in reviews] == ["met_on_time", "met_on_time", "overdue"]
        # A list shows the same history.
        listed = ok(
            late_case.client.get(f"{API}/episodes", params={"family_id": late_case.family["id"]})
        )
        assert len([d for d in listed["items"][0]["deadlines"] if d["kind"] == "review"]) == 3


class TestMoreDatedSteps:
    """Issue 18 §1: meetings, consents, support delivered and reassessments take the day they
    happened."""

    def test_a_reassessment_keeps_the_day_it_started(self, late_case: Case) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        again = ok(
            late_case.client.post(
                f"{late_case.url}/assessments", json={"started_on": "2024-09-02"}
            ),
            201,
        )
        assert (again["number"], again["started_on"]) == (2, "2024-09-02")
        assert again["started_recorded_at"].startswith("2026-03-10T10:00:00")

    def test_a_reassessment_before_the_assessment_it_follows_was_completed_is_refused(
        self, late_case: Case
    ) -> None:
        assess_and_plan_on(late_case, "2024-03-05", "2024-03-25")
        early = late_case.client.post(
            f"{late_case.url}/assessments", json={"started_on": "2024-03-20"}
        )
        assert problem(early)[:2] == ("reassessment_before_completion", "started_on")
        future = late_case.client.post(
            f"{late_case.url}/assessments", json={"started_on": "2026-03-11"}
        )
        assert problem(future)[:2] == ("step_date_in_future", "started_on")
        assert len(ok(late_case.client.get(f"{late_case.url}/assessments"))) == 1

    def test_a_meeting_is_checked_by_the_step_date_rule_and_keeps_when_it_was_recorded(
        self, late_case: Case, staff: Staff
    ) -> None:
        mum = late_case_to_first_meeting(late_case, staff)
        meetings = f"{late_case.url}/meetings"
        etag = {"If-Match": late_case.etag}
        before = late_case.client.post(
            meetings, headers=etag, json=make_meeting_body("2024-04-09", [mum])
        )
        code, field, detail = problem(before)
        assert (code, field) == ("step_date_before_previous_step", "held_on")
        assert detail == "This step is dated 2024-04-09, before the last TAF meeting (2024-04-10)."
        future = late_case.client.post(
            meetings, headers=etag, json=make_meeting_body("2026-03-11", [mum])
        )
        assert problem(future)[:2] == ("step_date_in_future", "held_on")

        body = make_meeting_body("", [mum])
        del body["held_on"]
        held = late_case.post("/meetings", body, status=201)
        assert held["meeting"]["held_on"] == "2026-03-10"
        assert held["meeting"]["recorded_at"].startswith("2026-03-10T10:00:00")

    def test_consent_defaults_to_today_and_a_withdrawal_is_not_before_it(
        self, late_case: Case
    ) -> None:
        consents = f"{API}/families/{late_case.family['id']}/consents"
        given = ok(
            late_case.client.post(
                consents,
                json={
                    "purpose": "information_sharing",
                    "sharing_scope": "all_taf_members",
                    "given_by_person_id": late_case.person("parent_carer"),
                    "method": "verbal",
                },
            ),
            201,
        )
        assert given["given_on"] == "2026-03-10"
        assert given["given_recorded_at"].startswith("2026-03-10T10:00:00")
        withdraw = f"{consents}/{given['id']}/withdrawal"
        etag = {"If-Match": f'"{given["version"]}"'}
        early = late_case.client.post(
            withdraw, headers=etag, json={"withdrawn_on": "2026-03-09", "reason": "Changed mind"}
        )
        assert problem(early)[:2] == ("step_date_before_previous_step", "withdrawn_on")
        withdrawn = ok(
            late_case.client.post(withdraw, headers=etag, json={"reason": "Changed mind"})
        )
        assert withdrawn["withdrawal"]["withdrawn_on"] == "2026-03-10"
        assert withdrawn["withdrawal"]["recorded_at"].startswith("2026-03-10T10:00:00")

    def test_support_delivered_is_not_dated_before_the_request(self, late_case: Case) -> None:
        support = f"{late_case.url}/support"
        early = late_case.client.post(
            support,
            json={"service": "Triple P", "provider": "Better Start", "started_on": "2024-02-01"},
        )
        assert problem(early)[:2] == ("step_date_before_request", "started_on")
        today = ok(
            late_case.client.post(
                support, json={"service": "Triple P", "provider": "Better Start"}
            ),
            201,
        )
        assert today["started_on"] == "2026-03-10"
        assert today["recorded_at"].startswith("2026-03-10T10:00:00")
