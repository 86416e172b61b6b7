"""Consent to take part covers the children it names: a parent's consent for one child does not
start the clock for an episode about a sibling it did not name (issue 20 §5)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_episodes import API, Case, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    make_episode_body,
    make_family_body,
    make_member_body,
)


@pytest.fixture
def siblings_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """Two children in the household; the episode is about Leo only."""
    on(clock, "2024-11-25")
    body = make_family_body(reference.hubs["NORTH"])
    body["members"].append(make_member_body("child", given_name="Leo", date_of_birth="2019-03-09"))
    family = ok(client.post(f"{API}/families", json=body), 201)
    leo = next(m["person_id"] for m in family["members"] if m["person"]["given_name"] == "Leo")
    response = client.post(
        f"{API}/episodes", json=make_episode_body(family, staff.lead, child_person_ids=[leo])
    )
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def child_named(case: Case, given_name: str) -> str:
    person_id: str = next(
        m["person_id"] for m in case.family["members"] if m["person"]["given_name"] == given_name
    )
    return person_id


def consent_for(case: Case, *children: str, day: str = "2024-12-02") -> dict[str, Any]:
    on(case.clock, day)
    body = {
        "purpose": "early_help",
        "given_by_person_id": case.person("parent_carer"),
        "on_behalf_of_person_ids": [child_named(case, name) for name in children],
        "method": "written",
        "given_on": day,
    }
    consent: dict[str, Any] = ok(
        case.client.post(f"{API}/families/{case.family['id']}/consents", json=body), 201
    )
    return consent


def start(case: Case) -> Any:
    return case.client.post(f"{case.url}/assessment-start", headers={"If-Match": case.etag})


class TestConsentCoversTheChildrenItNames:
    def test_consent_for_one_child_does_not_start_the_clock_for_a_sibling(
        self, siblings_case: Case
    ) -> None:
        consent_for(siblings_case, "Ava")
        refused = start(siblings_case)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "early_help_consent_not_in_force"
        assert ok(siblings_case.client.get(siblings_case.url))["stage"] == "requested"

    def test_consent_naming_the_child_the_episode_is_about_starts_its_clock(
        self, siblings_case: Case
    ) -> None:
        consent_for(siblings_case, "Ava", day="2024-11-26")
        consent_for(siblings_case, "Leo", day="2024-12-02")
        started = ok(start(siblings_case))
        clock = next(d for d in started["episode"]["deadlines"] if d["kind"] == "assessment")
        assert clock["started_on"] == "2024-12-02"

    def test_consent_for_the_household_as_a_whole_covers_every_child(
        self, siblings_case: Case
    ) -> None:
        consent_for(siblings_case)
        assert ok(start(siblings_case))["episode"]["stage"] == "assessing"

    def test_withdrawing_the_sibling_s_consent_leaves_this_episode_s_clocks_running(
        self, siblings_case: Case
    ) -> None:
        consent_for(siblings_case, "Leo")
        ava = consent_for(siblings_case, "Ava")
        ok(start(siblings_case))
        on(siblings_case.clock, "2024-12-04")
        withdrawn = siblings_case.client.post(
            f"{API}/families/{siblings_case.family['id']}/consents/{ava['id']}/withdrawal",
            headers={"If-Match": f'"{ava["version"]}"'},
            json={"withdrawn_on": "2024-12-04", "reason": "Ava's father does not agree"},
        )
        ok(withdrawn)
        episode = ok(siblings_case.client.get(siblings_case.url))
        assert episode["consent_withdrawn_on"] is None

    def test_withdrawing_the_only_consent_naming_the_child_stops_the_clocks_though_a_siblings_remains(
        self, siblings_case: Case
    ) -> None:
        """Before consent covered the children it names, any consent to take part still in force
        (here the sibling's) kept this episode's clocks running after Leo's was withdrawn."""
        leo = consent_for(siblings_case, "Leo")
        consent_for(siblings_case, "Ava")
        ok(start(siblings_case))
        on(siblings_case.clock, "2024-12-04")
        ok(
            siblings_case.client.post(
                f"{API}/families/{siblings_case.family['id']}/consents/{leo['id']}/withdrawal",
                headers={"If-Match": f'"{leo["version"]}"'},
                json={"withdrawn_on": "2024-12-04", "reason": "Leo's mother withdrew it"},
            )
        )
        episode = ok(siblings_case.client.get(siblings_case.url))
        assert episode["consent_withdrawn_on"] == "2024-12-04"
