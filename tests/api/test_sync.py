"""Delta sync for an offline device: exactly what changed, and what the device must forget."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.access import Role
from tests.api import test_family_help as family_help_api
from tests.api.test_caseload import new_case
from tests.api.test_episodes import API, Case, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_episode_body,
    make_family_body,
    make_person_body,
)


def sync(client: TestClient, since: str | None = None) -> dict[str, Any]:
    changes: dict[str, Any] = ok(
        client.get(f"{API}/me/changes", params={"since": since} if since else {})
    )
    return changes


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


class TestDeltaSync:
    def test_the_first_sync_sends_the_whole_caseload_and_the_next_only_what_changed(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        first_case = new_case(client, clock, reference, staff, "Irwin")
        other = new_case(client, clock, reference, staff, "Jones")
        everything = sync(client)
        assert everything["full"] is True
        assert ids(everything["families"]) == {first_case.family["id"], other.family["id"]}
        assert ids(everything["episodes"]) == {first_case.episode["id"], other.episode["id"]}

        nothing = sync(client, everything["cursor"])
        assert nothing["full"] is False
        assert (nothing["families"], nothing["episodes"], nothing["removed"]) == ([], [], [])

        give_consent(first_case, day="2024-12-02")
        first_case.post("/assessment-start")
        later = sync(client, nothing["cursor"])
        assert ids(later["episodes"]) == {first_case.episode["id"]}
        assert ids(later["families"]) == {
            first_case.family["id"]
        }  # consent recorded: a new household version
        assert later["removed"] == []

    def test_consent_withdrawn_tells_the_taf_members_device_to_forget_the_family(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case: Case = new_case(client, clock, reference, staff, "King")
        sharing = give_consent(
            case,
            "information_sharing",
            day="2024-12-02",
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        member = ok(
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
        with as_user(client, staff.school_worker):
            seen = sync(client)
            assert ids(seen["families"]) == {case.family["id"]}
            assert member["id"] in ids(seen["taf_members"])
        on(clock, "2024-12-09")
        url = f"{API}/families/{case.family['id']}/consents/{sharing['id']}/withdrawal"
        ok(
            client.post(
                url,
                json={
                    "withdrawn_on": "2024-12-09",
                    "reason": "Family asked the school to step back",
                },
                headers={"If-Match": f'"{sharing["version"]}"'},
            )
        )
        with as_user(client, staff.school_worker):
            after = sync(client, seen["cursor"])
        removed = {(r["type"], r["id"]) for r in after["removed"]}
        assert ("family", case.family["id"]) in removed
        assert ("episode", case.episode["id"]) in removed
        assert after["families"] == []

    def test_a_handover_removes_the_episode_from_the_old_leads_device(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Lewis")
        before = sync(client)
        with as_user(client, staff.manager):
            case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.other_lead), "reason": "Moved team"},
            )
        after = sync(client, before["cursor"])
        assert ("episode", case.episode["id"]) in {(r["type"], r["id"]) for r in after["removed"]}
        with as_user(client, staff.other_lead):
            assert case.episode["id"] in ids(sync(client)["episodes"])

    def test_a_closed_case_leaves_the_device_and_stays_readable_online(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        closing = new_case(client, clock, reference, staff, "Morgan")
        staying = new_case(client, clock, reference, staff, "Nash")
        before = sync(client)
        assert ids(before["families"]) == {closing.family["id"], staying.family["id"]}

        closing.post("/closure", {"reason": "moved_away"})
        after = sync(client, before["cursor"])
        removed = {(r["type"], r["id"]) for r in after["removed"]}
        assert removed == {("family", closing.family["id"]), ("episode", closing.episode["id"])}
        assert (after["families"], after["episodes"]) == ([], [])
        assert ids(sync(client)["families"]) == {staying.family["id"]}
        assert ok(client.get(closing.url))["stage"] == "closed"

    def test_a_family_registered_ahead_of_its_episode_is_carried_until_another_lead_takes_it(
        self, client: TestClient, reference: ReferenceData, staff: Staff
    ) -> None:
        family = ok(
            client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201
        )
        before = sync(client)
        assert ids(before["families"]) == {family["id"]}

        request = make_episode_body(family, staff.other_lead)
        episode = ok(client.post(f"{API}/episodes", json=request), 201)
        after = sync(client, before["cursor"])
        assert {(r["type"], r["id"]) for r in after["removed"]} == {("family", family["id"])}
        with as_user(client, staff.other_lead):
            theirs = sync(client)
        assert (ids(theirs["families"]), ids(theirs["episodes"])) == (
            {family["id"]},
            {episode["id"]},
        )

    def test_an_unknown_cursor_asks_for_a_full_sync(self, client: TestClient) -> None:
        response = client.get(
            f"{API}/me/changes", params={"since": "7d0f8a0e-0000-4000-8000-000000000000"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "since"

    def test_another_users_cursor_is_not_accepted(self, client: TestClient, staff: Staff) -> None:
        cursor = sync(client)["cursor"]
        with as_user(client, staff.other_lead):
            assert client.get(f"{API}/me/changes", params={"since": cursor}).status_code == 422


class TestAPagedSync:
    def test_a_large_caseload_comes_in_pages_parents_first_and_nothing_twice(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        cases = [new_case(client, clock, reference, staff, name) for name in ("Kay", "Lee", "May")]
        pages = [ok(client.get(f"{API}/me/changes", params={"limit": 2}))]
        while pages[-1]["more"]:
            pages.append(
                ok(
                    client.get(
                        f"{API}/me/changes", params={"limit": 2, "since": pages[-1]["cursor"]}
                    )
                )
            )
        assert [p["full"] for p in pages] == [True] + [False] * (len(pages) - 1)
        assert all(len(p["families"]) + len(p["episodes"]) <= 2 for p in pages)
        families = [f["id"] for p in pages for f in p["families"]]
        episodes = [e["id"] for p in pages for e in p["episodes"]]
        assert sorted(families) == sorted(c.family["id"] for c in cases)
        assert sorted(episodes) == sorted(c.episode["id"] for c in cases)
        # Every household arrives before (or with) the first episode.
        first_episode_page = next(i for i, p in enumerate(pages) if p["episodes"])
        assert sum(len(p["families"]) for p in pages[: first_episode_page + 1]) == 3
        done = ok(client.get(f"{API}/me/changes", params={"since": pages[-1]["cursor"]}))
        assert (done["families"], done["episodes"], done["more"]) == ([], [], False)

    def test_a_record_that_changes_between_pages_is_sent_again(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        first, _second = (new_case(client, clock, reference, staff, n) for n in ("Nash", "Owen"))
        page = ok(client.get(f"{API}/me/changes", params={"limit": 1}))
        sent = {f["id"] for f in page["families"]}
        changed = first if first.family["id"] in sent else _second
        give_consent(changed, day="2024-12-02")  # a new household version
        rest = []
        cursor = page["cursor"]
        while True:
            nxt = ok(client.get(f"{API}/me/changes", params={"limit": 1, "since": cursor}))
            rest.append(nxt)
            cursor = nxt["cursor"]
            if not nxt["more"]:
                break
        again = [f["id"] for p in rest for f in p["families"]]
        assert changed.family["id"] in again


# --- the family's own records: its network, FGDM, its disclosure log, requests for support ------


def removed_of(page: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["type"], r["id"]) for r in page["removed"]}


def family_url(case: Case) -> str:
    return f"{API}/families/{case.family['id']}"


def add_grandmother(case: Case, **person: Any) -> dict[str, Any]:
    body = {
        "person": make_person_body(given_name="Margaret", date_of_birth="1958-04-02", **person),
        "child_person_ids": [case.person("child")],
        "relationship": "grandparent",
        "parental_responsibility": False,
    }
    member: dict[str, Any] = ok(
        case.client.post(f"{family_url(case)}/network-members", json=body), 201
    )
    return member


def offer_fgdm(case: Case) -> dict[str, Any]:
    offer: dict[str, Any] = ok(
        case.client.post(
            f"{family_url(case)}/fgdm-offers",
            json={
                "status": "awaiting_answer",
                "decided_on": case.clock.today().isoformat(),
                "offered_to_person_ids": [case.person("parent_carer")],
            },
        ),
        201,
    )
    return offer


def hold_fgdm_meeting(case: Case, offer: dict[str, Any]) -> dict[str, Any]:
    meeting: dict[str, Any] = ok(
        case.client.post(
            f"{family_url(case)}/fgdm-meetings",
            json={
                "offer_id": offer["id"],
                "held_on": case.clock.today().isoformat(),
                "meeting_type": "family_group_conference",
                "coordinator_name": "Jo Baines, FGC service",
                "coordinator_independent": True,
                "private_family_time": True,
                "attendee_person_ids": [case.person("parent_carer")],
                "family_plan": "Nan walks Ava to school on Tuesdays.",
            },
        ),
        201,
    )
    return meeting


def log_disclosure(case: Case) -> dict[str, Any]:
    entry: dict[str, Any] = ok(
        case.client.post(
            f"{family_url(case)}/disclosures",
            json={
                "decision": "shared",
                "decided_on": case.clock.today().isoformat(),
                "recipient_name": "Pat Police, Blackpool CID",
                "recipient_type": "police",
                "recipient_agency_code": "POLICE",
                "information": "The assessment's account of the incident",
                "purpose": "A s.47 enquiry about Ava",
                "person_ids": [case.person("child")],
                "lawful_basis": "ca2004_s16la",
            },
        ),
        201,
    )
    return entry


def refer(client: TestClient, case: Case) -> dict[str, Any]:
    """A request for support about the case's family, made by whoever `client` acts as."""
    request: dict[str, Any] = ok(
        client.post(
            f"{API}/requests",
            json={
                "referrer": {"kind": "agency", "agency_code": "SCHOOL", "name": "Sam School"},
                "family_id": case.family["id"],
                "child_person_ids": [case.person("child")],
                "asked_for": "Help with routines.",
                "reason": "Attendance 80%.",
                "family_agreed": True,
            },
        ),
        201,
    )
    return request


