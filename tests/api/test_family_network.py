"""A child's family network and family group decision-making through the API: a grandmother
outside the household joins the child's network, may own a plan action, and her refuge address
stays restricted; FGDM is offered, answered, and a meeting with the family's plan is recorded."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_episodes import API, Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    make_episode_body,
    make_family_body,
    make_person_body,
)


@pytest.fixture
def case(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> Case:
    on(clock, "2024-11-25")
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def family_url(case: Case) -> str:
    return f"{API}/families/{case.family['id']}"


def grandmother(case: Case, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": make_person_body(given_name="Margaret", date_of_birth="1958-04-02"),
        "child_person_ids": [case.person("child")],
        "relationship": "grandparent",
        "parental_responsibility": False,
        "agreed_role": "  Takes Ava to school on Tuesdays ",
    }
    body.update(overrides)
    return body


def add(case: Case, body: dict[str, Any], status: int = 201) -> Any:
    return ok(case.client.post(f"{family_url(case)}/network-members", json=body), status)


class TestTheNetwork:
    def test_a_grandmother_outside_the_household_joins_the_childs_network(self, case: Case) -> None:
        member = add(case, grandmother(case))
        assert member["person"]["given_name"] == "Margaret"
        assert member["agreed_role"] == "Takes Ava to school on Tuesdays"
        assert member["added_on"] == "2024-11-25"
        listed = ok(case.client.get(f"{family_url(case)}/network-members"))["items"]
        assert [m["id"] for m in listed] == [member["id"]]
        family = ok(case.client.get(family_url(case)))
        assert member["person"]["id"] not in {m["person_id"] for m in family["members"]}

    def test_a_network_is_a_childs_of_this_household(self, case: Case) -> None:
        refused = case.client.post(
            f"{family_url(case)}/network-members",
            json=grandmother(case, child_person_ids=[case.person("parent_carer")]),
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "child_person_ids[0]"
        assert ok(case.client.get(f"{family_url(case)}/network-members"))["items"] == []

    def test_her_restricted_address_is_withheld_from_those_without_the_right(
        self, case: Case, staff: Staff
    ) -> None:
        body = grandmother(
            case,
            person=make_person_body(
                given_name="Margaret",
                contact={"phone": "07700 900123"},
                contact_restricted=True,
                restriction_reason="Fled her partner; lives in a refuge",
            ),
        )
        add(case, body)
        with as_user(case.client, staff.manager):
            seen = ok(case.client.get(f"{family_url(case)}/network-members"))["items"][0]
        assert seen["person"]["contact"]["phone"] == "07700 900123"
        give_consent(case)
        give_consent(
            case, "information_sharing", sharing_scope="named_agencies", agency_codes=["SCHOOL"]
        )
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
        with as_user(case.client, staff.school_worker):
            withheld = ok(case.client.get(f"{family_url(case)}/network-members"))["items"][0]
        assert withheld["person"]["contact"] is None
        assert withheld["person"]["contact_withheld"] is True

    def test_a_network_member_may_own_a_plan_action(self, case: Case) -> None:
        nan = add(case, grandmother(case))
        give_consent(case)
        on(case.clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        plan_url = f"{case.url}/plans/{plan['id']}"
        current = case.client.get(plan_url)
        actions = [
            *current.json()["actions"],
            {
                "description": "Walk Ava to school on Tuesdays",
                "owner_person_id": nan["person"]["id"],
                "due_on": "2025-01-31",
            },
        ]
        changed = case.client.patch(
            plan_url, json={"actions": actions}, headers={"If-Match": current.headers["ETag"]}
        )
        assert changed.status_code == 200, changed.text
        stranger = {**actions[-1], "owner_person_id": str(uuid.uuid4())}
        refused = case.client.patch(
            plan_url,
            json={"actions": [*actions[:-1], stranger]},
            headers={"If-Match": changed.headers["ETag"]},
        )
        assert refused.status_code == 422
        assert refused.json()["code"] == "plan_action_owner_not_family_member"

    def test_she_leaves_the_network_and_the_record_stays(self, case: Case) -> None:
        member = add(case, grandmother(case))
        on(case.clock, "2024-12-02")
        url = f"{family_url(case)}/network-members/{member['id']}/end"
        assert case.client.post(url, json={}).status_code == 428
        ended = case.client.post(
            url, json={"ended_on": "2024-12-01"}, headers={"If-Match": f'"{member["version"]}"'}
        )
        assert ok(ended)["ended_on"] == "2024-12-01"
        again = case.client.post(url, json={}, headers={"If-Match": ended.headers["ETag"]})
        assert again.status_code == 409
        assert again.json()["code"] == "network_member_already_ended"

    def test_a_stranger_is_answered_as_for_an_unknown_family(
        self, case: Case, staff: Staff
    ) -> None:
        add(case, grandmother(case))
        with as_user(case.client, staff.police_officer):
            mine = case.client.get(f"{family_url(case)}/network-members")
            unknown = case.client.get(f"{API}/families/{uuid.uuid4()}/network-members")
            write = case.client.post(f"{family_url(case)}/network-members", json=grandmother(case))
        assert mine.status_code == unknown.status_code == write.status_code == 404
        assert mine.json()["detail"] == unknown.json()["detail"]


class TestFamilyGroupDecisionMaking:
    def test_offered_accepted_and_held_with_the_familys_plan(
        self, case: Case, staff: Staff
    ) -> None:
        nan = add(case, grandmother(case))
        offered = ok(
            case.client.post(
                f"{family_url(case)}/fgdm-offers",
                json={
                    "status": "awaiting_answer",
                    "decided_on": "2024-11-25",
                    "offered_to_person_ids": [case.person("parent_carer")],
                },
            ),
            201,
        )
        assert offered["decided_by_practitioner_id"] == str(staff.lead)
        on(case.clock, "2024-11-28")
        answered = case.client.post(
            f"{family_url(case)}/fgdm-offers/{offered['id']}/answer",
            json={"accepted": True},
            headers={"If-Match": f'"{offered["version"]}"'},
        )
        assert ok(answered)["status"] == "accepted"
        assert answered.json()["answered_on"] == "2024-11-28"
        on(case.clock, "2024-12-05")
        meeting = ok(
            case.client.post(
                f"{family_url(case)}/fgdm-meetings",
                json={
                    "offer_id": offered["id"],
                    "held_on": "2024-12-05",
                    "meeting_type": "family_group_conference",
                    "coordinator_name": "Jo Baines, FGC service",
                    "coordinator_independent": True,
                    "private_family_time": True,
                    "attendee_person_ids": [case.person("parent_carer"), nan["person"]["id"]],
                    "attendee_practitioner_ids": [str(staff.lead)],
                    "family_plan": "Nan walks Ava to school on Tuesdays.",
                    "plan_agreed": True,
                },
            ),
            201,
        )
        assert meeting["plan_agreed"] is True
        listed = ok(case.client.get(f"{family_url(case)}/fgdm-meetings"))["items"]
        assert [m["id"] for m in listed] == [meeting["id"]]
        timeline = ok(
            case.client.get(
                f"{family_url(case)}/chronology",
                params={
                    "kind": [
                        "network_member_added",
                        "fgdm_offer",
                        "fgdm_answer",
                        "fgdm_meeting",
                    ]
                },
            )
        )["items"]
        assert [(e["on"], e["kind"]) for e in timeline] == [
            ("2024-11-25", "network_member_added"),
            ("2024-11-25", "fgdm_offer"),
            ("2024-11-28", "fgdm_answer"),
            ("2024-12-05", "fgdm_meeting"),
        ]

    def test_a_decision_not_to_offer_gives_its_reason(self, case: Case) -> None:
        body: dict[str, Any] = {"status": "not_offered", "decided_on": "2024-11-25"}
        refused = case.client.post(f"{family_url(case)}/fgdm-offers", json=body)
        assert refused.status_code == 422
        assert refused.json()["code"] == "fgdm_not_offered_reason_required"
        kept = ok(
            case.client.post(
                f"{family_url(case)}/fgdm-offers",
                json={
                    **body,
                    "not_offered_reason": "not_safe_to_involve_network",
                    "explanation": "Mum's ex-partner's family would learn where she lives.",
                },
            ),
            201,
        )
        assert kept["status"] == "not_offered"
        assert ok(case.client.get(f"{family_url(case)}/fgdm-offers"))["items"] == [kept]

    def test_a_meeting_cannot_follow_a_declined_offer(self, case: Case) -> None:
        declined = ok(
            case.client.post(
                f"{family_url(case)}/fgdm-offers",
                json={
                    "status": "declined",
                    "decided_on": "2024-11-25",
                    "answered_on": "2024-11-25",
                    "offered_to_person_ids": [case.person("parent_carer")],
                },
            ),
            201,
        )
        refused = case.client.post(
            f"{family_url(case)}/fgdm-meetings",
            json={
                "offer_id": declined["id"],
                "held_on": "2024-11-25",
                "meeting_type": "family_network_meeting",
                "coordinator_name": "Jo Baines",
                "coordinator_independent": False,
                "private_family_time": False,
                "attendee_person_ids": [case.person("parent_carer")],
            },
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "fgdm_meeting_offer_not_accepted"
        assert ok(case.client.get(f"{family_url(case)}/fgdm-meetings"))["items"] == []


def test_a_retried_add_with_its_idempotency_key_records_one_network_member(case: Case) -> None:
    key = {"Idempotency-Key": "add-nan-once"}
    url = f"{family_url(case)}/network-members"
    first = case.client.post(url, json=grandmother(case), headers=key)
    again = case.client.post(url, json=grandmother(case), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(ok(case.client.get(url))["items"]) == 1
