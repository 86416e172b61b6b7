"""Consent through the API: recorded with its history, withdrawn, and asked about."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import ReferenceData, make_consent_body, make_family_body


@pytest.fixture
def family(client: TestClient, reference: ReferenceData) -> dict[str, Any]:
    body = make_family_body(reference.hubs["NORTH"])
    for member in body["members"]:
        member["joined_on"] = "2024-01-01"
    created: dict[str, Any] = client.post("/api/v1/families", json=body).json()
    return created


def person(family: dict[str, Any], role: str) -> str:
    person_id: str = next(m["person_id"] for m in family["members"] if m["role"] == role)
    return person_id


def consents_url(family: dict[str, Any]) -> str:
    return f"/api/v1/families/{family['id']}/consents"


class TestRecordConsent:
    def test_a_parent_consents_for_a_child_to_take_part(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        body = make_consent_body(
            person(family, "parent_carer"), on_behalf_of_person_ids=[person(family, "child")]
        )
        response = client.post(consents_url(family), json=body)
        assert response.status_code == 201, response.text
        assert response.json()["purpose"] == "early_help"
        status = client.get(
            f"/api/v1/families/{family['id']}/consent-status",
            params={"purpose": "early_help", "on": "2025-02-24"},
        ).json()
        assert status["in_force"] is True
        assert status["consent_id"] == response.json()["id"]
        before = client.get(
            f"/api/v1/families/{family['id']}/consent-status",
            params={"purpose": "early_help", "on": "2025-02-23"},
        ).json()
        assert before["in_force"] is False

    def test_consent_to_share_is_for_named_agencies_only(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        body = make_consent_body(
            person(family, "parent_carer"),
            purpose="information_sharing",
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        assert client.post(consents_url(family), json=body).status_code == 201
        url = f"/api/v1/families/{family['id']}/consent-status"
        params = {"purpose": "information_sharing", "on": "2025-03-01"}
        assert (
            client.get(url, params={**params, "agency_code": "SCHOOL"}).json()["in_force"] is True
        )
        assert (
            client.get(url, params={**params, "agency_code": "POLICE"}).json()["in_force"] is False
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"given_on": "2025-03-04"}, "given_on"),
            ({"purpose": "information_sharing"}, "sharing_scope"),
            ({"purpose": "information_sharing", "sharing_scope": "named_agencies"}, "agency_codes"),
            (
                {
                    "purpose": "information_sharing",
                    "sharing_scope": "named_agencies",
                    "agency_codes": ["NOPE"],
                },
                "agency_codes",
            ),
            ({"review_on": "2025-01-01"}, "review_on"),
            ({"given_by_person_id": "7d0f8a0e-0000-4000-8000-000000000000"}, "given_by_person_id"),
        ],
        ids=[
            "in-the-future",
            "sharing-without-scope",
            "named-without-agencies",
            "unknown-agency",
            "review-before-given",
            "giver-not-a-member",
        ],
    )
    def test_unusable_consent_is_refused(
        self, client: TestClient, family: dict[str, Any], overrides: dict[str, Any], field: str
    ) -> None:
        body = make_consent_body(person(family, "parent_carer"), **overrides)
        response = client.post(consents_url(family), json=body)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert client.get(consents_url(family)).json()["items"] == []

    def test_a_child_cannot_consent_on_behalf_of_another(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        body = make_consent_body(
            person(family, "child"), on_behalf_of_person_ids=[person(family, "parent_carer")]
        )
        response = client.post(consents_url(family), json=body)
        assert response.status_code == 422


class TestWithdrawConsent:
    def test_a_withdrawal_keeps_the_history_and_ends_the_consent(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        given = client.post(
            consents_url(family), json=make_consent_body(person(family, "parent_carer"))
        )
        url = f"{consents_url(family)}/{given.json()['id']}/withdrawal"
        body = {
            "withdrawn_on": "2025-03-01",
            "reason": "No longer wants support",
            "withdrawn_by_person_id": person(family, "parent_carer"),
        }
        withdrawn = client.post(url, json=body, headers={"If-Match": given.headers["ETag"]})
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["withdrawal"]["withdrawn_on"] == "2025-03-01"
        status_url = f"/api/v1/families/{family['id']}/consent-status"
        assert client.get(status_url, params={"purpose": "early_help", "on": "2025-02-28"}).json()[
            "in_force"
        ]
        assert not client.get(
            status_url, params={"purpose": "early_help", "on": "2025-03-01"}
        ).json()["in_force"]
        history = client.get(consents_url(family)).json()["items"]
        assert len(history) == 1
        assert history[0]["given_on"] == "2025-02-24"
        again = client.post(url, json=body, headers={"If-Match": withdrawn.headers["ETag"]})
        assert again.status_code == 409

    def test_a_withdrawal_before_the_consent_is_refused(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        given = client.post(
            consents_url(family), json=make_consent_body(person(family, "parent_carer"))
        )
        url = f"{consents_url(family)}/{given.json()['id']}/withdrawal"
        response = client.post(
            url,
            json={"withdrawn_on": "2025-02-01", "reason": "x"},
            headers={"If-Match": given.headers["ETag"]},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "withdrawn_on"
        assert (
            client.get(f"{consents_url(family)}/{given.json()['id']}").json()["withdrawal"] is None
        )

    def test_a_withdrawal_needs_the_current_version(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        given = client.post(
            consents_url(family), json=make_consent_body(person(family, "parent_carer"))
        )
        url = f"{consents_url(family)}/{given.json()['id']}/withdrawal"
        body = {"withdrawn_on": "2025-03-01", "reason": "x"}
        assert client.post(url, json=body).status_code == 428
        assert client.post(url, json=body, headers={"If-Match": '"41"'}).status_code == 412

    def test_consents_list_filters_by_what_is_in_force(
        self, client: TestClient, family: dict[str, Any]
    ) -> None:
        parent = person(family, "parent_carer")
        client.post(consents_url(family), json=make_consent_body(parent, given_on="2025-01-10"))
        client.post(
            consents_url(family),
            json=make_consent_body(
                parent,
                purpose="information_sharing",
                sharing_scope="all_taf_members",
                given_on="2025-02-10",
            ),
        )
        assert (
            len(
                client.get(consents_url(family), params={"in_force_on": "2025-02-01"}).json()[
                    "items"
                ]
            )
            == 1
        )
        only_sharing = client.get(
            consents_url(family), params={"purpose": "information_sharing"}
        ).json()["items"]
        assert [c["sharing_scope"] for c in only_sharing] == ["all_taf_members"]


def test_a_stale_withdrawal_is_kept_in_the_audit_trail_as_refused(
    client: TestClient, family: dict[str, Any], new_uow: Callable[[], Any]
) -> None:
    given = client.post(
        consents_url(family), json=make_consent_body(person(family, "parent_carer"))
    )
    url = f"{consents_url(family)}/{given.json()['id']}/withdrawal"
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    response = client.post(
        url,
        json={"withdrawn_on": "2025-03-01", "reason": "No longer wants support"},
        headers={"If-Match": '"41"', "X-Request-ID": request_id},
    )
    assert response.status_code == 412
    with new_uow() as uow:
        [entry] = [e for e in uow.audit.entries() if e.request_id == request_id]
    assert (entry.action, entry.resource_type, entry.resource_id) == (
        "write_family",
        "consent",
        given.json()["id"],
    )
    assert (entry.outcome, entry.problem_code) == ("refused", "stale_version")
    assert client.get(f"{consents_url(family)}/{given.json()['id']}").json()["withdrawal"] is None
