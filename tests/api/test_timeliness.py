"""Timeliness through the API: the overdue list, the summary, and the policy versions.

The scenario (six episodes, due dates worked out by hand) is the one of
tests/integration/test_timeliness_queries.py; "today" is Monday 3 March 2025.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.routers.timeliness import router
from app.domain.episodes import RequestSource, open_episode
from app.domain.timeliness import DEFAULT_POLICY
from tests.builders import ReferenceData
from tests.integration.test_timeliness_queries import (
    NewUow,
    World,
    assessing,
    d,
    given_episode,
    given_family,
    given_lead,
    given_world,
    submitted,
)

OVERDUE = "/api/v1/timeliness/overdue"
SUMMARY = "/api/v1/timeliness/summary"
POLICY = "/api/v1/admin/timeliness-policy"


@pytest.fixture
def api(client: TestClient, new_uow: NewUow) -> TestClient:
    """The client signed in as a manager who is also the policy admin (roles add up)."""
    from app.domain.access import Role
    from tests.builders import bearer, given_practitioner

    app = client.app
    assert isinstance(app, FastAPI)
    if not any(getattr(route, "path", None) == OVERDUE for route in app.routes):
        app.include_router(router)
    client.headers["Authorization"] = bearer(
        given_practitioner(new_uow, roles={Role.MANAGER, Role.ADMIN})
    )
    return client


@pytest.fixture
def world(new_uow: NewUow, reference: ReferenceData) -> World:
    return given_world(new_uow, reference)


def fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def policy_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k, v in DEFAULT_POLICY.to_dict().items() if k != "version"}
    body.update(effective_from="2025-03-03", reason="Practice standards review, March 2025")
    body.update(overrides)
    return body


def names(world: World, items: list[dict[str, Any]]) -> list[str]:
    by_id = {str(e.id): name for name, e in world.episodes.items()}
    return [by_id[i["episode_id"]] for i in items]


# --- the overdue list ----------------------------------------------------------------------------


class TestOverdue:
    def test_defaults_to_today_most_overdue_first(
        self, api: TestClient, world: World, reference: ReferenceData
    ) -> None:
        response = api.get(OVERDUE)
        assert response.status_code == 200, response.text
        body = response.json()
        assert names(world, body["items"]) == ["e1", "e3", "e6", "e2"]
        assert body["next_cursor"] is None
        first = body["items"][0]
        e1 = world.episodes["e1"]
        assert first | {"deadline_id": None, "family_reference": None} == {
            "deadline_id": None,
            "episode_id": str(e1.id),
            "family_id": str(e1.family_id),
            "family_reference": None,
            "hub_id": str(reference.hubs["NORTH"]),
            "hub_code": "NORTH",
            "lead_practitioner_id": str(world.amira),
            "lead_name": "Amira Khan",
            "level_of_need": "2",
            "stage": "assessing",
            "kind": "assessment",
            "started_on": "2025-01-06",
            "due_on": "2025-02-03",
            "due_from": None,
            "policy_version": 1,
            "status": "overdue",
            "days_overdue": 28,
            "days_until_due": -28,
        }
        assert first["family_reference"].startswith("TL-")
        due_soon = body["items"][3]
        assert (due_soon["kind"], due_soon["status"], due_soon["days_until_due"]) == (
            "quality_assurance",
            "due_soon",
            2,
        )

    def test_as_of_a_past_day(self, api: TestClient, world: World) -> None:
        items = api.get(OVERDUE, params={"as_of": "2025-02-05"}).json()["items"]
        assert sorted(names(world, items)) == ["e1", "e5"]
        assert {(i["status"], i["days_overdue"]) for i in items} == {("overdue", 2)}

    def test_filters(self, api: TestClient, world: World, reference: ReferenceData) -> None:
        def listed(**params: Any) -> list[str]:
            response = api.get(OVERDUE, params=params)
            assert response.status_code == 200, response.text
            return names(world, response.json()["items"])

        assert listed(hub_id=str(reference.hubs["SOUTH"])) == ["e6"]
        assert listed(lead_practitioner_id=str(world.ben)) == ["e3", "e6"]
        assert listed(kind="first_taf") == ["e3"]
        assert listed(level_of_need="3") == ["e6"]

    def test_paged_with_a_link_to_the_next_page(self, api: TestClient, world: World) -> None:
        first = api.get(OVERDUE, params={"limit": 3})
        assert names(world, first.json()["items"]) == ["e1", "e3", "e6"]
        cursor = first.json()["next_cursor"]
        assert cursor
        assert first.headers["Link"].endswith('rel="next"')
        assert f"cursor={cursor}" in first.headers["Link"]
        second = api.get(OVERDUE, params={"limit": 3, "cursor": cursor})
        assert names(world, second.json()["items"]) == ["e2"]
        assert second.json()["next_cursor"] is None
        assert "Link" not in second.headers

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"cursor": "not-a-cursor"}, "cursor"),
            ({"kind": "lunch"}, "kind"),
            ({"limit": 0}, "limit"),
            ({"as_of": "1999-12-31"}, "as_of"),
            ({"as_of": "3 March"}, "as_of"),
        ],
    )
    def test_bad_parameters_are_422_naming_the_field(
        self, api: TestClient, params: dict[str, Any], field: str
    ) -> None:
        response = api.get(OVERDUE, params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in " ".join(fields(response))


# --- the summary ---------------------------------------------------------------------------------


class TestSummary:
    def test_counts_and_rates_for_the_three_months_before_today(
        self, api: TestClient, world: World
    ) -> None:
        response = api.get(SUMMARY)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["as_of"], body["period_start"], body["period_end"]) == (
            "2025-03-03",
            "2024-12-03",
            "2025-03-02",
        )
        assert (body["policy_version"], body["due_soon_days"], body["hub_id"]) == (1, 5, None)
        assert [(h["hub_code"], h["overdue"], h["due_soon"]) for h in body["hubs"]] == [
            ("NORTH", 2, 1),
            ("SOUTH", 0, 1),
        ]
        assert body["hubs"][1]["by_kind"][0] == {"kind": "assessment", "overdue": 0, "due_soon": 1}
        assert [
            (lead["lead_name"], lead["overdue"], lead["due_soon"]) for lead in body["leads"]
        ] == [
            ("Amira Khan", 1, 1),
            ("Ben Lowe", 1, 1),
        ]
        assert body["leads"][1]["lead_practitioner_id"] == str(world.ben)
        rates = {r["kind"]: r for r in body["rates"]}
        assert list(rates) == ["assessment", "quality_assurance", "first_taf", "review"]
        assert rates["quality_assurance"] == {
            "kind": "quality_assurance",
            "due": 2,
            "met_on_time": 1,
            "met_late": 1,
            "overdue_unmet": 0,
            "share_on_time": 0.5,
            # The scenario is recorded today, the day after the period: both were entered late.
            "entered_after_period": 2,
        }
        assert rates["assessment"]["share_on_time"] == pytest.approx(2 / 3)
        assert rates["review"]["due"] == 0
        assert rates["review"]["share_on_time"] is None

    @pytest.mark.usefixtures("world")
    def test_a_chosen_period_and_hub(self, api: TestClient, reference: ReferenceData) -> None:
        response = api.get(
            SUMMARY,
            params={
                "from": "2025-02-10",
                "to": "2025-02-28",
                "hub_id": str(reference.hubs["NORTH"]),
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["period_start"], body["period_end"]) == ("2025-02-10", "2025-02-28")
        assert [h["hub_code"] for h in body["hubs"]] == ["NORTH"]
        assert [lead["lead_name"] for lead in body["leads"]] == ["Amira Khan", "Ben Lowe"]
        rates = {r["kind"]: (r["due"], r["share_on_time"]) for r in body["rates"]}
        assert rates == {
            "assessment": (1, 1.0),
            "quality_assurance": (0, None),
            "first_taf": (1, 0.0),
            "review": (0, None),
        }

    def test_from_after_to_is_422_naming_from(self, api: TestClient) -> None:
        response = api.get(SUMMARY, params={"from": "2025-03-01", "to": "2025-02-01"})
        assert response.status_code == 422
        assert fields(response) == ["from"]
        # Only "from", after the default end (the day before today), is refused the same way.
        assert fields(api.get(SUMMARY, params={"from": "2025-03-03"})) == ["from"]


FEBRUARY = {"from": "2025-02-01", "to": "2025-02-28", "as_of": "2025-03-01"}
REPORTED = "2025-03-01T00:00:00Z"
"""February's figure as reported at the end of the month."""


