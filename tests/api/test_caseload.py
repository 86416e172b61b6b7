"""The lead professional's day: caseload by urgency and a worklist across roles, on a fixed clock."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.access import Role
from tests.api.test_episodes import API, Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_episode_body,
    make_family_body,
    make_meeting_body,
    make_member_body,
)


def new_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff, surname: str
) -> Case:
    body = make_family_body(reference.hubs["NORTH"])
    for member in body["members"]:
        member["person"]["family_name"] = surname
    family = ok(client.post(f"{API}/families", json=body), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def caseload(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(f"{API}/me/caseload", params=params))["items"]
    return items


def worklist(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(f"{API}/me/worklist", params=params))["items"]
    return items


class TestCaseload:
    def test_overdue_first_then_due_soonest_then_no_deadline(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-11-01")
        waiting = new_case(client, clock, reference, staff, "Adams")
        late = new_case(client, clock, reference, staff, "Baker")
        give_consent(late, day="2024-11-01")
        late.post("/assessment-start")
        on(clock, "2024-12-02")
        soon = new_case(client, clock, reference, staff, "Carter")
        give_consent(soon, day="2024-12-02")
        soon.post("/assessment-start")
        on(clock, "2024-12-20")
        items = caseload(client)
        assert [i["family_name"] for i in items] == ["Baker", "Carter", "Adams"]
        assert items[0]["next_deadline"]["status"] == "overdue"
        assert items[0]["next_deadline"]["kind"] == "assessment"
        assert items[1]["next_deadline"]["status"] == "on_time"
        assert items[2]["next_deadline"] is None
        assert [c["given_name"] for c in items[0]["children"]] == ["Ava"]
        assert waiting.episode["id"] == items[2]["episode_id"]

    def test_paged_in_the_same_order_and_filtered_by_stage(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        cases = [
            new_case(client, clock, reference, staff, name) for name in ("Dyer", "Ellis", "Ford")
        ]
        for case in cases[:2]:
            give_consent(case, day="2024-12-02")
            case.post("/assessment-start")
        first = ok(client.get(f"{API}/me/caseload", params={"limit": 2}))
        rest = ok(
            client.get(f"{API}/me/caseload", params={"limit": 2, "cursor": first["next_cursor"]})
        )
        paged = [i["episode_id"] for i in first["items"] + rest["items"]]
        assert paged == [i["episode_id"] for i in caseload(client)]
        assert rest["next_cursor"] is None
        assert {i["family_name"] for i in caseload(client, stage="requested")} == {"Ford"}

    def test_names_the_household_by_the_carers_living_there_today(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        body = make_family_body(
            reference.hubs["NORTH"],
            members=[
                make_member_body("parent_carer", given_name="Sarah", family_name="Hale"),
                make_member_body("parent_carer", given_name="Tom", family_name="Irwin"),
                make_member_body("child", given_name="Ava", date_of_birth="2017-06-01"),
            ],
        )
        response = client.post(f"{API}/families", json=body)
        family = ok(response, 201)
        ok(client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead)), 201)
        [item] = caseload(client)
        # Carers who joined on the same day are named in the order their memberships are stored.
        assert sorted(item["family_name"].split(" / ")) == ["Hale", "Irwin"]

        tom = next(m for m in family["members"] if m["person"]["given_name"] == "Tom")
        ok(
            client.post(
                f"{API}/families/{family['id']}/members/{tom['id']}/leave",
                json={"left_on": "2024-12-02"},
                headers={"If-Match": response.headers["ETag"]},
            )
        )
        [item] = caseload(client)
        assert item["family_name"] == "Hale"
        assert [c["given_name"] for c in item["children"]] == ["Ava"]

    def test_only_episodes_i_lead(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        new_case(client, clock, reference, staff, "Green")
        with as_user(client, staff.other_lead):
            assert caseload(client) == []


class TestWorklist:
    def test_work_is_gathered_across_roles(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Hill")
        give_consent(case, day="2024-12-02")
        give_consent(
            case,
            "information_sharing",
            day="2024-12-02",
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        on(clock, "2024-12-03")
        assert [w["kind"] for w in worklist(client)] == []
        _, plan = assess_and_plan(case)
        assert [w["kind"] for w in worklist(client)] == ["submit_assessment_and_plan"]
        case.post("/plan-submission")
        with as_user(client, staff.qa_officer):
            qa_items = worklist(client)
            assert [w["kind"] for w in qa_items] == ["decide_on_plan"]
            assert qa_items[0]["plan_id"] == plan["id"]
            case.post("/qa-decisions", {"outcome": "approved"})
        assert [w["kind"] for w in worklist(client)] == ["hold_first_taf_meeting"]

        school = ok(
            client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "practitioner",
                    "practitioner_id": str(staff.school_worker),
                    "role": "Teacher",
                },
            ),
            201,
        )
        plan_url = f"{case.url}/plans/{plan['id']}"
        # The approved plan is agreed at the first meeting; the school's action is added by revising later.
        case.post(
            "/meetings",
            make_meeting_body("2024-12-03", [school["id"]]),
            status=201,
        )
        revision = ok(client.post(f"{plan_url}/revision"), 201)
        rev_url = f"{case.url}/plans/{revision['id']}"
        actions = [
            *revision["actions"],
            {
                "description": "Gate welcome",
                "owner_taf_member_id": school["id"],
                "due_on": "2024-12-10",
            },
        ]
        ok(
            client.patch(
                rev_url, json={"actions": actions}, headers={"If-Match": f'"{revision["version"]}"'}
            )
        )
        on(clock, "2024-12-04")
        case.post(
            "/meetings",
            make_meeting_body(
                "2024-12-04", [school["id"]], decision="revise_plan", agrees_plan_id=revision["id"]
            ),
            status=201,
        )
        on(clock, "2024-12-12")
        with as_user(client, staff.school_worker):
            mine = worklist(client)
            assert [(w["kind"], w["status"], w["days_overdue"]) for w in mine] == [
                ("do_plan_action", "overdue", 2)
            ]
        lead_work = worklist(client)
        assert [w["kind"] for w in lead_work] == ["hold_review"]
        assert lead_work[0]["due_on"] == "2025-01-15"
        assert worklist(client, as_of="2025-01-20")[0]["status"] == "overdue"


class TestAWorklistRow:
    def test_a_returned_plan_comes_with_everything_its_row_shows(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quarry")
        give_consent(case, day="2024-12-02")
        on(clock, "2024-12-03")
        _, plan = assess_and_plan(case)
        case.post("/plan-submission")
        with as_user(client, staff.qa_officer):
            case.post(
                "/qa-decisions",
                {"outcome": "returned", "comments": "Make the attendance outcome measurable"},
            )
        [row] = worklist(client)
        episode = ok(client.get(case.url))
        assert row | {"episode_id": None} == {
            "kind": "resubmit_plan",
            "episode_id": None,
            "episode_version": episode["version"],
            "family_id": case.family["id"],
            "family_reference": case.family["reference"],
            "family_name": "Quarry",
            "due_on": None,
            "status": None,
            "days_overdue": 0,
            "plan_id": plan["id"],
            "action_id": None,
            "need_id": None,
            "description": "Quality assurance returned the plan",
            "qa_comments": "Make the attendance outcome measurable",
            "qa_officer_name": "Quinn Quality",
            "qa_decided_on": "2024-12-03",
            "request_id": None,
        }


class TestWhoAmI:
    def test_a_lead_gets_their_name_roles_agency_and_hubs_in_one_call(
        self, client: TestClient, reference: ReferenceData, staff: Staff
    ) -> None:
        me = ok(client.get(f"{API}/me"))
        assert me["id"] == str(staff.lead)
        assert me["name"] == "Lena Lead"
        assert me["roles"] == ["practitioner"]
        assert me["agency"] == {"code": "COUNCIL_EH", "name": "Council Eh"}
        assert [(h["code"], h["id"]) for h in me["hubs"]] == [
            ("NORTH", str(reference.hubs["NORTH"]))
        ]

    def test_every_role_reads_its_own_profile_and_the_read_is_audited(
        self, client: TestClient, staff: Staff, new_uow: Any
    ) -> None:
        reporting = given_practitioner(new_uow, roles={Role.REPORTING}, name="Reporting Job")
        for who in (staff.manager, staff.qa_officer, staff.link_worker, reporting):
            with as_user(client, who):
                assert ok(client.get(f"{API}/me"))["id"] == str(who)
        with new_uow() as uow:
            reads = [e for e in uow.audit.entries() if e.action == "read_own_profile"]
        assert {e.actor_id for e in reads} >= {staff.manager, reporting}
        assert all(e.outcome == "allowed" for e in reads)
