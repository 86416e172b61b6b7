"""Supporting Families needs on the case record: outcomes, the check that they held, support delivered."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from app.clock import FixedClock
from tests.api.test_caseload import new_case, worklist
from tests.api.test_episodes import API, Case, ok, on
from tests.builders import ReferenceData, Staff

EVIDENCE = {"source": "School MIS", "reference": "ATT-2024-117"}


def record_need(case: Case, **overrides: Any) -> dict[str, Any]:
    body = {
        "descriptor_code": "EDU.a",
        "person_ids": [case.person("child")],
        "identified_on": "2024-12-02",
        "evidence": EVIDENCE,
        **overrides,
    }
    need: dict[str, Any] = ok(case.client.post(f"{case.url}/needs", json=body), 201)
    return need


def achieve(case: Case, need: dict[str, Any], day: str) -> dict[str, Any]:
    achieved: dict[str, Any] = ok(
        case.client.post(
            f"{case.url}/needs/{need['id']}/outcome",
            headers={"If-Match": f'"{need["version"]}"'},
            json={"status": "achieved", "on": day, "evidence": EVIDENCE},
        )
    )
    return achieved


def closed_with_achieved_need(case: Case, achieved_on: str = "2024-12-02") -> dict[str, Any]:
    """The case's one need achieved, then the episode closed with the family's view."""
    need = achieve(case, record_need(case), achieved_on)
    case.post(
        "/closure",
        {
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Calmer at home"},
        },
    )
    return need


def check_sustainment(case: Case, need: dict[str, Any], **body: Any) -> Response:
    response: Response = case.client.post(
        f"{case.url}/needs/{need['id']}/sustainment-check",
        headers={"If-Match": f'"{need["version"]}"'},
        json={"evidence": EVIDENCE, **body},
    )
    return response


class TestNeeds:
    def test_a_need_takes_its_headline_from_the_framework_in_force(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Moss")
        need = record_need(case)
        assert (need["headline"], need["outcome"], need["sustainment_due_on"]) == (
            "EDU",
            "open",
            None,
        )
        assert need["evidence"]["recorded_by"] == str(staff.lead)
        assert [n["id"] for n in ok(client.get(f"{case.url}/needs"))] == [need["id"]]

    def test_an_unknown_descriptor_or_a_stranger_is_refused(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Nash")
        unknown = client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "NOPE.z",
                "person_ids": [case.person("child")],
                "identified_on": "2024-12-02",
                "evidence": EVIDENCE,
            },
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "descriptor_code"
        stranger = client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": ["7d0f8a0e-0000-4000-8000-000000000000"],
                "identified_on": "2024-12-02",
                "evidence": EVIDENCE,
            },
        )
        assert stranger.status_code == 422
        assert stranger.json()["errors"][0]["field"] == "person_ids[0]"

    def test_a_need_is_dated_within_the_episode_and_keeps_when_it_was_recorded(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        """Issue 18 §1: a need identified before the episode was requested, or after today, is
        refused as every dated step is; one entered late keeps both days."""
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quill")
        on(clock, "2024-12-20")
        before = case.client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": [case.person("child")],
                "identified_on": "2024-12-01",
                "evidence": EVIDENCE,
            },
        )
        future = case.client.post(
            f"{case.url}/needs",
            json={
                "descriptor_code": "EDU.a",
                "person_ids": [case.person("child")],
                "identified_on": "2024-12-21",
                "evidence": EVIDENCE,
            },
        )
        late = record_need(case, identified_on="2024-12-02")
        refusals = [
            (r.status_code, r.json()["code"], r.json()["errors"][0]["field"])
            for r in (before, future)
        ]
        assert refusals == [
            (422, "step_date_before_request", "identified_on"),
            (422, "step_date_in_future", "identified_on"),
        ]
        assert (late["identified_on"], late["recorded_at"]) == (
            "2024-12-02",
            "2024-12-20T10:00:00Z",
        )
        assert ok(client.get(f"{case.url}/needs")) == [late]

    def test_an_achieved_outcome_needs_evidence(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Owen")
        need = record_need(case)
        response = client.post(
            f"{case.url}/needs/{need['id']}/outcome",
            headers={"If-Match": f'"{need["version"]}"'},
            json={"status": "achieved", "on": "2024-12-02"},
        )
        assert response.status_code == 422


class TestSustainment:
    def test_an_achieved_outcome_is_checked_six_months_after_closure_and_shows_on_the_worklist(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Price")
        need = record_need(case)
        on(clock, "2025-01-20")
        need = achieve(case, need, "2025-01-20")
        case.post(
            "/closure",
            {
                "reason": "all_needs_met",
                "family_view": {"improved": "yes", "in_their_words": "School every day now"},
            },
        )
        need = next(n for n in ok(client.get(f"{case.url}/needs")) if n["id"] == need["id"])
        assert need["sustainment_due_on"] == "2025-07-20"
        items = [w for w in worklist(client) if w["kind"] == "check_sustainment"]
        assert [(w["need_id"], w["due_on"], w["status"]) for w in items] == [
            (need["id"], "2025-07-20", "on_time")
        ]

        early = check_sustainment(case, need, result="sustained")
        assert early.status_code == 422
        assert early.json()["errors"][0]["field"] == "checked_on"

        on(clock, "2025-07-21")
        assert [w["status"] for w in worklist(client) if w["kind"] == "check_sustainment"] == [
            "overdue"
        ]
        checked = ok(check_sustainment(case, need, result="sustained"))
        assert checked["sustainment"]["result"] == "sustained"
        assert [w for w in worklist(client) if w["kind"] == "check_sustainment"] == []

    def test_a_check_that_could_not_find_out_leaves_the_need_on_the_worklist(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quinn")
        need = closed_with_achieved_need(case)
        on(clock, "2025-06-03")
        unknown = ok(check_sustainment(case, need, result="unknown"))
        assert unknown["sustainment"]["result"] == "unknown"
        items = [w for w in worklist(client) if w["kind"] == "check_sustainment"]
        assert [(w["need_id"], w["status"]) for w in items] == [(need["id"], "overdue")]

    def test_a_lapse_inside_the_sustained_period_means_the_outcome_was_not_achieved(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quinn")
        need = closed_with_achieved_need(case)
        on(clock, "2025-04-01")
        checked = ok(check_sustainment(case, need, result="not_sustained", lapsed_on="2025-03-15"))
        assert (checked["outcome"], checked["outcome_on"]) == ("not_achieved", "2025-03-15")

    def test_outcomes_are_checked_only_after_closure(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Reed")
        need = achieve(case, record_need(case), "2024-12-02")
        response = check_sustainment(case, need, result="sustained")
        assert response.status_code == 409

    def test_a_refused_check_is_audited_as_refused_with_its_problem_and_changes_nothing(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Any,
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Rudd")
        need = achieve(case, record_need(case), "2024-12-02")
        response = check_sustainment(case, need, result="sustained")
        assert response.status_code == 409
        with new_uow() as uow:
            (entry,) = [
                e for e in uow.audit.entries() if e.request_id == response.headers["X-Request-ID"]
            ]
        assert (entry.action, entry.resource_type, entry.resource_id) == (
            "write_episode",
            "family_need",
            need["id"],
        )
        assert (entry.outcome, entry.problem_code) == (
            "refused",
            "sustainment_check_before_closure_stage",
        )
        assert entry.family_id == uuid.UUID(case.family["id"])
        (unchanged,) = ok(client.get(f"{case.url}/needs"))
        assert (unchanged["version"], unchanged["sustainment"]) == (need["version"], None)


def test_support_delivered_is_recorded_on_the_episode(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> None:
    on(clock, "2024-12-02")
    case = new_case(client, clock, reference, staff, "Shaw")
    made = ok(
        client.post(
            f"{case.url}/support",
            json={
                "service": "Triple P",
                "provider": "Family Hub North",
                "started_on": "2024-12-02",
            },
        ),
        201,
    )
    assert ok(client.get(f"{case.url}/support")) == [made]
    backwards = client.post(
        f"{case.url}/support",
        json={
            "service": "Triple P",
            "provider": "Hub",
            "started_on": "2024-12-02",
            "ended_on": "2024-12-01",
        },
    )
    assert backwards.status_code == 422
    assert API in case.url
