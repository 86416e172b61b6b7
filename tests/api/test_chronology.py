"""A family's chronology through the API: one timeline of the whole cycle in the order it
happened, filtered and paged, as JSON and CSV, and only for those who may read the family."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_episodes import API, Case, assess_and_plan, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    Statements,
    as_user,
    make_episode_body,
    make_family_body,
    make_meeting_body,
)


@pytest.fixture
def case(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> Case:
    on(clock, "2024-11-25")
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def chronology_url(case: Case) -> str:
    return f"{API}/families/{case.family['id']}/chronology"


def run_the_cycle(case: Case, staff: Staff, *, close: bool = True) -> None:
    """Consent, assessment, a plan returned then approved, a TAF, a first meeting, closure."""
    give_consent(case)
    on(case.clock, "2024-12-03")
    assess_and_plan(case)
    on(case.clock, "2024-12-20")
    case.post("/plan-submission")
    on(case.clock, "2024-12-23")
    with as_user(case.client, staff.qa_officer):
        case.post("/qa-decisions", {"outcome": "returned", "comments": "Add the school"})
    mum = ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={"kind": "family_member", "person_id": case.person("parent_carer"), "role": "Mum"},
        ),
        201,
    )
    case.post("/plan-submission")
    on(case.clock, "2025-01-06")
    with as_user(case.client, staff.qa_officer):
        case.post("/qa-decisions", {"outcome": "approved"})
    on(case.clock, "2025-01-15")
    case.post("/meetings", make_meeting_body("2025-01-15", [mum["id"]]), status=201)
    if not close:
        return
    on(case.clock, "2025-02-20")
    case.post(
        "/closure",
        {
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Mornings are calm now"},
        },
    )


def kinds(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["on"], e["kind"]) for e in entries]


class TestTheTimeline:
    def test_the_whole_cycle_reads_in_the_order_it_happened(self, case: Case, staff: Staff) -> None:
        run_the_cycle(case, staff)
        entries = ok(case.client.get(chronology_url(case), params={"limit": 200}))["items"]
        assert kinds(entries) == [
            ("2024-11-25", "episode_requested"),
            ("2024-12-02", "consent_given"),
            ("2024-12-03", "assessment_started"),
            ("2024-12-03", "assessment_completed"),
            ("2024-12-20", "plan_submitted"),
            ("2024-12-23", "plan_submitted"),
            ("2024-12-23", "qa_decision"),
            ("2024-12-23", "taf_joined"),
            ("2025-01-06", "qa_decision"),
            ("2025-01-15", "taf_meeting"),
            ("2025-02-20", "episode_closed"),
        ]
        by_kind = {e["kind"]: e for e in entries}
        returned, approved = [e for e in entries if e["kind"] == "qa_decision"]
        assert "returned" in returned["what"]
        assert "Add the school" in returned["what"]
        assert approved["by_practitioner_id"] == str(staff.qa_officer)
        assert (
            approved["link"] == f"{API}/episodes/{case.episode['id']}/plans/{approved['record_id']}"
        )
        assert ok(case.client.get(approved["link"]))["id"] == approved["record_id"]
        assert by_kind["consent_given"]["by_person_id"] == case.person("parent_carer")
        assert by_kind["episode_closed"]["on"] == "2025-02-20"

    def test_events_of_one_day_follow_the_order_the_process_runs_in(
        self, case: Case, staff: Staff
    ) -> None:
        run_the_cycle(case, staff)
        same_day = ok(
            case.client.get(chronology_url(case), params={"from": "2024-12-23", "to": "2024-12-23"})
        )["items"]
        assert [e["kind"] for e in same_day] == ["plan_submitted", "qa_decision", "taf_joined"]

    def test_it_is_filtered_by_kind_episode_and_person(self, case: Case, staff: Staff) -> None:
        run_the_cycle(case, staff)
        url = chronology_url(case)
        only = ok(case.client.get(url, params={"kind": ["qa_decision", "episode_closed"]}))
        assert [e["kind"] for e in only["items"]] == [
            "qa_decision",
            "qa_decision",
            "episode_closed",
        ]
        assert ok(case.client.get(url, params={"episode_id": str(uuid.uuid4())}))["items"] == []
        about_ava = ok(case.client.get(url, params={"person_id": case.person("child")}))["items"]
        assert {e["kind"] for e in about_ava} >= {"episode_requested", "assessment_started"}
        refused = case.client.get(url, params={"kind": "birthday"})
        assert refused.status_code == 422
        reversed_range = case.client.get(url, params={"from": "2025-01-02", "to": "2025-01-01"})
        assert reversed_range.status_code == 422
        assert reversed_range.json()["code"] == "chronology_range_reversed"

    def test_pages_follow_on_without_gaps_or_repeats(self, case: Case, staff: Staff) -> None:
        run_the_cycle(case, staff)
        whole = ok(case.client.get(chronology_url(case), params={"limit": 200}))["items"]
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = ok(case.client.get(chronology_url(case), params=params))
            seen.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == whole

    def test_the_whole_timeline_downloads_as_csv(self, case: Case, staff: Staff) -> None:
        run_the_cycle(case, staff)
        whole = ok(case.client.get(chronology_url(case), params={"limit": 200}))["items"]
        response = case.client.get(chronology_url(case), headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["on"], r["kind"], r["record_id"]) for r in rows] == [
            (e["on"], e["kind"], e["record_id"]) for e in whole
        ]

    def test_a_longer_history_costs_no_more_statements(
        self, case: Case, staff: Staff, statements: Statements
    ) -> None:
        run_the_cycle(case, staff, close=False)
        before = statements.during(lambda: case.client.get(chronology_url(case)))
        for day in ("2025-02-21", "2025-02-24", "2025-02-25"):
            on(case.clock, day)
            give_consent(case, day=day)
            record_disclosure(case, day)
        entries = ok(case.client.get(chronology_url(case), params={"limit": 200}))["items"]
        assert len(entries) == 16
        after = statements.during(lambda: case.client.get(chronology_url(case)))
        assert after == before


def record_disclosure(case: Case, day: str) -> None:
    ok(
        case.client.post(
            f"{API}/families/{case.family['id']}/disclosures",
            json={
                "decision": "shared",
                "decided_on": day,
                "recipient_name": "Health visiting",
                "recipient_type": "health",
                "information": "The closure summary",
                "purpose": "Continuity of care",
                "lawful_basis": "ca2004_s16la",
            },
        ),
        201,
    )


class TestWhoReadsIt:
    def test_a_stranger_is_answered_as_for_an_unknown_family(
        self, case: Case, staff: Staff
    ) -> None:
        with as_user(case.client, staff.police_officer):
            mine = case.client.get(chronology_url(case))
            unknown = case.client.get(f"{API}/families/{uuid.uuid4()}/chronology")
            csv_answer = case.client.get(chronology_url(case), headers={"Accept": "text/csv"})
        assert mine.status_code == unknown.status_code == csv_answer.status_code == 404
        assert mine.json()["detail"] == unknown.json()["detail"] == csv_answer.json()["detail"]

    def test_a_taf_member_without_consent_to_share_sees_nothing(
        self, case: Case, staff: Staff
    ) -> None:
        """The school's worker joins the TAF while consent to share with schools is in force;
        once it is withdrawn the chronology answers them as for an unknown family."""
        give_consent(case)
        sharing = give_consent(
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
            assert case.client.get(chronology_url(case)).status_code == 200
        ok(
            case.client.post(
                f"{API}/families/{case.family['id']}/consents/{sharing['id']}/withdrawal",
                headers={"If-Match": f'"{sharing["version"]}"'},
                json={"withdrawn_on": "2024-12-02", "reason": "Mum does not want the school told"},
            )
        )
        with as_user(case.client, staff.school_worker):
            assert case.client.get(chronology_url(case)).status_code == 404

    def test_reading_it_is_in_the_familys_access_log(self, case: Case, staff: Staff) -> None:
        case.client.get(chronology_url(case))
        with as_user(case.client, staff.manager):
            log = ok(case.client.get(f"{API}/families/{case.family['id']}/access-log"))
        assert ("read_family", "chronology", "allowed") in [
            (e["action"], e["resource_type"], e["outcome"]) for e in log["items"]
        ]


class TestContactsInTheTimeline:
    def test_a_significant_contact_is_in_it_without_its_note(self, case: Case) -> None:
        from tests.api.test_contacts import record

        on(case.clock, "2024-11-27")
        visit = record(case, significant=True, sensitive=True, note="Mum disclosed abuse.")
        record(case, note="Routine call.", kind="phone", seen_person_ids=[], significant=False)
        entries = ok(case.client.get(chronology_url(case), params={"kind": "contact"}))["items"]
        assert [(e["on"], e["record_id"]) for e in entries] == [("2024-11-27", visit["id"])]
        assert "abuse" not in entries[0]["what"]
        assert entries[0]["link"] == f"{case.url}/contacts/{visit['id']}"

    def test_pages_of_many_contacts_follow_on_as_the_whole_timeline_does(
        self, case: Case, staff: Staff
    ) -> None:
        """A page loads only the significant contacts it can show (its first day's and one
        page more after it): paging, with several contacts a day, between the other events and
        under every filter, still reads exactly the whole timeline."""
        from tests.api.test_contacts import record

        run_the_cycle(case, staff, close=False)
        on(case.clock, "2025-01-20")
        days = ["2024-11-27"] * 3 + ["2024-12-03"] * 4 + ["2024-12-20", "2025-01-15", "2025-01-15"]
        days += ["2025-01-16"] * 3 + ["2025-01-20"]
        for n, day in enumerate(days):
            record(case, happened_on=day, significant=n % 4 != 1)
        child = case.person("child")
        for params in (
            {},
            {"kind": ["contact", "taf_meeting"]},
            {"from": "2024-12-03"},
            {"to": "2025-01-15"},
            {"episode_id": case.episode["id"]},
            {"person_id": child},
        ):
            whole = ok(case.client.get(chronology_url(case), params={**params, "limit": 200}))
            assert whole["next_cursor"] is None
            assert sum(e["kind"] == "contact" for e in whole["items"]) > 5 or params
            for limit in (1, 2, 3, 5):
                seen: list[dict[str, Any]] = []
                cursor = None
                while True:
                    page_params: dict[str, Any] = {**params, "limit": limit}
                    if cursor:
                        page_params["cursor"] = cursor
                    page = ok(case.client.get(chronology_url(case), params=page_params))
                    assert len(page["items"]) == limit or page["next_cursor"] is None
                    seen.extend(page["items"])
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                assert seen == whole["items"], (params, limit)


class TestRequestsInTheTimeline:
    def test_the_request_and_its_decision_are_there_for_the_lead_but_not_for_a_taf_member(
        self, case: Case, staff: Staff, new_uow: Any
    ) -> None:
        """A request's readers are the front door's (the lead of the episode it was attached
        to among them); a TAF member who reads the family does not read the request."""
        from app.domain.access import Role
        from tests.api.test_requests import REQUESTS, family_request, screen
        from tests.builders import given_practitioner

        officer = given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Front")
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
        with as_user(case.client, officer):
            made = ok(case.client.post(REQUESTS, json=family_request(case)), 201)
            screen(case.client, made, {"outcome": "already_open", "reason": "Known to us"})
        kinds = {"kind": ["request_received", "request_decided"]}
        seen = ok(case.client.get(chronology_url(case), params=kinds))["items"]
        assert [(e["kind"], e["record_id"]) for e in seen] == [
            ("request_received", made["id"]),
            ("request_decided", made["id"]),
        ]
        assert seen[1]["what"] == "Front door decision: already open"
        with as_user(case.client, staff.school_worker):
            assert ok(case.client.get(chronology_url(case), params=kinds))["items"] == []


def test_an_earlier_episode_i_may_not_read_leaves_nothing_of_itself_in_the_family_s_timeline(
    case: Case, client: TestClient, staff: Staff
) -> None:
    """Every entry obeys the rule of the record it points to: the lead of the family's new
    episode reads the family, but not the episode another lead closed before it, so none of its
    steps, assessment or plan is in the timeline they read (as its own endpoint answers 404)."""
    earlier = case
    give_consent(earlier)
    assess_and_plan(earlier)
    earlier.post("/closure", {"reason": "moved_away"})
    with as_user(client, staff.manager):
        body = make_episode_body(earlier.family, staff.other_lead)
        mine = ok(client.post(f"{API}/episodes", json=body), 201)
    with as_user(client, staff.other_lead):
        refused = client.get(earlier.url)
        entries = ok(client.get(chronology_url(earlier), params={"limit": 200}))["items"]
    assert refused.status_code == 404
    episodes = {e["episode_id"] for e in entries if e["episode_id"] is not None}
    assert episodes == {mine["id"]}
    with as_user(client, staff.lead):
        theirs = ok(client.get(chronology_url(earlier), params={"limit": 200}))["items"]
    assert earlier.episode["id"] in {e["episode_id"] for e in theirs}
