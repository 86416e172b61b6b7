"""The kinds of consent, TAF member and household member are discriminated unions in the contract:
a body of one kind carrying another kind's field is refused with a 422 naming that field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_caseload import new_case
from tests.api.test_episodes import API, Case, ok, on
from tests.builders import ReferenceData, Staff, make_family_body, make_person_body


def refused_fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    return [e["field"] for e in response.json()["errors"]]


@pytest.fixture
def case(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> Case:
    on(clock, "2025-01-13")
    return new_case(client, clock, reference, staff, "Walker")


def consent_body(case: Case, **fields: Any) -> dict[str, Any]:
    return {
        "given_by_person_id": case.person("parent_carer"),
        "method": "written",
        "given_on": "2025-01-13",
        **fields,
    }


class TestConsent:
    def test_consent_to_take_part_with_a_sharing_scope_is_refused_naming_the_scope(
        self, case: Case
    ) -> None:
        body = consent_body(case, purpose="early_help", sharing_scope="named_agencies")
        response = case.client.post(f"{API}/families/{case.family['id']}/consents", json=body)
        assert refused_fields(response) == ["sharing_scope"]

    def test_consent_to_share_without_its_scope_is_refused_naming_the_scope(
        self, case: Case
    ) -> None:
        body = consent_body(case, purpose="information_sharing", agency_codes=["SCHOOL"])
        response = case.client.post(f"{API}/families/{case.family['id']}/consents", json=body)
        assert refused_fields(response) == ["sharing_scope"]

    def test_an_unknown_purpose_is_refused_naming_the_purpose(self, case: Case) -> None:
        body = consent_body(case, purpose="marketing")
        response = case.client.post(f"{API}/families/{case.family['id']}/consents", json=body)
        assert refused_fields(response) == ["purpose"]

    def test_each_kind_reads_back_as_its_own_shape(self, case: Case) -> None:
        url = f"{API}/families/{case.family['id']}/consents"
        taking_part = ok(case.client.post(url, json=consent_body(case, purpose="early_help")), 201)
        sharing = ok(
            case.client.post(
                url,
                json=consent_body(
                    case, purpose="information_sharing", sharing_scope="all_taf_members"
                ),
            ),
            201,
        )
        # Both still carry every field they always did, for the clients written before the union.
        assert (taking_part["sharing_scope"], taking_part["agency_codes"]) == (None, [])
        assert (sharing["sharing_scope"], sharing["agency_codes"]) == ("all_taf_members", [])


class TestTafMember:
    def test_a_practitioner_member_naming_a_person_is_refused_naming_person_id(
        self, case: Case, staff: Staff
    ) -> None:
        body = {
            "kind": "practitioner",
            "practitioner_id": str(staff.school_worker),
            "person_id": case.person("parent_carer"),
            "role": "Attendance officer",
        }
        response = case.client.post(f"{case.url}/taf-members", json=body)
        assert refused_fields(response) == ["person_id"]

    def test_a_family_member_naming_a_practitioner_is_refused_naming_practitioner_id(
        self, case: Case, staff: Staff
    ) -> None:
        body = {
            "kind": "family_member",
            "person_id": case.person("parent_carer"),
            "practitioner_id": str(staff.school_worker),
            "role": "Mum",
        }
        response = case.client.post(f"{case.url}/taf-members", json=body)
        assert refused_fields(response) == ["practitioner_id"]

    def test_a_family_member_without_the_person_is_refused_naming_person_id(
        self, case: Case
    ) -> None:
        response = case.client.post(
            f"{case.url}/taf-members", json={"kind": "family_member", "role": "Mum"}
        )
        assert refused_fields(response) == ["person_id"]


class TestHouseholdMember:
    def test_a_new_person_naming_an_existing_one_too_is_refused_naming_person_id(
        self, client: TestClient, reference: ReferenceData, case: Case
    ) -> None:
        body = make_family_body(reference.hubs["NORTH"])
        body["members"][0] |= {"kind": "new_person", "person_id": case.person("child")}
        response = client.post(f"{API}/families", json=body)
        assert refused_fields(response) == ["members[0].person_id"]

    def test_an_existing_person_with_new_details_is_refused_naming_person(
        self, client: TestClient, case: Case
    ) -> None:
        body = {
            "kind": "existing_person",
            "role": "child",
            "person_id": case.person("child"),
            "person": make_person_body(),
        }
        response = client.post(f"{API}/families/{case.family['id']}/members", json=body)
        assert refused_fields(response) == ["person"]

    def test_an_unknown_kind_is_refused_naming_kind(self, client: TestClient, case: Case) -> None:
        body = {"kind": "lodger", "role": "other_adult", "person": make_person_body()}
        response = client.post(f"{API}/families/{case.family['id']}/members", json=body)
        assert refused_fields(response) == ["kind"]

    def test_a_member_without_kind_is_still_told_apart_by_its_fields_for_older_clients(
        self, client: TestClient, reference: ReferenceData, case: Case
    ) -> None:
        new = client.post(
            f"{API}/families/{case.family['id']}/members",
            json={"role": "other_adult", "person": make_person_body(given_name="Nan")},
        )
        assert ok(new, 201)["person"]["given_name"] == "Nan"
        second_home = make_family_body(reference.hubs["NORTH"], members=[])
        second_home["members"] = [{"role": "child", "person_id": case.person("child")}]
        family = ok(client.post(f"{API}/families", json=second_home), 201)
        assert [m["person_id"] for m in family["members"]] == [case.person("child")]
