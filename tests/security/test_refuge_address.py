"""A refuge address never leaks: the attack found from outside, and what stops it.

The attack (issue 15): a practitioner with no link to a domestic-abuse victim learns her person id
(a break-glass read shows it), registers her and her child in a household of their own, opens an
episode there as lead, reads her record with the refuge address and lifts the restriction, which
then shows the address in her real household to every reader. The restriction now belongs to the
person and remembers the household it was set in; adding an existing person anywhere needs the
right to change her record; a person the caller may not know answers as an unknown id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.access import Role
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_family_body,
    make_member_body,
)

API = "/api/v1"
REFUGE_LINE = "Flat 4, Haven House"
REASON = "Urgent: a PCSO reports the children at risk tonight"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any) -> tuple[Any, ...]:
    """What a client sees of a refusal, without what differs between any two requests."""
    body = response.json()
    return (response.status_code, body["code"], body["detail"], body["errors"])


@dataclass
class Victim:
    family: dict[str, Any]
    natalie: str
    child: str
    attacker: uuid.UUID


def _member(family: dict[str, Any], given_name: str) -> str:
    return str(
        next(m["person_id"] for m in family["members"] if m["person"]["given_name"] == given_name)
    )


@pytest.fixture
def victim(client: TestClient, reference: ReferenceData, staff: Staff, new_uow: Any) -> Victim:
    """Natalie and her son in the NORTH hub, her refuge address restricted, an episode led by
    `staff.lead`; the attacker is a practitioner with no link to them."""
    natalie = make_member_body(
        "parent_carer",
        given_name="Natalie",
        date_of_birth="1993-01-01",
        contact={"phone": "07700 900123", "address": {"line1": REFUGE_LINE, "postcode": "FY1 1AA"}},
        contact_restricted=True,
        restriction_reason="Fleeing domestic abuse",
    )
    son = make_member_body("child", given_name="Leo", date_of_birth="2018-04-04")
    family = ok(
        client.post(
            f"{API}/families",
            json=make_family_body(reference.hubs["NORTH"], members=[natalie, son]),
        ),
        201,
    )
    ok(
        client.post(
            f"{API}/episodes",
            json={
                "family_id": family["id"],
                "source": "school",
                "level_of_need": "2",
                "lead_practitioner_id": str(staff.lead),
                "child_person_ids": [_member(family, "Leo")],
            },
        ),
        201,
    )
    attacker = given_practitioner(
        new_uow, roles={Role.PRACTITIONER}, agency="POLICE", name="Unrelated Practitioner"
    )
    return Victim(family, _member(family, "Natalie"), _member(family, "Leo"), attacker)


def test_an_unrelated_practitioner_cannot_register_her_in_a_household_of_their_own(
    client: TestClient, reference: ReferenceData, victim: Victim
) -> None:
    with as_user(client, victim.attacker):
        # Her id is in plain sight on a break-glass read of her family.
        seen = client.get(
            f"{API}/families/{victim.family['id']}", headers={"X-Break-Glass-Reason": REASON}
        )
        assert _member(ok(seen), "Natalie") == victim.natalie
        members = [
            {"role": "parent_carer", "person_id": victim.natalie},
            {"role": "child", "person_id": victim.child},
        ]
        taken = client.post(
            f"{API}/families", json=make_family_body(reference.hubs["SOUTH"], members=members)
        )
        unknown = client.post(
            f"{API}/families",
            json=make_family_body(
                reference.hubs["SOUTH"],
                members=[{"role": "parent_carer", "person_id": str(uuid.uuid4())}, members[1]],
            ),
        )
        families_after = ok(client.get(f"{API}/families", params={"name": "Natalie"}))
    assert taken.status_code == 422
    # Exactly as an id nobody has: status, code, words and field.
    assert problem(taken) == problem(unknown)
    assert taken.json()["errors"][0]["field"] == "members[0].person_id"
    assert families_after["items"] == []


def test_an_unrelated_practitioner_reads_her_record_as_an_unknown_id(
    client: TestClient, victim: Victim
) -> None:
    with as_user(client, victim.attacker):
        hidden = client.get(f"{API}/people/{victim.natalie}")
        unknown = client.get(f"{API}/people/{uuid.uuid4()}")
        lifted = client.patch(
            f"{API}/people/{victim.natalie}",
            json={"contact_restricted": False},
            headers={"If-Match": '"1"'},
        )
    assert problem(hidden) == problem(unknown) == (404, "not_found", hidden.json()["detail"], [])
    assert problem(lifted)[0] == 404
    with as_user(client, victim.attacker):
        # Break glass reads, never writes.
        assert (
            client.patch(
                f"{API}/people/{victim.natalie}",
                json={"contact_restricted": False},
                headers={"If-Match": '"1"', "X-Break-Glass-Reason": REASON},
            ).status_code
            == 404
        )


@pytest.fixture
def moved(client: TestClient, reference: ReferenceData, staff: Staff, victim: Victim) -> str:
    """Natalie's lead registers the household she moves on to (in the SOUTH hub) and adds her;
    a manager opens an episode there led by `staff.other_lead`. Returns the new household's id."""
    second = ok(
        client.post(
            f"{API}/families",
            json=make_family_body(
                reference.hubs["SOUTH"],
                members=[{"role": "parent_carer", "person_id": victim.natalie}],
            ),
        ),
        201,
    )
    second["members"].append(
        ok(
            client.post(
                f"{API}/families/{second['id']}/members",
                json={"role": "child", "person_id": victim.child},
            ),
            201,
        )
    )
    with as_user(client, staff.manager):
        ok(
            client.post(
                f"{API}/episodes",
                json={
                    "family_id": second["id"],
                    "source": "health_visitor",
                    "level_of_need": "2",
                    "lead_practitioner_id": str(staff.other_lead),
                    "child_person_ids": [victim.child],
                },
            ),
            201,
        )
    return str(second["id"])