class TestKnownAt:
    """Issue 18 §2: a past period's figure reproduced exactly as it was reported, and the
    records behind today's figure that were entered after the period ended, counted."""

    @pytest.fixture
    def late_submission(self, new_uow: NewUow, reference: ReferenceData) -> None:
        """Assessing since Mon 6 Jan (assessment due Mon 3 Feb), recorded live; the plan was sent
        to QA on Fri 31 Jan (on time) but only recorded on Mon 3 Mar, after February ended."""
        lead = given_lead(new_uow, "Cara Doyle")
        live = datetime(2025, 1, 6, 15, tzinfo=UTC)
        with new_uow() as uow:
            family, child_id = given_family(uow, reference.hubs["SOUTH"])
            episode = open_episode(
                id=uuid.uuid4(),
                family_id=family.id,
                hub_id=family.hub_id,
                source=RequestSource.SCHOOL,
                level_of_need="2",
                allowed_levels=("2", "3"),
                lead_practitioner_id=lead,
                child_person_ids=(child_id,),
                requested_on=d(1, 6),
            )
            uow.episodes.add(episode, at=live)
            assessing(d(1, 6))(episode)
            uow.episodes.save(episode, at=live)
            uow.commit()
        with new_uow() as uow:
            stored = uow.episodes.get(episode.id)
            assert stored is not None
            submitted(d(1, 31))(stored)
            uow.episodes.save(stored, at=datetime(2025, 3, 3, 9, tzinfo=UTC))
            uow.commit()

    @pytest.mark.usefixtures("late_submission")
    def test_a_past_figure_is_reproduced_as_it_was_reported(self, api: TestClient) -> None:
        response = api.get(SUMMARY, params={**FEBRUARY, "known_at": REPORTED})
        assert response.status_code == 200, response.text
        body = response.json()
        assessment = next(r for r in body["rates"] if r["kind"] == "assessment")
        assert (assessment["due"], assessment["met_on_time"], assessment["overdue_unmet"]) == (
            1,
            0,
            1,
        )
        qa = next(r for r in body["rates"] if r["kind"] == "quality_assurance")
        assert qa["due"] == 0
        assert body["known_at"] == "2025-03-01T00:00:00Z"
        assert body["entered_after_period"] == 0

    @pytest.mark.usefixtures("late_submission")
    def test_todays_figure_says_how_many_records_were_entered_after_the_period(
        self, api: TestClient
    ) -> None:
        body = api.get(SUMMARY, params=FEBRUARY).json()
        assessment = next(r for r in body["rates"] if r["kind"] == "assessment")
        assert (assessment["due"], assessment["met_on_time"], assessment["overdue_unmet"]) == (
            1,
            1,
            0,
        )
        assert assessment["entered_after_period"] == 1
        # The submission also started a QA clock, due in February and unanswered: entered late.
        qa = next(r for r in body["rates"] if r["kind"] == "quality_assurance")
        assert (qa["overdue_unmet"], qa["entered_after_period"]) == (1, 1)
        assert (body["known_at"], body["entered_after_period"]) == (None, 2)

    @pytest.mark.usefixtures("late_submission")
    def test_a_clock_started_after_known_at_is_not_counted(self, api: TestClient) -> None:
        body = api.get(SUMMARY, params={**FEBRUARY, "known_at": "2025-01-05T12:00:00Z"}).json()
        assert all(r["due"] == 0 for r in body["rates"])
        assert body["hubs"] == []

    def test_known_at_in_the_future_or_without_a_zone_is_422_naming_it(
        self, api: TestClient
    ) -> None:
        future = api.get(SUMMARY, params={"known_at": "2025-03-04T00:00:00Z"})
        assert future.status_code == 422
        assert fields(future) == ["known_at"]
        assert future.json()["code"] == "known_at_in_future"
        naive = api.get(SUMMARY, params={"known_at": "2025-03-01T00:00:00"})
        assert naive.status_code == 422
        assert "known_at" in " ".join(fields(naive))


