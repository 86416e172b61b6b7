"""One rule, one code: the same refusal answers with the same `code` whichever way it is reached
(registering a household, changing it, adding a member, checking for duplicates, paging ...), and
the field to blame is named for that request. docs/errors.md lists every code."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import ReferenceData, make_family_body, make_member_body, make_person_body

API = "/api/v1"
FUTURE = "2025-03-04"  # the day after the tests' today (tests/conftest.py TEST_NOW)


def refusal(response: Any) -> tuple[int, str, str, list[str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    return (response.status_code, body["type"], body["code"], [e["field"] for e in body["errors"]])


def registered(client: TestClient, reference: ReferenceData) -> tuple[str, str]:
    created = client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"]))
    assert created.status_code == 201, created.text
    return f"{API}/families/{created.json()['id']}", created.headers["ETag"]


class TestABadPostcode:
    def test_is_postcode_format_when_registering_changing_or_checking_a_household(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        bad = {"line1": "1 Mill Lane", "postcode": "NOT A PC"}
        registering = client.post(
            f"{API}/families", json=make_family_body(reference.hubs["NORTH"], address=bad)
        )
        url, etag = registered(client, reference)
        moving = client.patch(url, json={"address": bad}, headers={"If-Match": etag})
        checking = client.post(
            f"{API}/families/duplicate-check",
            json={"postcode": "NOT A PC", "members": [make_person_body()]},
        )

        invalid = (422, "/problems/invalid-value", "postcode_format")
        assert refusal(registering) == (*invalid, ["address.postcode"])
        assert refusal(moving) == (*invalid, ["address.postcode"])
        assert refusal(checking) == (*invalid, ["postcode"])


class TestABirthDateInTheFuture:
    def test_is_birth_date_in_future_when_registering_or_adding_a_member(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        registering = client.post(
            f"{API}/families",
            json=make_family_body(
                reference.hubs["NORTH"], members=[make_member_body(date_of_birth=FUTURE)]
            ),
        )
        url, etag = registered(client, reference)
        adding = client.post(
            f"{API}/families/{url.rsplit('/', 1)[1]}/members",
            json=make_member_body(given_name="Noah", date_of_birth=FUTURE),
            headers={"If-Match": etag},
        )

        invalid = (422, "/problems/invalid-value", "birth_date_in_future")
        assert refusal(registering) == (*invalid, ["members[0].person.date_of_birth"])
        assert refusal(adding) == (*invalid, ["person.date_of_birth"])


class TestAGarbledCursor:
    @pytest.mark.parametrize(
        "path",
        [f"{API}/families", f"{API}/episodes", f"{API}/timeliness/overdue"],
        ids=["families", "episodes", "overdue"],
    )
    @pytest.mark.parametrize(
        "cursor", ["not-a-cursor", "x" * 200, "%00"], ids=["word", "long", "nul"]
    )
    def test_is_cursor_invalid_on_every_list(
        self, client: TestClient, path: str, cursor: str
    ) -> None:
        response = client.get(path, params={"cursor": cursor})
        assert refusal(response) == (422, "/problems/invalid-value", "cursor_invalid", ["cursor"])

    def test_an_unknown_sync_cursor_is_sync_cursor_expired(self, client: TestClient) -> None:
        response = client.get(
            f"{API}/me/changes", params={"since": "7d0f8a0e-0000-4000-8000-000000000000"}
        )
        assert refusal(response) == (
            422,
            "/problems/invalid-value",
            "sync_cursor_expired",
            ["since"],
        )


class TestAnUnknownRecord:
    def test_is_not_found_whatever_kind_of_record_or_path(self, client: TestClient) -> None:
        nobody = "7d0f8a0e-0000-4000-8000-000000000000"
        answers = [
            client.get(f"{API}/families/{nobody}"),
            client.get(f"{API}/episodes/{nobody}"),
            client.get(f"{API}/people/{nobody}"),
            client.get(f"{API}/no-such-thing"),
        ]
        assert [refusal(a)[:3] for a in answers] == [(404, "/problems/not-found", "not_found")] * 4


class TestTheProblemPages:
    def test_list_the_codes_each_kind_of_problem_comes_with(self, client: TestClient) -> None:
        invalid = client.get("/problems/invalid-value").text
        assert "<code>postcode_format</code>" in invalid
        assert "<code>plan_already_in_progress</code>" not in invalid
        assert "<code>plan_already_in_progress</code>" in client.get("/problems/conflict").text
        not_found = client.get("/problems/not-found").text
        assert not_found.count("<li>") == 1
        assert "<code>not_found</code>" in not_found