def test_leading_another_household_of_hers_does_not_show_the_refuge_address(
    client: TestClient, staff: Staff, victim: Victim, moved: str
) -> None:
    with as_user(client, staff.other_lead):
        person = ok(client.get(f"{API}/people/{victim.natalie}"))
        family = ok(client.get(f"{API}/families/{moved}"))
    member = next(m for m in family["members"] if m["person_id"] == victim.natalie)
    for shown in (person, member["person"]):
        assert shown["contact"] is None
        assert shown["contact_withheld"] is True
    assert REFUGE_LINE not in str(person) + str(family)


def test_only_those_the_restriction_allows_may_lift_it(
    client: TestClient, staff: Staff, victim: Victim, moved: str
) -> None:
    url = f"{API}/people/{victim.natalie}"
    with as_user(client, staff.other_lead):
        etag = client.get(url).headers["ETag"]
        refused = client.patch(url, json={"contact_restricted": False}, headers={"If-Match": etag})
        # Changing what she may be reached by is the restriction's to allow, too.
        rerouted = client.patch(url, json={"contact": None}, headers={"If-Match": etag})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "contact_restricted"
    assert rerouted.status_code == 403
    with as_user(client, staff.manager):
        assert ok(client.get(url))["contact"]["address"]["line1"] == REFUGE_LINE
    # The lead of the household where it was set may.
    lifted = ok(client.patch(url, json={"contact_restricted": False}, headers={"If-Match": etag}))
    assert lifted["contact_restricted"] is False


def test_a_named_practitioner_who_leads_her_new_household_sees_it(
    client: TestClient, staff: Staff, victim: Victim, moved: str
) -> None:
    url = f"{API}/people/{victim.natalie}"
    etag = client.get(url).headers["ETag"]
    ok(
        client.patch(
            url,
            json={"restriction_visible_to": [str(staff.other_lead)]},
            headers={"If-Match": etag},
        )
    )
    with as_user(client, staff.other_lead):
        assert ok(client.get(url))["contact"]["address"]["line1"] == REFUGE_LINE


def test_every_read_of_her_is_in_every_household_s_access_log(
    client: TestClient, staff: Staff, victim: Victim, moved: str
) -> None:
    """Her first family's log shows who read her through the second, and the refused attempts."""
    with as_user(client, staff.other_lead):
        ok(client.get(f"{API}/people/{victim.natalie}"))
    with as_user(client, victim.attacker):
        assert client.get(f"{API}/people/{victim.natalie}").status_code == 404
    with as_user(client, staff.manager):
        logs = {
            family_id: ok(client.get(f"{API}/families/{family_id}/access-log"))["items"]
            for family_id in (victim.family["id"], moved)
        }
    for items in logs.values():
        reads = [
            (e["actor_id"], e["outcome"])
            for e in items
            if e["resource_type"] == "person" and e["resource_id"] == victim.natalie
        ]
        assert (str(staff.other_lead), "allowed") in reads
        assert (str(victim.attacker), "denied") in reads


def test_reading_an_unknown_person_is_audited_like_a_hidden_one(
    client: TestClient, victim: Victim, new_uow: Any
) -> None:
    unknown = uuid.uuid4()
    with as_user(client, victim.attacker):
        assert client.get(f"{API}/people/{unknown}").status_code == 404
    with new_uow() as uow:
        entries = list(uow.audit.entries())
    attempt = [e for e in entries if e.resource_id == str(unknown)]
    assert [(e.actor_id, e.action, e.outcome) for e in attempt] == [
        (victim.attacker, "read_family", "denied")
    ]