# --- policy versions -----------------------------------------------------------------------------


class TestPolicyAdmin:
    def test_the_seeds_defaults_are_version_1_in_force_today(self, api: TestClient) -> None:
        response = api.get(POLICY)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["in_force_version"] == 1
        assert body["versions"] == [DEFAULT_POLICY.to_dict() | {"in_force": True}]

    def test_a_new_version_is_numbered_max_plus_one_and_in_force_from_its_date(
        self, api: TestClient
    ) -> None:
        body = policy_body(
            assessment={"days": 15, "basis": "calendar_days", "enabled": True}, due_soon_days=3
        )
        response = api.post(POLICY, json=body)
        assert response.status_code == 201, response.text
        assert response.headers["Location"] == POLICY
        created = response.json()
        assert created["in_force_version"] == 2
        assert [(v["version"], v["in_force"]) for v in created["versions"]] == [
            (1, False),
            (2, True),
        ]
        assert created["versions"][1]["assessment"] == {
            "days": 15,
            "basis": "calendar_days",
            "enabled": True,
        }
        assert api.get(POLICY).json() == created
        # Effective next week: stored as version 3, version 2 stays in force today.
        later = api.post(POLICY, json=policy_body(effective_from="2025-03-10"))
        assert later.status_code == 201, later.text
        assert later.json()["in_force_version"] == 2
        assert [v["version"] for v in later.json()["versions"]] == [1, 2, 3]

    def test_a_retry_with_the_same_idempotency_key_adds_nothing(self, api: TestClient) -> None:
        headers = {"Idempotency-Key": "policy-2025-03"}
        first = api.post(POLICY, json=policy_body(), headers=headers)
        again = api.post(POLICY, json=policy_body(), headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert [v["version"] for v in api.get(POLICY).json()["versions"]] == [1, 2]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            (
                {"review": {"earliest_days": 43, "latest_days": 42, "basis": "calendar_days"}},
                "review.earliest_days",
            ),
            ({"effective_from": "2025-03-02"}, "effective_from"),
            (
                {"assessment": {"days": 20, "basis": "working_days", "enabled": False}},
                "assessment.enabled",
            ),
            (
                {"first_taf": {"days": 0, "basis": "working_days", "enabled": True}},
                "first_taf.days",
            ),
            (
                {"first_taf": {"days": "10", "basis": "working_days", "enabled": True}},
                "first_taf.days",
            ),
            (
                {"quality_assurance": {"days": 5, "basis": "fortnights", "enabled": True}},
                "quality_assurance.basis",
            ),
            ({"due_soon_days": 400}, "due_soon_days"),
            ({"first_taf_clock_start": "whenever"}, "first_taf_clock_start"),
            ({"reason": "  "}, "reason"),
            ({"version": 7}, "version"),
        ],
    )
    def test_invalid_values_are_422_naming_the_field(
        self, api: TestClient, overrides: dict[str, Any], field: str
    ) -> None:
        response = api.post(POLICY, json=policy_body(**overrides))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert fields(response) == [field]
        assert [v["version"] for v in api.get(POLICY).json()["versions"]] == [1]

    def test_the_full_policy_is_required(self, api: TestClient) -> None:
        body = policy_body()
        del body["review"]
        response = api.post(POLICY, json=body)
        assert response.status_code == 422
        assert fields(response) == ["review"]


