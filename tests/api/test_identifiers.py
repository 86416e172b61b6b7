"""A child's identifiers through the API: the NHS number checked and shown in threes, other schemes
beside it, a reason when the consistent identifier is missing, and the duplicate check it feeds."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.domain.identifiers import IdentifierScheme
from tests.api.test_caseload import new_case
from tests.api.test_sync import sync
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_family_body,
    make_member_body,
)

API = "/api/v1"
VALID = "9434765919"
OTHER_VALID = "4010232137"


def register(client: TestClient, reference: ReferenceData, *members: dict[str, Any]) -> Any:
    return client.post(
        f"{API}/families",
        json=make_family_body(
            reference.hubs["NORTH"],
            members=[
                make_member_body("parent_carer", given_name="Sarah", date_of_birth="1990-02-14"),
                *members,
            ],
        ),
    )


def child_in(response: Any) -> dict[str, Any]:
    """The household's one child (members come in the order they joined: the same day here)."""
    [person] = [m["person"] for m in response.json()["members"] if m["role"] == "child"]
    return person  # type: ignore[no-any-return]


def refused(response: Any) -> tuple[str, list[str]]:
    """The problem's stable code and the fields it names."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    return problem["code"], [e["field"] for e in problem["errors"]]


def patch_person(client: TestClient, person_id: str, body: dict[str, Any]) -> Any:
    etag = client.get(f"{API}/people/{person_id}").headers["ETag"]
    return client.patch(f"{API}/people/{person_id}", json=body, headers={"If-Match": etag})


class TestNhsNumber:
    @pytest.mark.parametrize("number", ["0000000000", "9999999999", "000 000 0000"])
    def test_an_nhs_number_of_one_digit_repeated_is_refused_as_a_placeholder_naming_the_field(
        self, client: TestClient, reference: ReferenceData, number: str
    ) -> None:
        in_identifiers = make_member_body(
            "child",
            identifiers=[
                {"scheme": "upn", "value": "A123456789012"},
                {"scheme": "nhs_number", "value": number},
            ],
        )
        assert refused(register(client, reference, in_identifiers)) == (
            "nhs_number_placeholder",
            ["members[1].person.identifiers[1].value"],
        )
        in_the_older_field = make_member_body("child", nhs_number=number)
        assert refused(register(client, reference, in_the_older_field)) == (
            "nhs_number_placeholder",
            ["members[1].person.nhs_number"],
        )
        assert client.get(f"{API}/families").json()["items"] == []

    @pytest.mark.parametrize(
        ("number", "code"),
        [
            ("9434765918", "nhs_number_check_digit"),
            ("1000000010", "nhs_number_check_digit"),  # its check digit would be 10
            ("943476591", "nhs_number_not_ten_digits"),
        ],
    )
    def test_a_mistyped_nhs_number_is_refused_with_its_reason(
        self, client: TestClient, reference: ReferenceData, number: str, code: str
    ) -> None:
        member = make_member_body("child", identifiers=[{"scheme": "nhs_number", "value": number}])
        assert refused(register(client, reference, member)) == (
            code,
            ["members[1].person.identifiers[0].value"],
        )

    @pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 9434765919 "])
    def test_an_nhs_number_given_with_spaces_is_stored_as_ten_digits_and_shown_in_threes(
        self, client: TestClient, reference: ReferenceData, staff: Staff, typed: str
    ) -> None:
        member = make_member_body(
            "child",
            identifiers=[
                {"scheme": "nhs_number", "value": typed, "verified": True, "source": "PDS trace"}
            ],
        )
        created = register(client, reference, member)
        assert created.status_code == 201, created.text
        person = client.get(f"{API}/people/{child_in(created)['id']}").json()
        assert person["nhs_number"] == VALID
        assert person["nhs_number_display"] == "943 476 5919"
        [identifier] = person["identifiers"]
        assert identifier["value"] == VALID
        assert identifier["display"] == "943 476 5919"
        assert (identifier["verified"], identifier["verified_by"], identifier["source"]) == (
            True,
            str(staff.lead),
            "PDS trace",
        )
        assert identifier["recorded_at"] is not None

    def test_the_older_nhs_number_field_is_the_nhs_number_identifier(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        created = register(client, reference, make_member_body("child", nhs_number="943 476 5919"))
        person = child_in(created)
        assert person["nhs_number"] == VALID
        assert [(i["scheme"], i["value"], i["verified"]) for i in person["identifiers"]] == [
            ("nhs_number", VALID, False)
        ]

    def test_the_older_field_and_an_nhs_number_identifier_must_agree(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        both = make_member_body(
            "child",
            nhs_number=OTHER_VALID,
            identifiers=[{"scheme": "nhs_number", "value": VALID}],
        )
        assert refused(register(client, reference, both)) == (
            "nhs_number_conflict",
            ["members[1].person.nhs_number"],
        )
        agreeing = make_member_body(
            "child",
            nhs_number=VALID,
            identifiers=[{"scheme": "nhs_number", "value": "943 476 5919"}],
        )
        assert register(client, reference, agreeing).status_code == 201


class TestIdentifierSchemes:
    def test_a_unique_pupil_number_and_the_councils_own_id_sit_beside_the_nhs_number(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body(
            "child",
            identifiers=[
                {"scheme": "la_child_id", "value": "BPL/004512"},
                {"scheme": "upn", "value": "a123 4567 8901 2"},
                {"scheme": "nhs_number", "value": VALID},
            ],
        )
        person = child_in(register(client, reference, member))
        expected = [
            ("nhs_number", VALID, "943 476 5919"),
            ("upn", "A12345678901" + "2", "A12345678901" + "2"),
            ("la_child_id", "BPL/004512", "BPL/004512"),
        ]
        assert [(i["scheme"], i["value"], i["display"]) for i in person["identifiers"]] == expected
        read = client.get(f"{API}/people/{person['id']}").json()
        assert [(i["scheme"], i["value"], i["display"]) for i in read["identifiers"]] == expected

    def test_one_identifier_per_scheme(self, client: TestClient, reference: ReferenceData) -> None:
        member = make_member_body(
            "child",
            identifiers=[
                {"scheme": "nhs_number", "value": VALID},
                {"scheme": "nhs_number", "value": OTHER_VALID},
            ],
        )
        assert refused(register(client, reference, member)) == (
            "identifier_scheme_repeated",
            ["members[1].person.identifiers[1].scheme"],
        )

    def test_an_unknown_scheme_is_refused_naming_the_field(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body("child", identifiers=[{"scheme": "passport", "value": "X1"}])
        response = register(client, reference, member)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [
            "members[1].person.identifiers[0].scheme"
        ]

    def test_a_member_added_later_has_its_identifiers_checked_too(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        family = register(client, reference).json()
        url = f"{API}/families/{family['id']}/members"
        bad = make_member_body(
            "child", identifiers=[{"scheme": "nhs_number", "value": "0000000000"}]
        )
        assert refused(client.post(url, json=bad)) == (
            "nhs_number_placeholder",
            ["person.identifiers[0].value"],
        )
        good = make_member_body("child", identifiers=[{"scheme": "nhs_number", "value": VALID}])
        added = client.post(url, json=good)
        assert added.status_code == 201, added.text
        assert added.json()["person"]["nhs_number_display"] == "943 476 5919"


class TestChangingIdentifiers:
    def test_identifiers_sent_replace_the_collection_and_a_kept_value_keeps_its_history(
        self, client: TestClient, reference: ReferenceData, staff: Staff
    ) -> None:
        member = make_member_body(
            "child", identifiers=[{"scheme": "nhs_number", "value": VALID, "source": "red book"}]
        )
        person = child_in(register(client, reference, member))
        first = person["identifiers"][0]
        assert (first["verified"], first["verified_by"]) == (False, None)
        changed = patch_person(
            client,
            person["id"],
            {
                "identifiers": [
                    {"scheme": "nhs_number", "value": VALID, "verified": True},
                    {"scheme": "upn", "value": "A123456789012"},
                ]
            },
        )
        assert changed.status_code == 200, changed.text
        nhs, upn = changed.json()["identifiers"]
        assert nhs["recorded_at"] == first["recorded_at"]
        assert (nhs["verified"], nhs["verified_by"], nhs["source"]) == (
            True,
            str(staff.lead),
            None,
        )
        assert upn["value"] == "A123456789012"

    def test_the_older_field_sent_alone_changes_only_the_nhs_number(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body(
            "child",
            identifiers=[
                {"scheme": "nhs_number", "value": VALID},
                {"scheme": "upn", "value": "A123456789012"},
            ],
        )
        person = child_in(register(client, reference, member))
        changed = patch_person(client, person["id"], {"nhs_number": "401 023 2137"}).json()
        assert changed["nhs_number"] == OTHER_VALID
        assert {i["scheme"]: i["value"] for i in changed["identifiers"]} == {
            "nhs_number": OTHER_VALID,
            "upn": "A123456789012",
        }
        removed = patch_person(client, person["id"], {"nhs_number": None}).json()
        assert removed["nhs_number"] is None
        assert [i["scheme"] for i in removed["identifiers"]] == ["upn"]

    def test_a_bad_value_in_an_update_is_refused_naming_it(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        person = child_in(register(client, reference, make_member_body("child")))
        response = patch_person(
            client,
            person["id"],
            {
                "identifiers": [
                    {"scheme": "upn", "value": "A123456789012"},
                    {"scheme": "nhs_number", "value": "9434765918"},
                ]
            },
        )
        assert refused(response) == ("nhs_number_check_digit", ["identifiers[1].value"])
        assert client.get(f"{API}/people/{person['id']}").json()["identifiers"] == []


class TestAbsentIdentifier:
    def test_a_reason_is_recorded_when_the_identifier_is_absent(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body("child", identifier_absent_reason="pending_trace")
        created = register(client, reference, member)
        assert created.status_code == 201, created.text
        person = client.get(f"{API}/people/{child_in(created)['id']}").json()
        assert (person["identifier_absent_reason"], person["identifiers"]) == ("pending_trace", [])

    def test_recording_the_number_when_the_trace_comes_back_clears_the_reason(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body("child", identifier_absent_reason="pending_trace")
        person = child_in(register(client, reference, member))
        traced = patch_person(client, person["id"], {"nhs_number": VALID}).json()
        assert (traced["nhs_number"], traced["identifier_absent_reason"]) == (VALID, None)

    def test_a_reason_beside_the_identifier_itself_is_refused(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body(
            "child", nhs_number=VALID, identifier_absent_reason="not_known_tracing_would_delay"
        )
        assert refused(register(client, reference, member)) == (
            "identifier_absence_with_identifier",
            ["members[1].person.identifier_absent_reason"],
        )

    def test_the_reason_stands_for_the_councils_consistent_scheme(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        """A child with a UPN may still be waiting for an NHS number trace; a council whose
        consistent identifier is its own child id judges absence by that instead."""
        waiting = make_member_body(
            "child",
            identifiers=[{"scheme": "upn", "value": "A123456789012"}],
            identifier_absent_reason="pending_trace",
        )
        assert register(client, reference, waiting).status_code == 201
        app: Any = client.app
        app.state.settings = app.state.settings.model_copy(
            update={"consistent_identifier_scheme": IdentifierScheme.LA_CHILD_ID}
        )
        with_nhs_but_no_council_id = make_member_body(
            "child",
            given_name="Noah",
            nhs_number=VALID,
            identifier_absent_reason="withheld_more_detrimental_to_child",
        )
        created = register(client, reference, with_nhs_but_no_council_id)
        assert created.status_code == 201, created.text
        assert child_in(created)["identifier_absent_reason"] == "withheld_more_detrimental_to_child"

    def test_an_unknown_reason_is_refused_naming_the_field(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        member = make_member_body("child", identifier_absent_reason="lost")
        response = register(client, reference, member)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [
            "members[1].person.identifier_absent_reason"
        ]


class TestDuplicateByNhsNumber:
    def test_a_second_child_registered_with_the_same_nhs_number_and_date_of_birth_is_flagged(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        first = register(
            client,
            reference,
            make_member_body("child", given_name="Ava", family_name="Hughes", nhs_number=VALID),
        ).json()
        # Another name (a change of surname, a typo) and another address: only the number matches.
        second = client.post(
            f"{API}/families",
            json=make_family_body(
                reference.hubs["SOUTH"],
                address={"line1": "3 Larch Close", "postcode": "FY3 9QB"},
                members=[
                    make_member_body(
                        "child",
                        given_name="Eva",
                        family_name="Price",
                        identifiers=[{"scheme": "nhs_number", "value": "943 476 5919"}],
                    )
                ],
            ),
        )
        assert second.status_code == 201, second.text
        [warning] = second.json()["warnings"]
        assert (warning["family_id"], warning["reference"], warning["likely"]) == (
            first["id"],
            first["reference"],
            True,
        )
        assert "same NHS number and date of birth" in warning["reason"]

    def test_the_same_number_with_another_date_of_birth_is_not_flagged(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        register(client, reference, make_member_body("child", nhs_number=VALID))
        check = client.post(
            f"{API}/families/duplicate-check",
            json={
                "members": [
                    {
                        "given_name": "Eva",
                        "family_name": "Price",
                        "date_of_birth": "2018-01-01",
                        "nhs_number": VALID,
                    }
                ]
            },
        )
        assert check.json() == []

    def test_a_name_match_is_a_possible_duplicate_not_a_likely_one(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        register(client, reference, make_member_body("child"))
        check = client.post(
            f"{API}/families/duplicate-check",
            json={
                "members": [
                    {"given_name": "Ava", "family_name": "Hughes", "date_of_birth": "2017-06-01"}
                ]
            },
        )
        assert [w["likely"] for w in check.json()] == [False]

    def test_a_household_the_checker_may_not_see_is_flagged_without_being_named(
        self, client: TestClient, reference: ReferenceData, new_uow: Any
    ) -> None:
        from app.domain.access import Role

        first = register(client, reference, make_member_body("child", nhs_number=VALID)).json()
        stranger = given_practitioner(
            new_uow, roles={Role.PRACTITIONER}, agency="POLICE", name="Pat Stranger"
        )
        body = {
            "members": [
                {
                    "given_name": "Eva",
                    "family_name": "Price",
                    "date_of_birth": "2017-06-01",
                    "identifiers": [{"scheme": "nhs_number", "value": VALID}],
                }
            ]
        }
        with as_user(client, stranger):
            check = client.post(f"{API}/families/duplicate-check", json=body)
        assert check.status_code == 200, check.text
        assert [(w["family_id"], w["reference"], w["likely"]) for w in check.json()] == [
            (None, None, True)
        ]
        assert first["id"] not in check.text
        assert first["reference"] not in check.text
        assert "Ava" not in check.text

    def test_a_mistyped_number_in_a_duplicate_check_is_refused_naming_it(
        self, client: TestClient
    ) -> None:
        check = client.post(
            f"{API}/families/duplicate-check",
            json={
                "members": [
                    {
                        "given_name": "Eva",
                        "family_name": "Price",
                        "identifiers": [{"scheme": "nhs_number", "value": "0000000000"}],
                    }
                ]
            },
        )
        assert refused(check) == ("nhs_number_placeholder", ["members[0].identifiers[0].value"])


class TestWhoSeesIdentifiers:
    def test_a_restriction_hides_contact_details_but_not_identifiers_like_name_and_birth_date(
        self, client: TestClient, reference: ReferenceData, staff: Staff
    ) -> None:
        """docs/identifiers.md: an identifier says who a child is, not where they are; those who
        may read the person see it, as they see the name and date of birth."""
        member = make_member_body(
            "child",
            nhs_number=VALID,
            contact={"address": {"line1": "Refuge flat 2", "postcode": "FY1 1AA"}},
            contact_restricted=True,
            restriction_reason="Fleeing domestic abuse",
        )
        created = register(client, reference, member)
        assert created.status_code == 201, created.text
        with as_user(client, staff.other_lead):
            stranger = client.get(f"{API}/people/{child_in(created)['id']}")
        assert stranger.status_code == 404  # no relationship with the household: not known at all
        person = child_in(created)
        assert person["contact_withheld"] is True
        assert "Refuge" not in created.text
        assert person["nhs_number_display"] == "943 476 5919"


class TestOfflineSync:
    def test_a_device_gets_an_identifier_recorded_since_its_last_sync(
        self, client: TestClient, reference: ReferenceData, staff: Staff, clock: FixedClock
    ) -> None:
        case = new_case(client, clock, reference, staff, "Irwin")
        before = sync(client)
        [child] = [m["person"] for m in case.family["members"] if m["role"] == "child"]
        assert patch_person(client, child["id"], {"nhs_number": VALID}).status_code == 200
        after = sync(client, before["cursor"])
        [family] = after["families"]
        [synced] = [m["person"] for m in family["members"] if m["person"]["id"] == child["id"]]
        assert synced["nhs_number_display"] == "943 476 5919"
        assert (
            synced["identifiers"] == client.get(f"{API}/people/{child['id']}").json()["identifiers"]
        )
