"""Households through the API: register, read, change, search, join and leave."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import ReferenceData, make_family_body, make_member_body, make_person_body


def create(client: TestClient, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/families", json=body, headers=headers)


def field_names(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


class TestRegisterFamily:
    def test_a_household_is_registered_with_its_members(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        response = create(client, make_family_body(reference.hubs["CENTRAL"]))
        assert response.status_code == 201, response.text
        family = response.json()
        assert response.headers["Location"] == f"/api/v1/families/{family['id']}"
        assert response.headers["ETag"] == f'"{family["version"]}"'
        assert family["reference"].startswith("FH-")
        assert family["address"]["postcode"] == "FY1 3HT"
        assert sorted(m["role"] for m in family["members"]) == ["child", "parent_carer"]
        assert client.get(f"/api/v1/families/{family['id']}").json()["members"] == family["members"]

    def test_the_postcode_is_stored_in_canonical_form(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        body = make_family_body(
            reference.hubs["NORTH"], address={"line1": "1 Mill Lane", "postcode": "fy29ab"}
        )
        assert create(client, body).json()["address"]["postcode"] == "FY2 9AB"

    @pytest.mark.parametrize(
        ("member", "field"),
        [
            (
                make_member_body("child", date_of_birth="2025-03-04"),
                "members[0].person.date_of_birth",
            ),
            (
                make_member_body("child", date_of_birth=None, expected_delivery_date="2026-01-04"),
                "members[0].person.expected_delivery_date",
            ),
            (make_member_body("child", date_of_birth="1990-01-01"), "members[0].role"),
            (make_member_body("child", given_name="   "), "members[0].person.given_name"),
            (
                make_member_body(
                    "parent_carer", date_of_birth=None, expected_delivery_date="2025-06-01"
                ),
                "members[0].role",
            ),
        ],
        ids=[
            "born-in-the-future",
            "due-more-than-ten-months-ahead",
            "adult-as-child",
            "empty-name",
            "unborn-as-carer",
        ],
    )
    def test_invalid_members_are_refused_naming_the_field(
        self, client: TestClient, reference: ReferenceData, member: dict[str, Any], field: str
    ) -> None:
        response = create(client, make_family_body(reference.hubs["NORTH"], members=[member]))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in field_names(response)
        assert client.get("/api/v1/families").json()["items"] == []

    def test_a_young_person_with_send_is_a_child_until_25(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body("child", date_of_birth="2003-01-01", send=True)
        assert (
            create(client, make_family_body(reference.hubs["NORTH"], members=[member])).status_code
            == 201
        )

    def test_a_malformed_postcode_is_refused(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        body = make_family_body(
            reference.hubs["NORTH"], address={"line1": "1 Mill Lane", "postcode": "NOT A PC"}
        )
        response = create(client, body)
        assert response.status_code == 422
        assert field_names(response) == ["address.postcode"]

    def test_an_unknown_hub_is_refused(self, client: TestClient) -> None:
        response = create(
            client, make_family_body(uuid.UUID("00000000-0000-0000-0000-000000000000"))
        )
        assert response.status_code == 422
        assert field_names(response) == ["hub_id"]

    def test_unknown_fields_are_refused_rather_than_dropped(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        response = create(client, {**make_family_body(reference.hubs["NORTH"]), "notes": "x"})
        assert response.status_code == 422
        assert "notes" in field_names(response)

    def test_a_likely_duplicate_is_warned_about(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        first = create(client, make_family_body(reference.hubs["NORTH"])).json()
        second = create(client, make_family_body(reference.hubs["SOUTH"]))
        assert second.status_code == 201
        warnings = second.json()["warnings"]
        assert [w["family_id"] for w in warnings] == [first["id"]]
        assert "same date of birth" in warnings[0]["reason"]

    def test_possible_duplicates_can_be_checked_before_registering(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        first = create(client, make_family_body(reference.hubs["NORTH"])).json()
        by_child = client.post(
            "/api/v1/families/duplicate-check",
            json={"members": [make_person_body(given_name="AVA ", family_name="hughes")]},
        )
        assert [c["family_id"] for c in by_child.json()] == [first["id"]]
        by_postcode = client.post(
            "/api/v1/families/duplicate-check",
            json={
                "postcode": "fy13ht",
                "members": [make_person_body(given_name="Zed", date_of_birth=None)],
            },
        )
        assert [c["family_id"] for c in by_postcode.json()] == [first["id"]]
        elsewhere = client.post(
            "/api/v1/families/duplicate-check",
            json={"postcode": "FY4 2NP", "members": [make_person_body(given_name="Zed")]},
        )
        assert elsewhere.json() == []


class TestIdempotentCreate:
    def test_a_retry_with_the_same_key_returns_the_first_response_and_creates_nothing(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        body = make_family_body(reference.hubs["NORTH"])
        first = create(client, body, **{"Idempotency-Key": "abc-1"})
        retry = create(client, body, **{"Idempotency-Key": "abc-1"})
        assert retry.status_code == first.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["Location"] == first.headers["Location"]
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert len(client.get("/api/v1/families").json()["items"]) == 1

    def test_the_same_key_with_a_different_body_is_refused(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        create(client, make_family_body(reference.hubs["NORTH"]), **{"Idempotency-Key": "abc-2"})
        other = create(
            client, make_family_body(reference.hubs["SOUTH"]), **{"Idempotency-Key": "abc-2"}
        )
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"
        assert len(client.get("/api/v1/families").json()["items"]) == 1

    def test_a_failed_create_is_not_remembered(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        bad = make_family_body(reference.hubs["NORTH"], address={"line1": "x", "postcode": "bad"})
        assert create(client, bad, **{"Idempotency-Key": "abc-3"}).status_code == 422
        good = make_family_body(reference.hubs["NORTH"])
        assert create(client, good, **{"Idempotency-Key": "abc-3"}).status_code == 201


class TestChangeFamily:
    def test_an_update_needs_if_match(self, client: TestClient, reference: ReferenceData) -> None:
        family = create(client, make_family_body(reference.hubs["NORTH"])).json()
        response = client.patch(
            f"/api/v1/families/{family['id']}", json={"hub_id": str(reference.hubs["SOUTH"])}
        )
        assert response.status_code == 428
        assert response.json()["code"] == "precondition_required"

    def test_a_stale_update_is_refused_and_changes_nothing(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        created = create(client, make_family_body(reference.hubs["NORTH"]))
        url = f"/api/v1/families/{created.json()['id']}"
        etag = created.headers["ETag"]
        moved = client.patch(
            url, json={"hub_id": str(reference.hubs["SOUTH"])}, headers={"If-Match": etag}
        )
        assert moved.status_code == 200
        assert moved.headers["ETag"] != etag
        stale = client.patch(
            url, json={"hub_id": str(reference.hubs["CENTRAL"])}, headers={"If-Match": etag}
        )
        assert stale.status_code == 412
        assert stale.json()["current"]["hub_id"] == str(reference.hubs["SOUTH"])
        assert stale.json()["current"]["version"] == moved.json()["version"]
        assert client.get(url).json()["hub_id"] == str(reference.hubs["SOUTH"])

    def test_an_unchanged_family_answers_304(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        created = create(client, make_family_body(reference.hubs["NORTH"]))
        url = f"/api/v1/families/{created.json()['id']}"
        assert (
            client.get(url, headers={"If-None-Match": created.headers["ETag"]}).status_code == 304
        )
        assert client.get(url, headers={"If-None-Match": '"999"'}).status_code == 200

    def test_an_unknown_family_is_404_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/families/7d0f8a0e-0000-4000-8000-000000000000")
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"


class TestMembership:
    def test_a_child_of_separated_parents_belongs_to_both_households(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        mum = create(client, make_family_body(reference.hubs["NORTH"])).json()
        child_id = next(m["person_id"] for m in mum["members"] if m["role"] == "child")
        dad = create(
            client,
            make_family_body(
                reference.hubs["SOUTH"],
                members=[
                    make_member_body("parent_carer", given_name="Mark", date_of_birth="1988-01-01")
                ],
            ),
        ).json()
        joined = client.post(
            f"/api/v1/families/{dad['id']}/members", json={"role": "child", "person_id": child_id}
        )
        assert joined.status_code == 201, joined.text
        assert joined.json()["person"]["id"] == child_id
        found = client.get("/api/v1/families", params={"name": "Ava"}).json()["items"]
        assert {f["id"] for f in found} == {mum["id"], dad["id"]}

    def test_a_member_who_leaves_stays_in_the_history(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        created = create(client, make_family_body(reference.hubs["NORTH"]))
        family = created.json()
        parent = next(m for m in family["members"] if m["role"] == "parent_carer")
        url = f"/api/v1/families/{family['id']}/members/{parent['id']}/leave"
        left = client.post(
            url, json={"left_on": "2025-03-03"}, headers={"If-Match": created.headers["ETag"]}
        )
        assert left.status_code == 200, left.text
        member = next(m for m in left.json()["members"] if m["id"] == parent["id"])
        assert member["left_on"] == "2025-03-03"
        again = client.post(
            url, json={"left_on": "2025-03-03"}, headers={"If-Match": left.headers["ETag"]}
        )
        assert again.status_code == 409

    def test_restricted_contact_details_are_never_in_responses(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        hidden = make_member_body(
            "parent_carer",
            given_name="Natalie",
            date_of_birth="1993-01-01",
            contact={
                "phone": "07700 900123",
                "address": {"line1": "Refuge flat 2", "postcode": "FY1 1AA"},
            },
            contact_restricted=True,
            restriction_reason="Fleeing domestic abuse",
        )
        response = create(client, make_family_body(reference.hubs["SOUTH"], members=[hidden]))
        assert response.status_code == 201
        assert "Refuge" not in response.text
        assert "900123" not in response.text
        person = response.json()["members"][0]["person"]
        assert person["contact"] is None
        assert person["contact_withheld"] is True
        for url in (
            f"/api/v1/families/{response.json()['id']}",
            f"/api/v1/people/{person['id']}",
            "/api/v1/families?name=Natalie",
        ):
            assert "Refuge" not in client.get(url).text

    def test_a_restriction_needs_a_reason(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body(
            "parent_carer", date_of_birth="1990-01-01", contact_restricted=True
        )
        response = create(client, make_family_body(reference.hubs["SOUTH"], members=[member]))
        assert response.status_code == 422
        assert field_names(response) == ["members[0].person.restriction_reason"]

    def test_a_person_update_gives_the_household_a_new_version(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        created = create(client, make_family_body(reference.hubs["NORTH"]))
        family = created.json()
        person_id = family["members"][1]["person_id"]
        person = client.get(f"/api/v1/people/{person_id}")
        updated = client.patch(
            f"/api/v1/people/{person_id}",
            json={"send": True},
            headers={"If-Match": person.headers["ETag"]},
        )
        assert updated.status_code == 200
        assert updated.json()["send"] is True
        assert client.get(f"/api/v1/families/{family['id']}").json()["version"] > family["version"]

    def test_a_child_s_disabilities_are_recorded_changed_and_read_as_census_codes(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        child = make_member_body("child", date_of_birth="2016-05-01", disabilities=["ld", "AUT"])
        family = create(client, make_family_body(reference.hubs["NORTH"], members=[child])).json()
        person_id = family["members"][0]["person_id"]
        person = client.get(f"/api/v1/people/{person_id}")
        assert person.json()["disabilities"] == ["LD", "AUT"]
        updated = client.patch(
            f"/api/v1/people/{person_id}",
            json={"disabilities": ["HEAR"]},
            headers={"If-Match": person.headers["ETag"]},
        )
        assert updated.status_code == 200, updated.text
        assert client.get(f"/api/v1/people/{person_id}").json()["disabilities"] == ["HEAR"]

    @pytest.mark.parametrize(
        ("disabilities", "code"),
        [
            (["LD", "DYSLEXIA"], "disability_code_unknown"),
            (["NONE", "MOB"], "disability_none_with_others"),
            (["MOB", "mob"], "disability_repeated"),
        ],
    )
    def test_disabilities_outside_the_census_rules_are_refused_naming_the_field(
        self, client: TestClient, reference: ReferenceData, disabilities: list[str], code: str
    ) -> None:
        child = make_member_body("child", date_of_birth="2016-05-01", disabilities=disabilities)
        response = create(client, make_family_body(reference.hubs["NORTH"], members=[child]))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code
        assert field_names(response) == ["members[0].person.disabilities"]
        assert client.get("/api/v1/families").json()["items"] == []

    def test_a_disability_change_outside_the_census_rules_changes_nothing(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        family = create(client, make_family_body(reference.hubs["NORTH"])).json()
        person_id = family["members"][1]["person_id"]
        person = client.get(f"/api/v1/people/{person_id}")
        refused = client.patch(
            f"/api/v1/people/{person_id}",
            json={"disabilities": ["NONE", "VIS"]},
            headers={"If-Match": person.headers["ETag"]},
        )
        assert refused.status_code == 422
        assert field_names(refused) == ["disabilities"]
        assert client.get(f"/api/v1/people/{person_id}").json() == person.json()

    def test_a_relationship_links_two_current_members(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        family = create(client, make_family_body(reference.hubs["NORTH"])).json()
        parent, child = (m["person_id"] for m in family["members"])
        url = f"/api/v1/families/{family['id']}/relationships"
        made = client.post(
            url,
            json={
                "person_id": parent,
                "related_person_id": child,
                "kind": "parent",
                "parental_responsibility": True,
            },
        )
        assert made.status_code == 201
        assert (
            client.get(f"/api/v1/families/{family['id']}").json()["relationships"][0]["kind"]
            == "parent"
        )
        self_link = client.post(
            url, json={"person_id": parent, "related_person_id": parent, "kind": "other"}
        )
        assert self_link.status_code == 422


class TestSearch:
    def test_lists_are_paged_in_a_stable_order(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        for n in range(5):
            create(client, make_family_body(reference.hubs["NORTH"], reference=f"T-{n:03d}"))
        first = client.get("/api/v1/families", params={"limit": 2})
        assert [f["reference"] for f in first.json()["items"]] == ["T-000", "T-001"]
        assert 'rel="next"' in first.headers["Link"]
        second = client.get(
            "/api/v1/families", params={"limit": 2, "cursor": first.json()["next_cursor"]}
        )
        assert [f["reference"] for f in second.json()["items"]] == ["T-002", "T-003"]
        last = client.get(
            "/api/v1/families", params={"limit": 2, "cursor": second.json()["next_cursor"]}
        )
        assert [f["reference"] for f in last.json()["items"]] == ["T-004"]
        assert last.json()["next_cursor"] is None

    def test_filters_narrow_the_list(self, client: TestClient, reference: ReferenceData) -> None:
        create(client, make_family_body(reference.hubs["NORTH"], reference="N-1"))
        create(
            client,
            make_family_body(
                reference.hubs["SOUTH"],
                reference="S-1",
                address={"line1": "2 Park Avenue", "postcode": "FY4 2NP"},
            ),
        )
        assert [
            f["reference"]
            for f in client.get("/api/v1/families", params={"postcode": "fy4"}).json()["items"]
        ] == ["S-1"]
        assert [
            f["reference"]
            for f in client.get(
                "/api/v1/families", params={"hub_id": str(reference.hubs["NORTH"])}
            ).json()["items"]
        ] == ["N-1"]
        assert (
            len(
                client.get("/api/v1/families", params={"date_of_birth": "2017-06-01"}).json()[
                    "items"
                ]
            )
            == 2
        )
        assert (
            client.get("/api/v1/families", params={"reference": "s-"}).json()["items"][0][
                "reference"
            ]
            == "S-1"
        )

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor!"}])
    def test_bad_paging_is_refused(self, client: TestClient, params: dict[str, Any]) -> None:
        response = client.get("/api/v1/families", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestSearchScope:
    def test_a_search_returns_a_full_page_of_only_the_families_the_searcher_may_see(
        self, client: TestClient, reference: ReferenceData, staff: Any
    ) -> None:
        from tests.builders import as_user

        with as_user(client, staff.other_lead):
            for n in range(3):
                create(client, make_family_body(reference.hubs["NORTH"], reference=f"A-{n:03d}"))
        for n in range(2):
            create(client, make_family_body(reference.hubs["NORTH"], reference=f"B-{n:03d}"))
        page = client.get("/api/v1/families", params={"limit": 2, "name": "hughes"}).json()
        assert [f["reference"] for f in page["items"]] == ["B-000", "B-001"]
        assert page["next_cursor"] is None
        with as_user(client, staff.manager):
            everything = client.get("/api/v1/families", params={"name": "hughes"}).json()["items"]
        assert len(everything) == 5


class TestTolerantSearch:
    @pytest.mark.parametrize("typed", ["Hughs", "hugbes", "HUGHES", "Hu"])
    def test_a_one_letter_typo_or_a_prefix_still_finds_the_family(
        self, client: TestClient, reference: ReferenceData, typed: str
    ) -> None:
        family = create(client, make_family_body(reference.hubs["NORTH"])).json()
        create(
            client,
            make_family_body(
                reference.hubs["NORTH"],
                members=[
                    make_member_body(
                        "parent_carer",
                        given_name="Zed",
                        family_name="Jones",
                        date_of_birth="1980-01-01",
                    )
                ],
            ),
        )
        found = client.get("/api/v1/families", params={"name": typed}).json()["items"]
        assert [f["id"] for f in found] == [family["id"]]

    @pytest.mark.parametrize(
        ("typed", "how"),
        [
            ("Hughes", "same"),
            ("Hu", "starts_with"),
            ("Hgues", "sounds_like"),
            ("Hughs", "near_spelling"),
        ],
    )
    def test_each_result_says_how_it_matched(
        self, client: TestClient, reference: ReferenceData, typed: str, how: str
    ) -> None:
        family = create(client, make_family_body(reference.hubs["NORTH"])).json()
        [found] = client.get(
            "/api/v1/families", params={"name": typed, "date_of_birth": "2017-06-01"}
        ).json()["items"]
        ava = next(m["person_id"] for m in family["members"] if m["role"] == "child")
        assert found["matched"] == [
            {
                "criterion": "name",
                "how": how,
                "typed": typed,
                "found": "Hughes",
                "person_id": found["matched"][0]["person_id"],
            },
            {
                "criterion": "date_of_birth",
                "how": "same",
                "typed": "2017-06-01",
                "found": "2017-06-01",
                "person_id": ava,
            },
        ]