def test_a_new_policy_version_changes_deadlines_of_clocks_that_start_afterwards_not_before(
    api: TestClient, new_uow: NewUow, reference: ReferenceData
) -> None:
    lead = given_lead(new_uow, "Dee Ward")
    with new_uow() as uow:
        history_before = uow.policies.history()
    # Consent on Mon 24 Feb under version 1: 20 working days, due Mon 24 March.
    before = given_episode(
        new_uow,
        hub_id=reference.hubs["NORTH"],
        lead_id=lead,
        requested_on=d(2, 24),
        steps=(assessing(d(2, 24), history_before),),
    )
    # From today, 3 March, the assessment is due in 10 calendar days.
    response = api.post(
        POLICY,
        json=policy_body(assessment={"days": 10, "basis": "calendar_days", "enabled": True}),
    )
    assert response.status_code == 201, response.text
    with new_uow() as uow:
        history_after = uow.policies.history()
    after = given_episode(
        new_uow,
        hub_id=reference.hubs["NORTH"],
        lead_id=lead,
        requested_on=d(3, 3),
        steps=(assessing(d(3, 3), history_after),),
    )

    items = api.get(OVERDUE, params={"as_of": "2025-03-20"}).json()["items"]
    seen = {
        i["episode_id"]: (i["policy_version"], i["due_on"], i["status"], i["days_until_due"])
        for i in items
    }
    assert seen == {
        str(after.id): (2, "2025-03-13", "overdue", -7),
        str(before.id): (1, "2025-03-24", "due_soon", 4),
    }
    with new_uow() as uow:
        kept = uow.episodes.deadline_history(before.id)
    assert [(k.policy_version, k.due_on) for k in kept] == [(1, date(2025, 3, 24))]