def school_on_the_taf(case: Case, staff: Staff) -> dict[str, Any]:
    """Consent to share with the school, and its worker on the TAF: they carry the family."""
    sharing = give_consent(
        case,
        "information_sharing",
        day=case.clock.today().isoformat(),
        sharing_scope="named_agencies",
        agency_codes=["SCHOOL"],
    )
    ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={
                "kind": "practitioner",
                "practitioner_id": str(staff.school_worker),
                "role": "Teacher",
            },
        ),
        201,
    )
    return sharing


def withdraw(case: Case, consent: dict[str, Any], day: str) -> None:
    on(case.clock, day)
    ok(
        case.client.post(
            f"{family_url(case)}/consents/{consent['id']}/withdrawal",
            json={"withdrawn_on": day, "reason": "Family asked the school to step back"},
            headers={"If-Match": f'"{consent["version"]}"'},
        )
    )


class TestTheFamilysOwnRecordsTravelWithIt:
    def test_network_fgdm_and_the_disclosure_log_arrive_then_only_what_changed(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quinn")
        nan = add_grandmother(case)
        offer = offer_fgdm(case)
        disclosure = log_disclosure(case)
        first = sync(client)
        assert ids(first["network_members"]) == {nan["id"]}
        assert first["network_members"][0]["person"]["given_name"] == "Margaret"
        assert ids(first["fgdm_offers"]) == {offer["id"]}
        assert first["fgdm_meetings"] == []
        assert first["disclosures"] == [
            ok(client.get(f"{family_url(case)}/disclosures"))["items"][0]
        ]
        assert ids(first["disclosures"]) == {disclosure["id"]}

        quiet = sync(client, first["cursor"])
        assert (quiet["network_members"], quiet["fgdm_offers"], quiet["disclosures"]) == (
            [],
            [],
            [],
        )

        on(clock, "2024-12-04")
        answered = ok(
            client.post(
                f"{family_url(case)}/fgdm-offers/{offer['id']}/answer",
                json={"accepted": True},
                headers={"If-Match": f'"{offer["version"]}"'},
            )
        )
        ok(
            client.post(
                f"{family_url(case)}/network-members/{nan['id']}/end",
                json={"ended_on": "2024-12-04"},
                headers={"If-Match": f'"{nan["version"]}"'},
            )
        )
        meeting = hold_fgdm_meeting(case, answered)
        later = sync(client, quiet["cursor"])
        assert [o["status"] for o in later["fgdm_offers"]] == ["accepted"]
        assert [m["ended_on"] for m in later["network_members"]] == ["2024-12-04"]
        assert ids(later["fgdm_meetings"]) == {meeting["id"]}
        assert (later["disclosures"], later["removed"]) == ([], [])

    def test_a_taf_member_whose_consent_is_withdrawn_is_told_to_forget_them_all(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Reid")
        sharing = school_on_the_taf(case, staff)
        nan = add_grandmother(case)
        offer = offer_fgdm(case)
        disclosure = log_disclosure(case)
        with as_user(client, staff.school_worker):
            request = refer(client, case)
            seen = sync(client)
        assert ids(seen["network_members"]) == {nan["id"]}
        assert ids(seen["fgdm_offers"]) == {offer["id"]}
        assert ids(seen["disclosures"]) == {disclosure["id"]}
        assert ids(seen["requests"]) == {request["id"]}  # they made it

        withdraw(case, sharing, "2024-12-09")
        with as_user(client, staff.school_worker):
            after = sync(client, seen["cursor"])
        assert {
            ("network_member", nan["id"]),
            ("fgdm_offer", offer["id"]),
            ("disclosure", disclosure["id"]),
            ("support_request", request["id"]),
        } <= removed_of(after)
        assert (after["network_members"], after["disclosures"], after["requests"]) == ([], [], [])
        # The lead's device keeps them all.
        assert ids(sync(client)["disclosures"]) == {disclosure["id"]}

    def test_a_closed_case_takes_its_network_and_log_off_the_device(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Shaw")
        nan = add_grandmother(case)
        disclosure = log_disclosure(case)
        before = sync(client)
        case.post("/closure", {"reason": "moved_away"})
        after = sync(client, before["cursor"])
        assert {("network_member", nan["id"]), ("disclosure", disclosure["id"])} <= removed_of(
            after
        )

    def test_a_restricted_network_member_travels_without_her_details_until_the_reader_may_see_them(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Tate")
        school_on_the_taf(case, staff)
        nan = add_grandmother(
            case,
            contact={"phone": "07700 900123"},
            contact_restricted=True,
            restriction_reason="Fled her partner; lives in a refuge",
        )
        lead_copy = sync(client)["network_members"][0]["person"]
        assert lead_copy["contact"]["phone"] == "07700 900123"
        with as_user(client, staff.school_worker):
            withheld = sync(client)
        person = withheld["network_members"][0]["person"]
        assert (person["contact"], person["contact_withheld"]) == (None, True)

        with as_user(client, staff.manager):
            case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.school_worker), "reason": "The school leads now"},
            )
        with as_user(client, staff.school_worker):
            now_lead = sync(client, withheld["cursor"])
        assert ids(now_lead["network_members"]) == {nan["id"]}
        assert now_lead["network_members"][0]["person"]["contact"]["phone"] == "07700 900123"


class TestRequestsForSupportOnTheDevice:
    def test_a_request_attached_to_my_episode_arrives_once_screened_and_again_when_it_changes(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], Any],
    ) -> None:
        officer = given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Door")
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Usher")
        with as_user(client, officer):
            made = refer(client, case)
            officers_device = sync(client)
        # The front door's queue stays at its desk: its officers carry no caseload.
        assert (officers_device["requests"], officers_device["families"]) == ([], [])
        before = sync(client)
        assert before["requests"] == []  # not yet linked to my episode: not mine to read

        with as_user(client, officer):
            decided = ok(
                client.post(
                    f"{API}/requests/{made['id']}/decision",
                    json={"outcome": "already_open", "reason": "Known to early help"},
                    headers={"If-Match": f'"{made["version"]}"'},
                )
            )
        attached = sync(client, before["cursor"])
        assert [r["id"] for r in attached["requests"]] == [made["id"]]
        assert attached["requests"][0]["decision"]["outcome"] == "already_open"

        ok(
            client.post(
                f"{API}/requests/{made['id']}/acknowledgement",
                headers={"If-Match": f'"{decided["version"]}"'},
            )
        )
        acknowledged = sync(client, attached["cursor"])
        assert [r["acknowledged_on"] for r in acknowledged["requests"]] == ["2025-01-13"]

        with as_user(client, staff.manager):
            case.post(
                "/lead-assignments", {"practitioner_id": str(staff.other_lead), "reason": "Moved"}
            )
        handed_over = sync(client, acknowledged["cursor"])
        assert ("support_request", made["id"]) in removed_of(handed_over)
        with as_user(client, staff.other_lead):
            assert ids(sync(client)["requests"]) == {made["id"]}

    def test_a_request_i_made_about_a_household_nobody_carries_stays_online(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Vance")
        mine = refer(client, case)
        ok(
            client.post(
                f"{API}/requests",
                json={
                    "referrer": {"kind": "agency", "agency_code": "SCHOOL"},
                    "household": {
                        "address_line1": "3 Elm Street",
                        "postcode": "FY1 1AA",
                        "children": [{"given_name": "Mia", "family_name": "Price"}],
                    },
                    "asked_for": "Help with routines.",
                    "reason": "Attendance 80%.",
                    "family_agreed": True,
                },
            ),
            201,
        )
        assert ids(sync(client)["requests"]) == {mine["id"]}

    def test_a_correction_to_a_request_i_carry_arrives_as_an_update(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Vaughan")
        mine = refer(client, case)
        before = sync(client)
        ok(
            client.patch(
                f"{API}/requests/{mine['id']}",
                json={"urgency": "urgent"},
                headers={"If-Match": f'"{mine["version"]}"'},
            )
        )
        after = sync(client, before["cursor"])
        assert [r["urgency"] for r in after["requests"]] == ["urgent"]
        assert after["removed"] == []

    def test_what_travels_is_in_the_familys_access_log(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], Any],
    ) -> None:
        on(clock, "2025-01-13")
        case = new_case(client, clock, reference, staff, "Ward")
        nan = add_grandmother(case)
        disclosure = log_disclosure(case)
        request = refer(client, case)
        client.get(f"{API}/me/changes", headers={"X-Request-ID": "sync-audited"})
        with new_uow() as uow:
            entries = [e for e in uow.audit.entries() if e.request_id == "sync-audited"]
        listed = {(e.action, e.resource_type, e.resource_id) for e in entries}
        assert {
            ("list_read_family", "network_member", nan["id"]),
            ("list_read_family", "disclosure", disclosure["id"]),
            ("list_read_request", "support_request", request["id"]),
        } <= listed
        assert {e.family_id for e in entries if e.resource_id == disclosure["id"]} == {
            uuid.UUID(case.family["id"])
        }


