"""Contacts and case notes through the API, on both databases: recorded by the lead and TAF
members, dated like every step, listed in order with filters, corrected only by appending an
amendment, and a sensitive note's text withheld from everyone but managers, the lead and the
practitioners it names."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.access import Role
from tests.api.test_caseload import new_case
from tests.api.test_episodes import API, Case, give_consent, ok, on
from tests.builders import ReferenceData, Staff, as_user, given_practitioner


def contacts_url(case: Case) -> str:
    return f"{case.url}/contacts"


def record(case: Case, status: int = 201, **overrides: Any) -> Any:
    """A home visit that saw mother and child (the child alone too), unless overridden; nobody
    is seen alone on a contact that names who was seen differently."""
    seen = overrides.get("seen_person_ids")
    body: dict[str, Any] = {
        "kind": "home_visit",
        "note": "Home calm; mornings easier since the chart.",
        "seen_person_ids": [case.person("parent_carer"), case.person("child")],
        "children_seen_alone": [case.person("child")] if seen is None else [],
        "child_voice": "I like it when mum walks me to school.",
        **overrides,
    }
    return ok(case.client.post(contacts_url(case), json=body), status)


def with_school_on_taf(case: Case, staff: Staff) -> None:
    """Consent to share with the school, and the school's worker joins the TAF."""
    give_consent(
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
                "role": "Attendance officer",
            },
        ),
        201,
    )


