"""The front door through the API, on both databases: a request arrives, the front door screens
it within its clock, and each outcome does what it says; requests are hidden like unknown ids
from anyone the rules do not let read them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.access import Role
from tests.api.test_caseload import new_case, worklist
from tests.api.test_episodes import API, Case, ok, on
from tests.builders import ReferenceData, Staff, as_user, given_practitioner, make_family_body

REQUESTS = f"{API}/requests"


@pytest.fixture
def officer(new_uow: Callable[[], Any]) -> uuid.UUID:
    return given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Frontdoor")


def new_household_request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "referrer": {
            "kind": "agency",
            "agency_code": "SCHOOL",
            "name": "Sam School",
            "role": "Attendance officer",
            "contact": "01253 000000",
        },
        "household": {
            "address_line1": "3 Elm Street",
            "postcode": "FY1 1AA",
            "contact_name": "Jo Price",
            "children": [{"given_name": "Mia", "family_name": "Price"}],
        },
        "asked_for": "Help with routines.",
        "reason": "Attendance 80%.",
        "family_agreed": True,
    }
    body.update(overrides)
    return body


def family_request(case: Case, **overrides: Any) -> dict[str, Any]:
    body = new_household_request(household=None)
    body.update(family_id=case.family["id"], child_person_ids=[case.person("child")])
    body.update(overrides)
    return body


def screen(
    client: TestClient, request: dict[str, Any], body: dict[str, Any], status: int = 200
) -> Any:
    response = client.post(
        f"{REQUESTS}/{request['id']}/decision",
        json=body,
        headers={"If-Match": f'"{request["version"]}"'},
    )
    return ok(response, status)


class TestReceivingARequest:
    def test_a_referral_about_a_new_household_starts_a_one_working_day_clock(
        self, client: TestClient, clock: FixedClock, staff: Staff
    ) -> None:
        on(clock, "2025-01-10")  # a Friday: due the Monday after
        with as_user(client, staff.school_worker):
            response = client.post(REQUESTS, json=new_household_request())
            made = ok(response, 201)
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Location"] == f"{REQUESTS}/{made['id']}"
        assert made["decision_due_on"] == "2025-01-13"
        assert made["status"] == "awaiting_decision"
        assert made["prior"] == {"earlier_episode": False, "earlier_request": False}
        assert made["household"]["children"][0]["given_name"] == "Mia"

    def test_a_request_dated_in_the_future_is_refused_naming_received_on(
        self, client: TestClient, clock: FixedClock, officer: uuid.UUID
    ) -> None:
        on(clock, "2025-01-10")
        with as_user(client, officer):
            response = client.post(REQUESTS, json=new_household_request(received_on="2025-01-11"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "received_on"

    def test_naming_a_family_and_describing_a_household_is_refused(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
    ) -> None:
        case = new_case(client, clock, reference, staff, "Hale")
        with as_user(client, officer):
            response = client.post(
                REQUESTS, json=family_request(case, household=new_household_request()["household"])
            )
        assert response.status_code == 422
        assert response.json()["code"] == "request_household_ambiguous"

    def test_a_referrer_cannot_name_a_family_they_may_not_read(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        case = new_case(client, clock, reference, staff, "Hale")
        with as_user(client, staff.police_officer):
            response = client.post(REQUESTS, json=family_request(case))
            unknown = client.post(REQUESTS, json=family_request(case, family_id=str(uuid.uuid4())))
        assert response.status_code == unknown.status_code == 404
        assert response.json()["detail"] == unknown.json()["detail"]

    def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
        self, client: TestClient, officer: uuid.UUID
    ) -> None:
        key = {"Idempotency-Key": "front-door-1"}
        with as_user(client, officer):
            first = ok(client.post(REQUESTS, json=new_household_request(), headers=key), 201)
            again = client.post(REQUESTS, json=new_household_request(), headers=key)
            listed = ok(client.get(REQUESTS))
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == first["id"]
        assert [r["id"] for r in listed["items"]] == [first["id"]]


class TestWhoSeesARequest:
    def test_the_referrer_and_the_front_door_read_it_an_unrelated_practitioner_does_not(
        self, client: TestClient, staff: Staff, officer: uuid.UUID
    ) -> None:
        with as_user(client, staff.school_worker):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            assert client.get(f"{REQUESTS}/{made['id']}").status_code == 200
        with as_user(client, officer):
            assert client.get(f"{REQUESTS}/{made['id']}").status_code == 200
        with as_user(client, staff.police_officer):
            hidden = client.get(f"{REQUESTS}/{made['id']}")
            unknown = client.get(f"{REQUESTS}/{uuid.uuid4()}")
            listed = ok(client.get(REQUESTS))
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]
        assert listed["items"] == []

    def test_each_list_is_scoped_in_sql_to_what_its_reader_may_read(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
        new_uow: Callable[[], Any],
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Hale")
        south_link = given_practitioner(
            new_uow, roles={Role.LINK_WORKER}, hubs=frozenset({reference.hubs["SOUTH"]})
        )
        with as_user(client, staff.school_worker):
            referral = ok(client.post(REQUESTS, json=new_household_request()), 201)
        with as_user(client, officer):
            attached = ok(client.post(REQUESTS, json=family_request(case)), 201)
            screen(client, attached, {"outcome": "already_open", "reason": "Known"})

        def listed(who: uuid.UUID) -> set[str]:
            with as_user(client, who):
                return {r["id"] for r in ok(client.get(REQUESTS))["items"]}

        assert listed(officer) == listed(staff.manager) == {referral["id"], attached["id"]}
        assert listed(staff.school_worker) == {referral["id"]}
        assert listed(staff.lead) == {attached["id"]}
        assert listed(staff.link_worker) == {attached["id"]}
        assert listed(south_link) == set()
        assert listed(staff.other_lead) == set()
        # Paged within the scope: no page, and no cursor, is made of requests one may not read.
        with as_user(client, staff.other_lead):
            assert ok(client.get(REQUESTS, params={"limit": 1})) == {
                "items": [],
                "next_cursor": None,
            }

    def test_the_reporting_account_cannot_list_requests(
        self, client: TestClient, new_uow: Callable[[], Any]
    ) -> None:
        reports = given_practitioner(new_uow, roles={Role.REPORTING})
        with as_user(client, reports):
            assert client.get(REQUESTS).status_code == 403

    def test_only_the_front_door_screens(
        self, client: TestClient, staff: Staff, officer: uuid.UUID
    ) -> None:
        with as_user(client, staff.school_worker):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            refused = screen(
                client, made, {"outcome": "signpost", "reason": "Parenting group"}, 403
            )
        with as_user(client, staff.police_officer):
            screen(client, made, {"outcome": "signpost", "reason": "Parenting group"}, 404)
        with as_user(client, officer):
            decided = screen(client, made, {"outcome": "signpost", "reason": "Parenting group"})
        assert refused["code"] == "not_permitted"
        assert decided["decision"]["outcome"] == "signpost"
        assert decided["decision"]["decided_by"] == str(officer)


class TestScreening:
    def test_early_help_opens_an_episode_for_the_registered_household(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
    ) -> None:
        on(clock, "2025-01-13")
        with as_user(client, staff.school_worker):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
        family = ok(
            client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201
        )
        child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
        on(clock, "2025-01-14")
        with as_user(client, officer):
            decided = screen(
                client,
                made,
                {
                    "outcome": "early_help",
                    "reason": "Two needs; the family agrees.",
                    "family_id": family["id"],
                    "child_person_ids": [child],
                    "lead_practitioner_id": str(staff.lead),
                    "level_of_need": "2",
                },
            )
        episode = ok(client.get(f"{API}/episodes/{decided['decision']['episode_id']}"))
        assert decided["decision_status"] == "met_on_time"
        assert decided["family_id"] == family["id"]
        assert episode["source"] == "front_door"
        assert episode["requested_on"] == "2025-01-13"
        # The lead reads the request that opened their episode.
        assert client.get(f"{REQUESTS}/{made['id']}").status_code == 200

    def test_already_open_puts_the_request_on_the_leads_worklist_until_acknowledged(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Hale")
        on(clock, "2025-01-20")
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=family_request(case)), 201)
            decided = screen(client, made, {"outcome": "already_open", "reason": "Known to EH"})
        assert made["prior"]["earlier_episode"] is True
        assert decided["decision"]["episode_id"] == case.episode["id"]
        items = [i for i in worklist(client) if i["kind"] == "read_attached_request"]
        assert [i["request_id"] for i in items] == [made["id"]]
        with as_user(client, officer):
            not_the_lead = client.post(
                f"{REQUESTS}/{made['id']}/acknowledgement",
                headers={"If-Match": f'"{decided["version"]}"'},
            )
        assert not_the_lead.status_code == 403
        done = ok(
            client.post(
                f"{REQUESTS}/{made['id']}/acknowledgement",
                headers={"If-Match": f'"{decided["version"]}"'},
            )
        )
        assert done["acknowledged_on"] == "2025-01-20"
        assert not [i for i in worklist(client) if i["kind"] == "read_attached_request"]

    def test_already_open_without_an_open_episode_is_refused(
        self, client: TestClient, reference: ReferenceData, officer: uuid.UUID
    ) -> None:
        family = ok(
            client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201
        )
        child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
        with as_user(client, officer):
            made = ok(
                client.post(
                    REQUESTS,
                    json=new_household_request(
                        household=None, family_id=family["id"], child_person_ids=[child]
                    ),
                ),
                201,
            )
            refused = screen(client, made, {"outcome": "already_open", "reason": "Known"}, 409)
        assert refused["code"] == "request_no_open_episode"

    @pytest.mark.parametrize(
        ("body", "field", "code"),
        [
            (
                {"outcome": "step_up", "reason": "Harm"},
                "step_up_reference",
                "step_up_reference_required",
            ),
            (
                {"outcome": "signpost", "reason": "Group", "decided_on": "2025-01-09"},
                "decided_on",
                "decision_before_receipt",
            ),
            (
                {"outcome": "signpost", "reason": "Group", "decided_on": "2025-01-11"},
                "decided_on",
                "step_date_in_future",
            ),
            (
                {"outcome": "early_help", "reason": "Needs"},
                "family_id",
                "request_family_required",
            ),
        ],
    )
    def test_a_decision_that_breaks_a_rule_is_refused_naming_the_field(
        self,
        client: TestClient,
        clock: FixedClock,
        officer: uuid.UUID,
        body: dict[str, Any],
        field: str,
        code: str,
    ) -> None:
        on(clock, "2025-01-10")
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            refused = screen(client, made, body, 422)
            unchanged = ok(client.get(f"{REQUESTS}/{made['id']}"))
        assert refused["code"] == code
        assert refused["errors"][0]["field"] == field
        assert unchanged["decision"] is None

    def test_a_request_is_screened_once_and_a_stale_etag_is_refused(
        self, client: TestClient, officer: uuid.UUID
    ) -> None:
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            step_up = {"outcome": "step_up", "reason": "Harm", "step_up_reference": "CSC-1"}
            missing = client.post(f"{REQUESTS}/{made['id']}/decision", json=step_up)
            decided = screen(client, made, step_up)
            stale = screen(client, made, step_up, 412)
            again = screen(client, decided, {"outcome": "signpost", "reason": "Group"}, 409)
        assert missing.status_code == 428
        assert decided["decision"]["step_up_reference"] == "CSC-1"
        assert stale["code"] == "stale_version"
        assert again["code"] == "request_already_screened"


class TestTheOverdueView:
    def test_requests_awaiting_a_decision_past_their_day_soonest_due_first(
        self, client: TestClient, clock: FixedClock, officer: uuid.UUID
    ) -> None:
        with as_user(client, officer):
            on(clock, "2025-01-06")  # Monday: due Tuesday
            first = ok(client.post(REQUESTS, json=new_household_request()), 201)
            on(clock, "2025-01-07")  # due Wednesday
            second = ok(client.post(REQUESTS, json=new_household_request()), 201)
            decided = ok(client.post(REQUESTS, json=new_household_request()), 201)
            screen(client, decided, {"outcome": "no_further_action", "reason": "Resolved"})
            assert ok(client.get(REQUESTS, params={"overdue": "true"}))["items"] == []
            on(clock, "2025-01-09")
            page = ok(client.get(REQUESTS, params={"overdue": "true", "limit": 1}))
            rest = ok(
                client.get(
                    REQUESTS, params={"overdue": "true", "limit": 1, "cursor": page["next_cursor"]}
                )
            )
        assert [r["id"] for r in page["items"] + rest["items"]] == [first["id"], second["id"]]
        assert page["items"][0]["decision_status"] == "overdue"
        assert page["items"][0]["days_overdue"] == 2
        assert rest["next_cursor"] is None


class TestTheFrontDoorMeasures:
    def test_repeat_requests_and_known_families_are_counted(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
        new_uow: Callable[[], Any],
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Hale")
        with as_user(client, officer):
            fresh = ok(client.post(REQUESTS, json=new_household_request()), 201)
            screen(client, fresh, {"outcome": "signpost", "reason": "Group"})
            on(clock, "2025-01-14")
            first = ok(client.post(REQUESTS, json=family_request(case)), 201)
            screen(client, first, {"outcome": "already_open", "reason": "Known"})
            on(clock, "2025-01-15")
            ok(client.post(REQUESTS, json=family_request(case)), 201)
        reports = given_practitioner(new_uow, roles={Role.REPORTING})
        with as_user(client, reports):
            report = ok(
                client.get(
                    f"{API}/reports/early-help-measures",
                    params={"from": "2025-01-01", "to": "2025-01-31"},
                )
            )
        front_door = report["overall"]["front_door"]
        assert front_door["requests"] == 3
        assert front_door["without_prior_early_help"] == 1
        assert front_door["known_families_asked_to_assess"] == 1
        assert front_door["repeat_requests"] == 1
        assert front_door["repeat_request_share"] == pytest.approx(1 / 3, abs=1e-4)
        assert front_door["by_outcome"]["awaiting_decision"] == 1
        north = next(h for h in report["hubs"] if h["hub_code"] == "NORTH")
        assert north["measures"]["front_door"]["requests"] == 2


def correct(
    client: TestClient, request: dict[str, Any], body: dict[str, Any], status: int = 200
) -> Any:
    response = client.patch(
        f"{REQUESTS}/{request['id']}",
        json=body,
        headers={"If-Match": f'"{request["version"]}"'},
    )
    return ok(response, status)


class TestCorrectingARequest:
    def test_the_referrer_corrects_the_day_it_arrived_and_the_clock_moves_with_it(
        self, client: TestClient, clock: FixedClock, staff: Staff
    ) -> None:
        on(clock, "2025-01-14")
        with as_user(client, staff.school_worker):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            assert made["decision_due_on"] == "2025-01-15"
            response = client.patch(
                f"{REQUESTS}/{made['id']}",
                json={"received_on": "2025-01-10", "urgency": "urgent"},
                headers={"If-Match": f'"{made["version"]}"'},
            )
            corrected = ok(response)
        assert (corrected["received_on"], corrected["decision_due_on"]) == (
            "2025-01-10",
            "2025-01-13",
        )
        assert corrected["decision_status"] == "overdue"
        assert (corrected["urgency"], corrected["reason"]) == ("urgent", made["reason"])
        assert response.headers["ETag"] == f'"{corrected["version"]}"'
        assert corrected["version"] == made["version"] + 1

    def test_the_front_door_adds_a_child_the_referrer_left_out(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        officer: uuid.UUID,
    ) -> None:
        on(clock, "2025-01-13")
        body = make_family_body(reference.hubs["NORTH"])
        body["members"].append(
            {
                "role": "child",
                "person": {
                    "given_name": "Leo",
                    "family_name": "Hughes",
                    "date_of_birth": "2019-03-01",
                },
            }
        )
        family = ok(client.post(f"{API}/families", json=body), 201)
        children = [m["person_id"] for m in family["members"] if m["role"] == "child"]
        with as_user(client, officer):
            made = ok(
                client.post(
                    REQUESTS,
                    json=new_household_request(
                        household=None, family_id=family["id"], child_person_ids=children[:1]
                    ),
                ),
                201,
            )
            corrected = correct(client, made, {"child_person_ids": children})
        assert corrected["child_person_ids"] == children

    def test_a_screened_request_stays_as_the_front_door_decided_on_it(
        self, client: TestClient, officer: uuid.UUID
    ) -> None:
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            decided = screen(client, made, {"outcome": "signpost", "reason": "Parenting group"})
            refused = correct(client, decided, {"reason": "Changed my mind"}, 409)
            assert refused["code"] == "request_screened_not_editable"
            assert ok(client.get(f"{REQUESTS}/{made['id']}"))["reason"] == made["reason"]

    def test_only_the_front_door_and_whoever_made_it_correct_it(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Ivers")
        with as_user(client, staff.school_worker):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
        with as_user(client, staff.police_officer):
            hidden = client.patch(
                f"{REQUESTS}/{made['id']}",
                json={"reason": "x"},
                headers={"If-Match": f'"{made["version"]}"'},
            )
            unknown = client.patch(
                f"{REQUESTS}/{uuid.uuid4()}",
                json={"reason": "x"},
                headers={"If-Match": '"1"'},
            )
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]
        with as_user(client, officer):
            corrected = correct(client, made, {"asked_for": "A parenting course."})
            about_case = ok(client.post(REQUESTS, json=family_request(case)), 201)
            attached = screen(client, about_case, {"outcome": "already_open", "reason": "Known"})
        # The episode's lead reads the attached request but does not correct it.
        forbidden = correct(client, attached, {"reason": "x"}, 403)
        assert forbidden["code"] == "not_permitted"
        assert corrected["asked_for"] == "A parenting course."

    def test_a_correction_without_if_match_or_on_a_stale_version_is_refused(
        self, client: TestClient, officer: uuid.UUID
    ) -> None:
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            missing = client.patch(f"{REQUESTS}/{made['id']}", json={"reason": "Later"})
            assert missing.status_code == 428
            correct(client, made, {"reason": "First"})
            stale = client.patch(
                f"{REQUESTS}/{made['id']}",
                json={"reason": "Second"},
                headers={"If-Match": f'"{made["version"]}"'},
            )
            assert stale.status_code == 412
            assert stale.json()["current"]["reason"] == "First"
            assert ok(client.get(f"{REQUESTS}/{made['id']}"))["reason"] == "First"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"received_on": "2099-01-01"}, "received_on"),
            ({"child_person_ids": [str(uuid.UUID(int=7))]}, "child_person_ids"),
            ({"referrer": {"kind": "agency", "agency_code": "NOWHERE"}}, "referrer.agency_code"),
            ({"reason": "   "}, "reason"),
            ({"urgency": "whenever"}, "urgency"),
        ],
    )
    def test_a_correction_that_breaks_a_rule_is_refused_naming_the_field_and_changes_nothing(
        self, client: TestClient, officer: uuid.UUID, body: dict[str, Any], field: str
    ) -> None:
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=new_household_request()), 201)
            response = client.patch(
                f"{REQUESTS}/{made['id']}",
                json={"asked_for": "Something new", **body},
                headers={"If-Match": f'"{made["version"]}"'},
            )
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["field"] == field
            assert ok(client.get(f"{REQUESTS}/{made['id']}")) == made

    def test_a_child_not_of_the_household_is_refused(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Jarvis")
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=family_request(case)), 201)
            refused = correct(
                client, made, {"child_person_ids": [case.person("parent_carer")]}, 422
            )
        assert refused["errors"][0]["field"] == "child_person_ids[0]"

    def test_a_correction_is_in_the_audit_trail_against_the_household(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        officer: uuid.UUID,
        new_uow: Callable[[], Any],
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Kerr")
        with as_user(client, officer):
            made = ok(client.post(REQUESTS, json=family_request(case)), 201)
            client.patch(
                f"{REQUESTS}/{made['id']}",
                json={"reason": "More detail"},
                headers={"If-Match": f'"{made["version"]}"', "X-Request-ID": "correct-request"},
            )
        with new_uow() as uow:
            entries = [e for e in uow.audit.entries() if e.request_id == "correct-request"]
        assert [(e.action, e.resource_id, e.family_id, e.outcome) for e in entries] == [
            ("edit_request", made["id"], uuid.UUID(case.family["id"]), "allowed")
        ]