class TestALinkWorkerWithSeveralHubs:
    """Naming no hub, a link worker watching two sees both of them, and never a third."""

    @pytest.fixture
    def cara(self, api: TestClient, new_uow: NewUow, reference: ReferenceData) -> TestClient:
        from app.domain.access import Role
        from tests.builders import bearer, given_practitioner

        api.headers["Authorization"] = bearer(
            given_practitioner(
                new_uow,
                roles={Role.LINK_WORKER},
                hubs=frozenset({reference.hubs["NORTH"], reference.hubs["SOUTH"]}),
                name="Cara Link",
            )
        )
        return api

    def test_the_overdue_list_covers_all_their_hubs(
        self, cara: TestClient, world: World, reference: ReferenceData
    ) -> None:
        everything = cara.get(OVERDUE)
        assert everything.status_code == 200, everything.text
        assert names(world, everything.json()["items"]) == ["e1", "e3", "e6", "e2"]
        south = cara.get(OVERDUE, params={"hub_id": str(reference.hubs["SOUTH"])}).json()
        assert names(world, south["items"]) == ["e6"]
        refused = cara.get(OVERDUE, params={"hub_id": str(reference.hubs["CENTRAL"])})
        assert refused.status_code == 403

    @pytest.mark.usefixtures("world")
    def test_the_summary_says_which_hubs_it_counted(
        self, cara: TestClient, reference: ReferenceData
    ) -> None:
        summary = cara.get(SUMMARY).json()
        assert sorted(summary["hub_ids"]) == sorted(
            str(reference.hubs[h]) for h in ("NORTH", "SOUTH")
        )
        assert summary["hub_id"] is None
        assert {h["hub_code"] for h in summary["hubs"]} == {"NORTH", "SOUTH"}