class TestRecordingAContact:
    def test_the_lead_records_a_visit_and_reads_it_back(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Ayres")
        response = client.post(
            contacts_url(case),
            json={
                "kind": "home_visit",
                "happened_on": "2024-12-02",
                "happened_at": "16:30",
                "note": "Home calm.",
                "seen_person_ids": [case.person("parent_carer"), case.person("child")],
                "children_seen_alone": [case.person("child")],
                "child_voice": "I like school now.",
                "what_was_done": "Went through the routine chart.",
                "significant": True,
            },
        )
        contact = ok(response, 201)
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Location"].endswith(f"/contacts/{contact['id']}")
        assert contact["children"] == [
            {"person_id": case.person("child"), "seen": True, "seen_alone": True}
        ]
        assert (contact["recorded_by"], contact["recorded_by_name"]) == (
            str(staff.lead),
            "Lena Lead",
        )
        assert contact["recorded_at"].startswith("2024-12-02T10:00")
        assert (contact["happened_at"], contact["significant"], contact["withheld"]) == (
            "16:30:00",
            True,
            False,
        )
        read = client.get(f"{contacts_url(case)}/{contact['id']}")
        assert ok(read) == contact
        assert read.headers["ETag"] == '"1"'
        again = client.get(
            f"{contacts_url(case)}/{contact['id']}", headers={"If-None-Match": '"1"'}
        )
        assert again.status_code == 304

    def test_the_day_defaults_to_today_and_may_be_neither_future_nor_before_the_request(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Baird")
        on(clock, "2024-12-05")
        assert record(case)["happened_on"] == "2024-12-05"
        future = client.post(
            contacts_url(case), json={"kind": "phone", "note": "x", "happened_on": "2024-12-06"}
        )
        assert future.status_code == 422
        assert future.json()["code"] == "step_date_in_future"
        assert future.json()["errors"][0]["field"] == "happened_on"
        early = client.post(
            contacts_url(case), json={"kind": "phone", "note": "x", "happened_on": "2024-11-29"}
        )
        assert early.status_code == 422
        assert early.json()["code"] == "step_date_before_request"

    def test_who_was_seen_must_belong_to_the_household(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Cole")
        other = new_case(client, clock, reference, staff, "Dunn")
        stranger = client.post(
            contacts_url(case),
            json={"kind": "office", "note": "x", "seen_person_ids": [other.person("child")]},
        )
        assert stranger.status_code == 422
        assert stranger.json()["errors"][0]["field"] == "seen_person_ids[0]"
        alone_unseen = client.post(
            contacts_url(case),
            json={"kind": "office", "note": "x", "children_seen_alone": [case.person("child")]},
        )
        assert alone_unseen.json()["code"] == "contact_seen_alone_not_seen"
        attempted = client.post(
            contacts_url(case),
            json={
                "kind": "attempted_visit",
                "note": "No answer.",
                "seen_person_ids": [case.person("parent_carer")],
            },
        )
        assert attempted.json()["code"] == "attempted_visit_saw_nobody"

    def test_an_idempotency_key_records_one_contact_for_two_retries(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Ely")
        body = {"kind": "phone", "note": "Called Sarah."}
        headers = {"Idempotency-Key": "contact-ely-1"}
        first = client.post(contacts_url(case), json=body, headers=headers)
        second = client.post(contacts_url(case), json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.headers["Idempotent-Replayed"] == "true"
        assert first.json()["id"] == second.json()["id"]
        assert len(ok(client.get(contacts_url(case)))["items"]) == 1

    def test_strangers_get_the_answer_of_an_unknown_episode(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Ford")
        contact = record(case)
        with as_user(client, staff.police_officer):
            posted = client.post(contacts_url(case), json={"kind": "phone", "note": "x"})
            listed = client.get(contacts_url(case))
            read = client.get(f"{contacts_url(case)}/{contact['id']}")
        unknown = client.get(f"{API}/episodes/{uuid.uuid4()}/contacts")
        assert {posted.status_code, listed.status_code, read.status_code} == {404}
        for refused in (posted, listed, read):
            assert (refused.json()["code"], refused.json()["detail"]) == (
                unknown.json()["code"],
                unknown.json()["detail"],
            )


class TestTheTeamRecordsContacts:
    def test_a_taf_member_records_but_a_manager_and_a_link_worker_only_read(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Gale")
        with_school_on_taf(case, staff)
        with as_user(client, staff.school_worker):
            school = record(case, kind="school", note="Ava settled in class.")
        assert school["recorded_by"] == str(staff.school_worker)
        for reader in (staff.manager, staff.link_worker):
            with as_user(client, reader):
                refused = client.post(contacts_url(case), json={"kind": "phone", "note": "x"})
                listed = ok(client.get(contacts_url(case)))["items"]
            assert refused.status_code == 403
            assert [c["id"] for c in listed] == [school["id"]]


class TestListing:
    def test_by_day_then_id_paged_and_filtered_by_kind_and_dates(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Hale")
        on(clock, "2024-12-10")
        late = record(case, happened_on="2024-12-09", kind="phone", seen_person_ids=[])
        early = record(case, happened_on="2024-12-03")
        middle = [record(case, happened_on="2024-12-05", kind="video") for _ in range(2)]
        middle.sort(key=lambda c: c["id"])
        first = client.get(contacts_url(case), params={"limit": 2})
        assert [c["id"] for c in ok(first)["items"]] == [early["id"], middle[0]["id"]]
        assert 'rel="next"' in first.headers["Link"]
        rest = ok(
            client.get(
                contacts_url(case), params={"limit": 2, "cursor": first.json()["next_cursor"]}
            )
        )
        assert [c["id"] for c in rest["items"]] == [middle[1]["id"], late["id"]]
        assert rest["next_cursor"] is None
        by_kind = ok(client.get(contacts_url(case), params={"kind": ["phone", "video"]}))
        assert [c["id"] for c in by_kind["items"]] == [*(m["id"] for m in middle), late["id"]]
        in_range = ok(
            client.get(contacts_url(case), params={"from": "2024-12-04", "to": "2024-12-08"})
        )
        assert [c["id"] for c in in_range["items"]] == [m["id"] for m in middle]
        reversed_range = client.get(
            contacts_url(case), params={"from": "2024-12-08", "to": "2024-12-04"}
        )
        assert reversed_range.status_code == 422
        assert reversed_range.json()["errors"][0]["field"] == "to"
        bad_kind = client.get(contacts_url(case), params={"kind": "carrier_pigeon"})
        assert bad_kind.status_code == 422


class TestAmendments:
    def test_a_correction_is_appended_and_the_original_stays_on_the_record(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Innes")
        contact = record(case, note="Ava seemed tired.")
        url = f"{contacts_url(case)}/{contact['id']}/amendments"
        without = client.post(url, json={"field": "note", "text": "x", "reason": "typo"})
        assert without.status_code == 428
        on(clock, "2024-12-03")
        amended = client.post(
            url,
            headers={"If-Match": '"1"'},
            json={
                "field": "note",
                "text": "Ava seemed tired; she slept badly.",
                "reason": "Added why",
            },
        )
        body = ok(amended)
        assert amended.headers["ETag"] == '"2"'
        assert body["note"] == "Ava seemed tired; she slept badly."
        assert body["amendments"] == [
            {
                "id": body["amendments"][0]["id"],
                "number": 1,
                "field": "note",
                "text": "Ava seemed tired; she slept badly.",
                "previous_text": "Ava seemed tired.",
                "reason": "Added why",
                "amended_by": str(staff.lead),
                "amended_by_name": "Lena Lead",
                "amended_at": body["amendments"][0]["amended_at"],
            }
        ]
        assert body["amendments"][0]["amended_at"].startswith("2024-12-03")
        assert ok(client.get(f"{contacts_url(case)}/{contact['id']}")) == body
        stale = client.post(
            url,
            headers={"If-Match": '"1"'},
            json={"field": "child_voice", "text": "Tired", "reason": "Her words"},
        )
        assert stale.status_code == 412
        same = client.post(
            url,
            headers={"If-Match": '"2"'},
            json={"field": "note", "text": "Ava seemed tired; she slept badly.", "reason": "Again"},
        )
        assert same.json()["code"] == "amendment_changes_nothing"

    def test_only_the_recorder_or_the_lead_corrects_a_note(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Jory")
        with_school_on_taf(case, staff)
        lead_note = record(case)
        with as_user(client, staff.school_worker):
            school_note = record(case, kind="school", note="Settled.", seen_person_ids=[])
            refused = client.post(
                f"{contacts_url(case)}/{lead_note['id']}/amendments",
                headers={"If-Match": '"1"'},
                json={"field": "note", "text": "Changed", "reason": "I disagree"},
            )
        assert refused.status_code == 403
        assert refused.json()["code"] == "contact_amendment_not_yours"
        by_lead = client.post(
            f"{contacts_url(case)}/{school_note['id']}/amendments",
            headers={"If-Match": '"1"'},
            json={"field": "note", "text": "Settled well.", "reason": "Checked with the school"},
        )
        assert ok(by_lead)["amendments"][0]["amended_by"] == str(staff.lead)


class TestSensitiveNotes:
    def test_only_managers_the_lead_and_named_practitioners_read_the_text(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Kerr")
        with_school_on_taf(case, staff)
        secret = record(
            case,
            note="Sarah disclosed something in confidence.",
            sensitive=True,
            child_voice="Ava's own words",
            what_was_done="Referred on",
        )
        assert secret["named_practitioner_ids"] == [str(staff.lead)]
        with as_user(client, staff.school_worker):
            seen = ok(client.get(f"{contacts_url(case)}/{secret['id']}"))
            listed = ok(client.get(contacts_url(case)))["items"]
        assert seen["withheld"] is True
        assert (seen["note"], seen["child_voice"], seen["what_was_done"]) == (None, None, None)
        assert seen["amendments"] == []
        assert seen["named_practitioner_ids"] == []
        assert (seen["happened_on"], seen["kind"]) == (secret["happened_on"], "home_visit")
        assert listed == [seen]
        with as_user(client, staff.manager):
            assert ok(client.get(f"{contacts_url(case)}/{secret['id']}"))["note"] == secret["note"]

    def test_a_named_taf_member_reads_it_and_names_come_from_the_directory(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Lamb")
        with_school_on_taf(case, staff)
        named = record(
            case,
            note="For the school's eyes too.",
            sensitive=True,
            named_practitioner_ids=[str(staff.school_worker)],
        )
        with as_user(client, staff.school_worker):
            assert ok(client.get(f"{contacts_url(case)}/{named['id']}"))["note"] == named["note"]
        unknown = client.post(
            contacts_url(case),
            json={
                "kind": "phone",
                "note": "x",
                "sensitive": True,
                "named_practitioner_ids": ["7d0f8a0e-0000-4000-8000-000000000000"],
            },
        )
        assert unknown.json()["errors"][0]["field"] == "named_practitioner_ids[0]"
        not_sensitive = client.post(
            contacts_url(case),
            json={
                "kind": "phone",
                "note": "x",
                "named_practitioner_ids": [str(staff.school_worker)],
            },
        )
        assert not_sensitive.json()["code"] == "contact_named_readers_without_sensitive"


def contact_work(client: TestClient) -> list[dict[str, Any]]:
    items = ok(client.get(f"{API}/me/worklist"))["items"]
    return [i for i in items if i["kind"] == "contact_family"]


class TestNoContactFlag:
    def test_the_worklist_flags_an_episode_without_contact_and_the_caseload_shows_the_last(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Moor")
        assert contact_work(client) == []
        # Twenty working days after Monday 2 December, less 25 and 26 December and 1 January.
        on(clock, "2025-01-02")
        flagged = contact_work(client)
        assert [(i["episode_id"], i["due_on"], i["status"]) for i in flagged] == [
            (case.episode["id"], "2025-01-02", "due_soon")
        ]
        on(clock, "2025-01-06")
        assert contact_work(client)[0]["status"] == "overdue"
        record(case, kind="attempted_visit", note="No answer.", seen_person_ids=[])
        assert len(contact_work(client)) == 1, "an attempted visit is not contact"
        record(case, happened_on="2025-01-06")
        assert contact_work(client) == []
        row = next(r for r in ok(client.get(f"{API}/me/caseload"))["items"])
        assert row["last_contact_on"] == "2025-01-06"

    def test_the_number_of_working_days_is_a_policy_setting(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Any,
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Nunn")
        record(case)
        admin = given_practitioner(new_uow, roles={Role.ADMIN}, name="Ada Admin")
        with as_user(client, admin):
            policy = ok(client.get(f"{API}/admin/timeliness-policy"))["versions"][-1]
            assert policy["no_contact_working_days"] == 20
            body = {k: v for k, v in policy.items() if k not in {"version", "in_force"}}
            ok(
                client.post(
                    f"{API}/admin/timeliness-policy",
                    json={
                        **body,
                        "effective_from": "2024-12-02",
                        "no_contact_working_days": 3,
                        "reason": "Weekly contact for every family",
                    },
                ),
                201,
            )
        on(clock, "2024-12-05")
        assert [i["due_on"] for i in contact_work(client)] == ["2024-12-05"]


def test_a_correction_made_in_the_same_instant_as_the_contact_still_moves_its_version(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> None:
    """An import replays a contact and its corrections at one instant: each must still be a new
    version, or a client holding the first would overwrite the correction unknowingly."""
    on(clock, "2024-12-02")
    case = new_case(client, clock, reference, staff, "Quinn")
    contact = record(case, note="Ava seemed tired.")
    amended = client.post(
        f"{contacts_url(case)}/{contact['id']}/amendments",
        headers={"If-Match": '"1"'},
        json={"field": "note", "text": "Ava seemed tired; she slept badly.", "reason": "Why"},
    )
    assert ok(amended)["version"] == 2
    assert amended.headers["ETag"] == '"2"'
    assert ok(client.get(f"{contacts_url(case)}/{contact['id']}"))["version"] == 2
