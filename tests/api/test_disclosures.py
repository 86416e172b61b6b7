"""The disclosure log through the API: a disclosure under the duty to share is logged without
consent, one on consent needs consent to share, a decision not to share keeps its reason; only
those who may read the family read its log, and every write and read is in its access log."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_episodes import API, Case, ok, on
from tests.builders import ReferenceData, Staff, as_user, make_episode_body, make_family_body


@pytest.fixture
def case(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> Case:
    on(clock, "2025-01-13")
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def log_url(case: Case) -> str:
    return f"{API}/families/{case.family['id']}/disclosures"


def shared(case: Case, **fields: Any) -> dict[str, Any]:
    return {
        "decision": "shared",
        "decided_on": "2025-01-13",
        "recipient_name": "Pat Police, Blackpool CID",
        "recipient_type": "police",
        "recipient_agency_code": "POLICE",
        "information": "The assessment's account of the incident on 4 January",
        "purpose": "A s.47 enquiry about Ava",
        "person_ids": [case.person("child")],
        "lawful_basis": "ca2004_s16la",
        **fields,
    }


def withheld(**fields: Any) -> dict[str, Any]:
    return {
        "decision": "not_shared",
        "decided_on": "2025-01-13",
        "recipient_name": "Housing Options",
        "recipient_type": "housing",
        "information": "The family's address",
        "purpose": "Housing asked for it to review the tenancy",
        "not_sharing_reason": "more_detrimental_to_child",
        "explanation": "The family live in a refuge.",
        **fields,
    }


class TestLoggingDisclosures:
    def test_a_disclosure_under_the_duty_to_share_is_logged_without_any_consent(
        self, case: Case, staff: Staff
    ) -> None:
        response = case.client.post(log_url(case), json=shared(case))
        entry = ok(response, 201)
        assert response.headers["Location"] == f"{log_url(case)}/{entry['id']}"
        assert (entry["lawful_basis"], entry["decided_by_practitioner_id"]) == (
            "ca2004_s16la",
            str(staff.lead),
        )
        assert ok(case.client.get(f"{log_url(case)}/{entry['id']}")) == entry

    def test_consent_as_the_basis_without_consent_to_share_is_refused_and_nothing_is_kept(
        self, case: Case
    ) -> None:
        refused = case.client.post(log_url(case), json=shared(case, lawful_basis="consent"))
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "disclosure_consent_not_in_force"
        assert ok(case.client.get(log_url(case)))["items"] == []

    def test_consent_to_share_with_the_agency_makes_consent_a_basis(self, case: Case) -> None:
        ok(
            case.client.post(
                f"{API}/families/{case.family['id']}/consents",
                json={
                    "purpose": "information_sharing",
                    "sharing_scope": "named_agencies",
                    "agency_codes": ["POLICE"],
                    "given_by_person_id": case.person("parent_carer"),
                    "method": "written",
                    "given_on": "2025-01-13",
                },
            ),
            201,
        )
        entry = ok(case.client.post(log_url(case), json=shared(case, lawful_basis="consent")), 201)
        assert entry["lawful_basis"] == "consent"

    def test_a_decision_not_to_share_keeps_its_reason_and_who_made_it(
        self, case: Case, staff: Staff
    ) -> None:
        body = withheld(decided_by_practitioner_id=str(staff.manager))
        entry = ok(case.client.post(log_url(case), json=body), 201)
        assert (
            entry["decision"],
            entry["not_sharing_reason"],
            entry["lawful_basis"],
            entry["decided_by_practitioner_id"],
            entry["recorded_by_practitioner_id"],
        ) == ("not_shared", "more_detrimental_to_child", None, str(staff.manager), str(staff.lead))

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"lawful_basis": "consent"}, "lawful_basis"),
            ({"explanation": None}, "explanation"),
            ({"decided_on": "2025-01-14"}, "decided_on"),
        ],
        ids=["basis-on-a-refusal", "no-explanation", "dated-tomorrow"],
    )
    def test_a_malformed_decision_not_to_share_is_refused_naming_the_field(
        self, case: Case, change: dict[str, Any], field: str
    ) -> None:
        refused = case.client.post(log_url(case), json=withheld(**change))
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]
        assert ok(case.client.get(log_url(case)))["items"] == []

    def test_an_episode_not_of_this_family_cannot_be_named(self, case: Case) -> None:
        refused = case.client.post(log_url(case), json=shared(case, episode_id=str(uuid.uuid4())))
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "episode_id"

    def test_the_log_is_in_decision_order_filtered_and_paged(self, case: Case) -> None:
        on(case.clock, "2025-01-20")
        for day in ("2025-01-15", "2025-01-13", "2025-01-17"):
            ok(case.client.post(log_url(case), json=shared(case, decided_on=day)), 201)
        ok(case.client.post(log_url(case), json=withheld(decided_on="2025-01-14")), 201)
        first = ok(case.client.get(log_url(case), params={"limit": 2}))
        rest = ok(
            case.client.get(log_url(case), params={"limit": 2, "cursor": first["next_cursor"]})
        )
        assert [e["decided_on"] for e in first["items"] + rest["items"]] == [
            "2025-01-13",
            "2025-01-14",
            "2025-01-15",
            "2025-01-17",
        ]
        assert rest["next_cursor"] is None
        withheld_only = ok(case.client.get(log_url(case), params={"decision": "not_shared"}))
        assert [e["decided_on"] for e in withheld_only["items"]] == ["2025-01-14"]
        window = ok(
            case.client.get(log_url(case), params={"from": "2025-01-14", "to": "2025-01-15"})
        )
        assert len(window["items"]) == 2


class TestWhoSeesTheLog:
    def test_a_stranger_gets_the_answer_of_an_unknown_family_and_changes_nothing(
        self, case: Case, staff: Staff
    ) -> None:
        entry = ok(case.client.post(log_url(case), json=shared(case)), 201)
        unknown_family = f"{API}/families/{uuid.uuid4()}/disclosures"
        with as_user(case.client, staff.police_officer):
            answers = [
                case.client.get(log_url(case)),
                case.client.get(unknown_family),
                case.client.get(f"{log_url(case)}/{entry['id']}"),
                case.client.post(log_url(case), json=shared(case)),
                case.client.post(unknown_family, json=shared(case)),
            ]
        assert {a.status_code for a in answers} == {404}
        assert len({a.json()["detail"] for a in answers}) == 1
        assert len(ok(case.client.get(log_url(case)))["items"]) == 1

    def test_another_familys_entry_answers_as_an_unknown_one(
        self, case: Case, reference: ReferenceData
    ) -> None:
        entry = ok(case.client.post(log_url(case), json=shared(case)), 201)
        other = ok(
            case.client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])),
            201,
        )
        wrong = case.client.get(f"{API}/families/{other['id']}/disclosures/{entry['id']}")
        unknown = case.client.get(f"{log_url(case)}/{uuid.uuid4()}")
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json()["detail"] == unknown.json()["detail"]

    def test_recording_and_reading_the_log_are_in_the_familys_access_log(
        self, case: Case, staff: Staff
    ) -> None:
        entry = ok(case.client.post(log_url(case), json=shared(case)), 201)
        case.client.get(log_url(case))
        with as_user(case.client, staff.manager):
            log = ok(case.client.get(f"{API}/families/{case.family['id']}/access-log"))
        kinds = [(e["action"], e["resource_type"], e["outcome"]) for e in log["items"]]
        assert ("write_family", "disclosure", "allowed") in kinds
        assert ("read_family", "disclosure", "allowed") in kinds
        written = next(e for e in log["items"] if e["action"] == "write_family")
        assert written["resource_id"] == entry["id"]