def test_a_change_to_a_child_s_disabilities_reaches_the_device(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> None:
    case = new_case(client, clock, reference, staff, "Irwin")
    before = sync(client)
    [child] = [m for m in before["families"][0]["members"] if m["role"] == "child"]
    person = client.get(f"{API}/people/{child['person_id']}")
    ok(
        client.patch(
            f"{API}/people/{child['person_id']}",
            json={"disabilities": ["VIS"]},
            headers={"If-Match": person.headers["ETag"]},
        )
    )
    after = sync(client, before["cursor"])
    assert ids(after["families"]) == {case.family["id"]}
    [synced] = [m for m in after["families"][0]["members"] if m["role"] == "child"]
    assert synced["person"]["disabilities"] == ["VIS"]


fh_client = family_help_api.fh_client
"""The API of a council on Family Help (FAMILYHUB_FAMILY_HELP=on)."""


def family_help_of(page: dict[str, Any], case: Case) -> list[dict[str, Any]]:
    return [r for r in page["family_help"] if r["episode_id"] == case.episode["id"]]


def current_roles(record: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["practitioner_id"], a["role"]) for a in record["allocations"] if not a["ended_on"]}


class TestFamilyHelpOffline:
    """An episode's Family Help record travels with it: a practitioner working offline on an s.47
    episode sees that it is s.47 and who leads the child protection work (issue 20)."""

    def test_a_step_across_to_s47_reaches_the_lead_s_device_and_the_cp_lead_s(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], Any],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = family_help_api.social_worker(new_uow, "Sue Supervisor")
        cp_lead = family_help_api.social_worker(new_uow, "Chris Protection")
        with as_user(fh_client, cp_lead):
            assert sync(fh_client)["family_help"] == [], "not theirs yet"
        before = sync(fh_client)
        [opened] = family_help_of(before, case)
        assert opened["statutory_basis"] == "none"

        family_help_api.to_s47(case, supervisor, cp_lead)

        after = sync(fh_client, before["cursor"])
        [stepped] = family_help_of(after, case)
        assert stepped["statutory_basis"] == "s47"
        assert (str(cp_lead), "lead_child_protection_practitioner") in current_roles(stepped)
        assert [t["decided_by_name"] for t in stepped["transitions"]] == ["Sue Supervisor"]
        assert stepped == ok(fh_client.get(f"{case.url}/family-help")), "the endpoint's shape"
        with as_user(fh_client, cp_lead):
            theirs = sync(fh_client)
        assert ids(theirs["episodes"]) == {case.episode["id"]}
        [carried] = family_help_of(theirs, case)
        assert carried["statutory_basis"] == "s47"
        assert [
            a["practitioner_name"]
            for a in carried["allocations"]
            if a["role"] == "lead_child_protection_practitioner"
        ] == ["Chris Protection"]

    def test_a_change_of_basis_or_an_allocation_sends_it_again_and_nothing_else(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], Any],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = family_help_api.social_worker(new_uow, "Sue Supervisor")
        first = sync(fh_client)

        family_help_api.to_s17(case, supervisor)
        stepped = sync(fh_client, first["cursor"])
        assert [r["statutory_basis"] for r in family_help_of(stepped, case)] == ["s17"]

        with as_user(fh_client, staff.manager):
            family_help_api.post(
                case,
                "/allocations",
                {"practitioner_id": str(staff.school_worker), "role": "co_worker"},
            )
        allocated = sync(fh_client, stepped["cursor"])
        [record] = family_help_of(allocated, case)
        assert (str(staff.school_worker), "co_worker") in current_roles(record)
        assert allocated["removed"] == []

        unchanged = sync(fh_client, allocated["cursor"])
        assert (unchanged["family_help"], unchanged["removed"]) == ([], [])

    def test_an_ended_allocation_removes_it_from_the_co_worker_s_device(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        with as_user(fh_client, staff.manager):
            record = family_help_api.post(
                case,
                "/allocations",
                {"practitioner_id": str(staff.school_worker), "role": "co_worker"},
            )
        [co_working] = [a for a in record["allocations"] if a["role"] == "co_worker"]
        with as_user(fh_client, staff.school_worker):
            carried = sync(fh_client)
            assert [r["episode_id"] for r in carried["family_help"]] == [case.episode["id"]]
        with as_user(fh_client, staff.manager):
            family_help_api.post(
                case,
                f"/allocations/{co_working['id']}/end",
                {"ended_on": clock.today().isoformat(), "reason": "Work completed."},
            )
        with as_user(fh_client, staff.school_worker):
            after = sync(fh_client, carried["cursor"])
            refused = fh_client.get(f"{case.url}/family-help")
        assert refused.status_code == 404
        assert ("family_help", case.episode["id"]) in removed_of(after)
        assert ("episode", case.episode["id"]) in removed_of(after)

    def test_an_earlier_episode_of_the_family_that_i_may_not_read_keeps_its_record_online(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        earlier = new_case(fh_client, clock, reference, staff, "Hughes")
        earlier.post("/closure", {"reason": "moved_away"})
        with as_user(fh_client, staff.manager):
            body = make_episode_body(earlier.family, staff.other_lead)
            mine = ok(fh_client.post(f"{API}/episodes", json=body), 201)
        with as_user(fh_client, staff.other_lead):
            carried = sync(fh_client)
            refused = fh_client.get(f"{earlier.url}/family-help")
        assert ids(carried["families"]) == {earlier.family["id"]}
        assert refused.status_code == 404
        assert [r["episode_id"] for r in carried["family_help"]] == [mine["id"]]

    def test_a_plain_early_help_episode_has_none_to_carry(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        case = new_case(client, clock, reference, staff, "Irwin")
        everything = sync(client)
        assert ids(everything["episodes"]) == {case.episode["id"]}
        assert everything["family_help"] == []

    def test_what_travels_is_in_the_familys_access_log(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], Any],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        fh_client.get(f"{API}/me/changes", headers={"X-Request-ID": "sync-family-help"})
        with new_uow() as uow:
            entries = [e for e in uow.audit.entries() if e.request_id == "sync-family-help"]
        assert {(e.action, e.family_id) for e in entries if e.resource_type == "family_help"} == {
            ("list_read_episode", uuid.UUID(case.family["id"]))
        }
        assert [e.resource_id for e in entries if e.resource_type == "family_help"] == [
            case.episode["id"]
        ]
