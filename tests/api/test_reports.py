"""The reports, checked against a small data set counted by hand and built through the API.

The period is the first quarter of 2025 (1 January to 31 March), reported on 15 April 2025.

| Family  | Hub     | Requested          | Source                 | Closed     | Reason / family view        |
|---------|---------|--------------------|------------------------|------------|-----------------------------|
| Upton   | NORTH   | 2025-01-06         | school                 | 2025-02-10 | stepped up / no             |
| Downs   | CENTRAL | 2025-01-13         | stepped down from SC   | 2025-03-03 | stepped down to universal / partly |
| Mettle  | NORTH   | 2025-01-20         | health visitor         | 2025-02-24 | all needs met / yes (EDU achieved) |
| Early   | NORTH   | 2024-01-10, again 2025-03-01 | other, then family asked | 2024-03-01 | moved away: back on day 365 |
| Late    | NORTH   | 2024-01-10, again 2025-03-02 | other, then gp | 2024-03-01 | moved away: back on day 366 |
| Edge    | NORTH   | 2024-12-02         | police                 | 2025-03-31 | disengaged (last day: in)   |
| Beyond  | NORTH   | 2024-12-02         | police                 | 2025-04-01 | disengaged (day after: out) |
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import reports_cli
from app.cli import cli
from app.clock import FixedClock
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.audit import AuditEntry
from app.reports_cli import OutputFormat, ReportName, run_report
from tests.api.test_episodes import (
    API,
    Case,
    assess_and_plan,
    assess_and_plan_on,
    give_consent,
    ok,
    on,
)
from tests.api.test_needs import achieve, record_need
from tests.api.test_requests import REQUESTS, new_household_request
from tests.builders import (
    ReferenceData,
    Staff,
    acting_as,
    as_user,
    given_practitioner,
    make_family_body,
    make_member_body,
)
from tests.conftest import TEST_NOW

MEASURES = f"{API}/reports/early-help-measures"
QUARTERLY = f"{API}/reports/quarterly-progress"
PERIOD = {"from": "2025-01-01", "to": "2025-03-31"}


@pytest.fixture
def reporter(new_uow: Any) -> Any:
    return given_practitioner(new_uow, roles={Role.REPORTING}, name="Reporting Job")


def open_case(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    surname: str,
    day: str,
    *,
    source: str,
    hub: str = "NORTH",
    **child: Any,
) -> Case:
    on(clock, day)
    body = make_family_body(reference.hubs[hub])
    body["members"] = [
        make_member_body("parent_carer", given_name="Sam", date_of_birth="1985-02-14"),
        make_member_body("child", given_name="Kit", **child),
    ]
    for member in body["members"]:
        member["person"]["family_name"] = surname
    family = ok(client.post(f"{API}/families", json=body), 201)
    return new_episode(client, clock, staff, family, day, source=source)


def new_episode(
    client: TestClient,
    clock: FixedClock,
    staff: Staff,
    family: dict[str, Any],
    day: str,
    *,
    source: str,
) -> Case:
    on(clock, day)
    child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
    response = client.post(
        f"{API}/episodes",
        json={
            "family_id": family["id"],
            "source": source,
            "level_of_need": "2",
            "lead_practitioner_id": str(staff.lead),
            "child_person_ids": [child],
        },
    )
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


def close(case: Case, day: str, reason: str, improved: str | None = None) -> None:
    on(case.clock, day)
    body: dict[str, Any] = {"reason": reason}
    if improved is not None:
        body["family_view"] = {"improved": improved, "in_their_words": "Said at closure"}
    case.post("/closure", body)


@dataclass
class World:
    early_again: Case
    late_again: Case


@pytest.fixture
def world(client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff) -> World:
    c = client
    early = open_case(c, clock, reference, staff, "Early", "2024-01-10", source="other",
                      date_of_birth="2009-03-01")  # fmt: skip
    late = open_case(c, clock, reference, staff, "Late", "2024-01-10", source="other",
                     date_of_birth="2005-06-01", send=True)  # fmt: skip
    close(early, "2024-03-01", "moved_away")
    close(late, "2024-03-01", "moved_away")

    edge = open_case(c, clock, reference, staff, "Edge", "2024-12-02", source="police")
    beyond = open_case(c, clock, reference, staff, "Beyond", "2024-12-02", source="police")
    record_need(beyond, descriptor_code="FIN.a", identified_on="2024-12-02")

    upton = open_case(c, clock, reference, staff, "Upton", "2025-01-06", source="school")
    downs = open_case(
        c, clock, reference, staff, "Downs", "2025-01-13",
        source="stepped_down_from_social_care", hub="CENTRAL",
        date_of_birth=None, expected_delivery_date="2025-05-01",
    )  # fmt: skip
    mettle = open_case(c, clock, reference, staff, "Mettle", "2025-01-20", source="health_visitor",
                       date_of_birth="2022-01-01", sex="female", ethnicity="WBRI")  # fmt: skip
    give_consent(mettle, day="2025-01-20")
    on(clock, "2025-01-21")
    assess_and_plan(mettle)
    on(clock, "2025-01-22")
    mettle.post("/plan-submission")  # meets the assessment clock, on time
    need = record_need(mettle, identified_on="2025-01-20")
    on(clock, "2025-02-20")
    achieve(mettle, need, "2025-02-20")

    close(upton, "2025-02-10", "stepped_up_to_social_care", "no")
    close(mettle, "2025-02-24", "all_needs_met", "yes")
    early_again = new_episode(c, clock, staff, early.family, "2025-03-01", source="family_asked")
    late_again = new_episode(c, clock, staff, late.family, "2025-03-02", source="gp")
    close(downs, "2025-03-03", "stepped_down_to_universal", "partly")
    on(clock, "2025-03-10")
    record_need(early_again, descriptor_code="HEALTH.a", identified_on="2025-03-10",
                emerged_later=True)  # fmt: skip
    close(edge, "2025-03-31", "disengaged")
    close(beyond, "2025-04-01", "disengaged")
    on(clock, "2025-04-15")
    return World(early_again=early_again, late_again=late_again)


def measures(client: TestClient, accept: str | None = None, **params: Any) -> Any:
    headers = {"Accept": accept} if accept else {}
    return client.get(MEASURES, params={**PERIOD, **params}, headers=headers)


@pytest.mark.usefixtures("world")
class TestEarlyHelpMeasures:
    def test_the_measures_match_the_hand_count(self, client: TestClient, reporter: Any) -> None:
        with as_user(client, reporter):
            report = ok(measures(client))
        m = report["overall"]
        assert (report["period_start"], report["period_end"], report["reentry_months"]) == (
            "2025-01-01",
            "2025-03-31",
            12,
        )
        assert m["families_with_assessment_or_plan"] == 1
        assert m["new_episodes"]["total"] == 5
        assert {k: v for k, v in m["new_episodes"]["by_source"].items() if v} == {
            "school": 1,
            "stepped_down_from_social_care": 1,
            "health_visitor": 1,
            "family_asked": 1,
            "gp": 1,
        }
        closures = m["closures"]
        assert closures["total"] == 4  # Edge on the last day is in; Beyond the day after is not
        assert {k: v for k, v in closures["by_reason"].items() if v} == {
            "stepped_up_to_social_care": 1,
            "all_needs_met": 1,
            "stepped_down_to_universal": 1,
            "disengaged": 1,
        }
        assert (closures["all_needs_met"], closures["all_needs_met_share"]) == (1, 0.25)
        assert closures["all_recorded_needs_achieved"] == 1
        assert closures["family_life_improved"] == {
            "yes": 1,
            "partly": 1,
            "no": 1,
            "not_recorded": 1,
        }
        assert m["step_ups"] == 1
        assert m["step_downs"] == {"from_social_care": 1, "to_universal": 1}
        # Early came back on day 365 after closing on 1 Mar 2024 (in); Late on day 366 (out).
        assert m["reentries"] == {"total": 1, "share_of_new_episodes": 0.2}
        # 35 (Upton), 35 (Mettle), 49 (Downs), 119 (Edge)
        assert m["length_of_support_days"] == {"closures": 4, "median": 42.0, "mean": 59.5}
        reach = m["reach"]
        assert reach["children"] == 5
        assert {k: v for k, v in reach["age_band"].items() if v} == {
            "unborn": 1,
            "0-4": 1,
            "5-10": 1,
            "16-18": 1,
            "19-25 SEND": 1,
        }
        assert reach["sex"] == {"female": 1, "not_recorded": 4}
        assert reach["ethnicity"] == {"WBRI": 1, "not_recorded": 4}
        assert reach["send"] == {"yes": 1, "no": 4}
        assert set(m["timeliness"]) == {"assessment", "first_taf", "review"}

        hubs = {h["hub_code"]: h["measures"] for h in report["hubs"]}
        assert list(hubs) == ["CENTRAL", "NORTH", "SOUTH"]
        assert hubs["CENTRAL"]["new_episodes"]["total"] == 1
        assert hubs["CENTRAL"]["step_downs"] == {"from_social_care": 1, "to_universal": 1}
        assert hubs["NORTH"]["closures"]["total"] == 3
        assert hubs["NORTH"]["reentries"]["total"] == 1
        assert hubs["SOUTH"]["new_episodes"]["total"] == 0
        assert hubs["SOUTH"]["length_of_support_days"]["median"] is None
        assert "Kit" not in str(report)
        assert "Mettle" not in str(report)

    def test_a_past_figure_is_reproduced_as_it_was_reported_with_known_at(
        self, client: TestClient, reporter: Any, world: World
    ) -> None:
        """Issue 18 §2: the quarter's figures as reported on 10 April stay the same after a
        closure dated in March is entered on 15 April; today's say one more came in late."""
        reported_at = "2025-04-10T00:00:00Z"
        with as_user(client, reporter):
            reported = ok(measures(client, known_at=reported_at))
        world.late_again.post("/closure", {"reason": "moved_away", "closed_on": "2025-03-20"})
        with as_user(client, reporter):
            again = ok(measures(client, known_at=reported_at))
            today = ok(measures(client))
        assert again["overall"] == reported["overall"]
        assert (again["known_at"], again["entered_after_period"]) == (
            reported_at,
            reported["entered_after_period"],
        )
        closures = today["overall"]["closures"]["total"]
        assert closures == reported["overall"]["closures"]["total"] + 1
        assert today["entered_after_period"] == reported["entered_after_period"] + 1
        assert today["known_at"] is None

    def test_the_reentry_window_is_a_parameter(self, client: TestClient, reporter: Any) -> None:
        with as_user(client, reporter):
            wider = ok(measures(client, reentry_months=13))
            narrower = ok(measures(client, reentry_months=11))
            refused = measures(client, reentry_months=0)
        assert wider["overall"]["reentries"]["total"] == 2
        assert narrower["overall"]["reentries"]["total"] == 0
        assert refused.status_code == 422

    def test_the_timeliness_rates_are_the_timeliness_summarys(
        self, client: TestClient, reporter: Any, staff: Staff
    ) -> None:
        with as_user(client, reporter):
            report = ok(measures(client))
        with as_user(client, staff.manager):
            summary = ok(
                client.get(f"{API}/timeliness/summary", params={**PERIOD, "as_of": "2025-04-01"})
            )
        assert report["timeliness_as_of"] == "2025-04-01"
        rates = {r["kind"]: r for r in summary["rates"]}
        for kind, mine in report["overall"]["timeliness"].items():
            theirs = rates[kind]
            assert (mine["met_on_time"], mine["met_late"], mine["overdue_unmet"]) == (
                theirs["met_on_time"],
                theirs["met_late"],
                theirs["overdue_unmet"],
            )
        assessment = report["overall"]["timeliness"]["assessment"]
        assert (assessment["met_on_time"], assessment["share_on_time"]) == (1, 1.0)

    def test_json_and_csv_carry_the_same_numbers(self, client: TestClient, reporter: Any) -> None:
        with as_user(client, reporter):
            as_json = ok(measures(client))
            response = measures(client, accept="text/csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["scope", "measure", "dimension", "group", "value"]
        from_csv = {tuple(r[:4]): r[4] for r in rows[1:]}
        assert len(from_csv) == len(rows) - 1  # every figure once
        expected = dict(flatten("all", as_json["overall"]))
        for hub in as_json["hubs"]:
            expected.update(flatten(hub["hub_code"], hub["measures"]))
        assert from_csv == expected
        assert from_csv[("all", "reentries", "total", "")] == "1"
        assert from_csv[("NORTH", "length_of_support_days", "median", "")] == "35.0"

    def test_only_the_reporting_roles_read_it(
        self, client: TestClient, world: World, staff: Staff, reporter: Any
    ) -> None:
        assert measures(client).status_code == 403  # the client is signed in as a lead
        with as_user(client, staff.link_worker):
            assert measures(client).status_code == 403
        with as_user(client, staff.manager):
            assert measures(client).status_code == 200
        with as_user(client, reporter):
            assert measures(client).status_code == 200
            # ... and the reporting account still reaches no case record
            episode = client.get(f"{API}/episodes/{world.early_again.episode['id']}")
            assert episode.status_code == 404

    def test_a_hub_and_a_bad_period_are_checked(
        self, client: TestClient, reporter: Any, reference: ReferenceData
    ) -> None:
        with as_user(client, reporter):
            central = ok(measures(client, hub_id=str(reference.hubs["CENTRAL"])))
            backwards = client.get(MEASURES, params={"from": "2025-03-31", "to": "2025-01-01"})
            unknown = measures(client, hub_id="7d0f8a0e-0000-4000-8000-000000000000")
        assert central["overall"]["new_episodes"]["total"] == 1
        assert [h["hub_code"] for h in central["hubs"]] == ["CENTRAL"]
        assert backwards.status_code == 422
        assert unknown.status_code == 422


def known_now(clock: FixedClock) -> str:
    """The service's present instant, as a report's `known_at`."""
    return clock.instant.isoformat().replace("+00:00", "Z")


@pytest.fixture
def officer(new_uow: Any) -> Any:
    return given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Frontdoor")


def front_door_request(client: TestClient, received_on: str) -> Any:
    return ok(client.post(REQUESTS, json=new_household_request(received_on=received_on)), 201)


class TestFiguresAsKnownAt:
    """Issue 18 §2: every figure of the dashboard counts only what had been recorded by
    `known_at`, so a quarter reported on 15 April reads the same after work dated in March is
    entered on 16 April; today's figures take it in and say it came in after the period."""

    def test_an_assessment_entered_later_does_not_change_the_families_assessed_as_reported(
        self, client: TestClient, clock: FixedClock, reporter: Any, world: World
    ) -> None:
        reported_at = known_now(clock)
        with as_user(client, reporter):
            reported = ok(measures(client, known_at=reported_at))
        on(clock, "2025-04-16")
        give_consent(world.late_again, day="2025-03-02")
        assess_and_plan_on(world.late_again, started_on="2025-03-03", completed_on="2025-03-10")
        with as_user(client, reporter):
            again = ok(measures(client, known_at=reported_at))
            today = ok(measures(client))
        assert again == reported
        assert reported["overall"]["families_with_assessment_or_plan"] == 1
        assert today["overall"]["families_with_assessment_or_plan"] == 2
        assert today["entered_after_period"] > reported["entered_after_period"]

    def test_an_outcome_entered_later_does_not_change_the_closures_with_every_need_achieved(
        self, client: TestClient, clock: FixedClock, reporter: Any, world: World
    ) -> None:
        case = world.early_again
        case.post("/closure", {"reason": "moved_away", "closed_on": "2025-03-25"})
        (need,) = ok(client.get(f"{case.url}/needs"))
        reported_at = known_now(clock)
        with as_user(client, reporter):
            reported = ok(measures(client, known_at=reported_at))
        on(clock, "2025-04-16")
        achieve(case, need, "2025-03-20")
        with as_user(client, reporter):
            again = ok(measures(client, known_at=reported_at))
            today = ok(measures(client))
        assert again == reported
        assert reported["overall"]["closures"]["all_recorded_needs_achieved"] == 1  # Mettle
        assert today["overall"]["closures"]["all_recorded_needs_achieved"] == 2
        assert today["entered_after_period"] == reported["entered_after_period"] + 1

    @pytest.mark.usefixtures("world")
    def test_requests_and_decisions_entered_later_do_not_change_the_front_door_as_reported(
        self, client: TestClient, clock: FixedClock, reporter: Any, officer: Any
    ) -> None:
        with as_user(client, officer):
            waiting = front_door_request(client, "2025-03-14")
        reported_at = known_now(clock)
        with as_user(client, reporter):
            reported = ok(measures(client, known_at=reported_at))
        on(clock, "2025-04-16")
        with as_user(client, officer):
            front_door_request(client, "2025-03-20")
            decision = {"outcome": "signpost", "reason": "Group", "decided_on": "2025-03-17"}
            ok(
                client.post(
                    f"{REQUESTS}/{waiting['id']}/decision",
                    json=decision,
                    headers={"If-Match": f'"{waiting["version"]}"'},
                )
            )
        with as_user(client, reporter):
            again = ok(measures(client, known_at=reported_at))
            today = ok(measures(client))
        assert again == reported
        door = reported["overall"]["front_door"]
        assert (door["requests"], door["by_outcome"]["awaiting_decision"]) == (1, 1)
        door = today["overall"]["front_door"]
        assert (door["requests"], door["by_outcome"]["signpost"]) == (2, 1)
        # The late request, and the decision on the request that was waiting.
        assert today["entered_after_period"] == reported["entered_after_period"] + 2


@pytest.mark.usefixtures("world")
class TestQuarterlyProgress:
    def test_the_quarter_matches_the_hand_count(self, client: TestClient, reporter: Any) -> None:
        with as_user(client, reporter):
            report = ok(client.get(QUARTERLY, params={"quarter_end": "2025-03-31"}))
            response = client.get(
                QUARTERLY, params={"quarter_end": "2025-03-31"}, headers={"Accept": "text/csv"}
            )
            wrong = client.get(QUARTERLY, params={"quarter_end": "2025-03-30"})
        assert (report["quarter_start"], report["quarter_end"]) == ("2025-01-01", "2025-03-31")
        # Open at some time in the quarter: all but Early's and Late's first episodes.
        assert report["families_attached"] == 7
        assert report["families_open_at_quarter_end"] == 3  # Early, Late (again) and Beyond
        assert report["families_closed_in_quarter"] == 4  # Upton, Mettle, Downs and Edge
        assert report["needs_at_attachment"] == {"EDU": 1, "FIN": 1}
        assert report["emerging_needs"] == {"HEALTH": 1}
        assert report["outcomes_achieved"] == {"EDU": 1}
        # No family here has the needs, outcomes and sustainment a claim needs: every line is 0.
        assert report["claims"]["families_newly_claimable"] == 0
        assert report["claims"]["families_claimable_unclaimed"] == 0
        assert set(report["claims"]["claims_by_state"].values()) == {0}
        assert report["claims"]["value_submitted_pence"] == 0
        rows = list(csv.reader(io.StringIO(response.text)))
        from_csv = {tuple(r[:4]): r[4] for r in rows[1:]}
        numbers = {
            k: v
            for k, v in report.items()
            if k not in {"quarter_start", "quarter_end", "hub_id", "scope", "definitions"}
            and k not in {"known_at", "entered_after_period"}
        }
        assert from_csv == dict(flatten("all", numbers))
        assert wrong.status_code == 422


class TestQuarterAsKnownAt:
    def test_a_quarter_is_reproduced_as_it_was_sent_after_back_dated_work_is_entered(
        self, client: TestClient, clock: FixedClock, reporter: Any, world: World
    ) -> None:
        """Issue 18 §2: a closure and an outcome dated in March but entered on 16 April leave
        the return sent on 15 April as it was; today's takes them in and counts them late."""
        sent_at = known_now(clock)
        params = {"quarter_end": "2025-03-31", "known_at": sent_at}
        with as_user(client, reporter):
            sent = ok(client.get(QUARTERLY, params=params))
        on(clock, "2025-04-16")
        (need,) = ok(client.get(f"{world.early_again.url}/needs"))
        achieve(world.early_again, need, "2025-03-15")
        world.late_again.post("/closure", {"reason": "moved_away", "closed_on": "2025-03-20"})
        with as_user(client, reporter):
            again = ok(client.get(QUARTERLY, params=params))
            today = ok(client.get(QUARTERLY, params={"quarter_end": "2025-03-31"}))
        assert again == sent
        assert (sent["families_closed_in_quarter"], sent["outcomes_achieved"]) == (4, {"EDU": 1})
        assert (today["families_closed_in_quarter"], today["outcomes_achieved"]) == (
            5,
            {"EDU": 1, "HEALTH": 1},
        )
        assert today["entered_after_period"] == sent["entered_after_period"] + 2


@pytest.mark.usefixtures("world")
def test_the_command_reproduces_a_past_report_with_known_at(
    client: TestClient,
    clock: FixedClock,
    reporter: Any,
    scheduler: Scheduler,
    world: World,
    tmp_path: Path,
) -> None:
    """`familyhub report --known-at` writes what the API answered then, after back-dated work."""
    reported_at = known_now(clock)
    with as_user(client, reporter):
        served = measures(client, accept="text/csv", known_at=reported_at).text
    on(clock, "2025-04-16")
    world.late_again.post("/closure", {"reason": "moved_away", "closed_on": "2025-03-20"})
    args = ["early-help-measures", "--from", "2025-01-01", "--to", "2025-03-31"]
    who = ["--as", scheduler.email_of(reporter), "--format", "csv"]
    then, now = tmp_path / "then.csv", tmp_path / "now.csv"
    ran = scheduler.run(*args, *who, "--known-at", reported_at, "--output", str(then))
    scheduler.run(*args, *who, "--output", str(now))
    bad = scheduler.run(*args, *who, "--known-at", "2025-04-10T00:00:00")
    assert ran.exit_code == 0, ran.stderr
    assert then.read_bytes().decode("utf-8") == served
    assert now.read_bytes().decode("utf-8") != served
    assert (bad.exit_code, bad.stderr) == (
        2,
        "known_at: known_at must carry its time zone (for example 2026-04-01T00:00:00Z).\n",
    )


@pytest.mark.usefixtures("world")
def test_the_cli_writes_what_the_api_answers(
    client: TestClient, reporter: Any, new_uow: Any, clock: FixedClock, tmp_path: Any
) -> None:
    from datetime import date

    target = tmp_path / "measures.csv"
    run_report(
        new_uow,
        clock,
        acting_as(new_uow, reporter),
        name=ReportName.EARLY_HELP_MEASURES,
        start=date(2025, 1, 1),
        end=date(2025, 3, 31),
        output_format=OutputFormat.CSV,
        output=target,
    )
    with as_user(client, reporter):
        served = measures(client, accept="text/csv").text
    assert target.read_bytes().decode("utf-8") == served
    quarter = tmp_path / "quarter.json"
    run_report(
        new_uow,
        clock,
        acting_as(new_uow, reporter),
        name=ReportName.QUARTERLY_PROGRESS,
        start=None,
        end=date(2025, 3, 31),
        output_format=OutputFormat.JSON,
        output=quarter,
    )
    with as_user(client, reporter):
        assert ok(client.get(QUARTERLY, params={"quarter_end": "2025-03-31"})) == __import__(
            "json"
        ).loads(quarter.read_text())


def flatten(scope: str, node: dict[str, Any], path: tuple[str, ...] = ()) -> list[Any]:
    """The test's own reading of a JSON report section as (scope, measure, dimension, group)."""
    out: list[Any] = []
    for key, value in node.items():
        here = (*path, key)
        if isinstance(value, dict):
            out.extend(flatten(scope, value, here))
        else:
            measure, dimension, group = (*here, "", "")[:3]
            cell = "" if value is None else str(value)
            out.append(((scope, measure, dimension, group), cell))
    return out


# --- `familyhub report --as` ---------------------------------------------------------------------


@dataclass
class Scheduler:
    """Runs `familyhub report` against the test's database, as a scheduled job would."""

    new_uow: Callable[[], SqlUnitOfWork]

    def run(self, *args: str) -> Any:
        return CliRunner().invoke(cli, ["report", *args])

    def email_of(self, practitioner_id: uuid.UUID) -> str:
        with self.new_uow() as uow:
            practitioner = uow.practitioners.get(practitioner_id)
        assert practitioner is not None
        return practitioner.email

    def entries_of(self, practitioner_id: uuid.UUID) -> list[AuditEntry]:
        with self.new_uow() as uow:
            return [e for e in uow.audit.entries() if e.actor_id == practitioner_id]


@pytest.fixture
def scheduler(monkeypatch: pytest.MonkeyPatch, new_uow: Any, clock: FixedClock) -> Scheduler:
    monkeypatch.setattr(reports_cli, "report_units_of_work", lambda: new_uow)
    monkeypatch.setattr(reports_cli, "report_clock", lambda: clock)
    return Scheduler(new_uow)


QUARTER = ["quarterly-progress", "--to", "2025-03-31", "--format", "csv"]


@pytest.mark.usefixtures("world")
def test_the_reporting_account_runs_a_report_from_the_command_line_and_the_read_is_audited(
    client: TestClient, scheduler: Scheduler, reporter: Any, tmp_path: Path
) -> None:
    target = tmp_path / "q1.csv"
    result = scheduler.run(*QUARTER, "--as", scheduler.email_of(reporter), "--output", str(target))
    assert result.exit_code == 0, result.stderr
    with as_user(client, reporter):
        served = client.get(
            QUARTERLY, params={"quarter_end": "2025-03-31"}, headers={"Accept": "text/csv"}
        )
    assert target.read_bytes().decode("utf-8") == served.text
    from_the_command = [
        e for e in scheduler.entries_of(reporter) if e.request_id != served.headers["X-Request-ID"]
    ]
    assert [(e.action, e.resource_id, e.outcome) for e in from_the_command] == [
        ("read_reports", "quarterly-progress", "allowed")
    ]
    assert (from_the_command[0].request_id or "").startswith("cli-report-")


def test_a_practitioner_whose_roles_do_not_allow_reports_is_refused_with_exit_code_2(
    scheduler: Scheduler, staff: Staff
) -> None:
    lead = scheduler.email_of(staff.lead)
    result = scheduler.run(*QUARTER, "--as", lead)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"--as: {lead} may not run quarterly-progress: it needs the manager, reporting or "
        "auditor role (the refusal is audited)\n"
    )
    assert [(e.action, e.outcome) for e in scheduler.entries_of(staff.lead)] == [
        ("read_reports", "denied")
    ]


@pytest.mark.usefixtures("reference")
def test_an_unknown_or_inactive_practitioner_is_refused_with_exit_code_2(
    scheduler: Scheduler, new_uow: Any
) -> None:
    unknown = scheduler.run(*QUARTER, "--as", "nobody@council.example")
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "--as: There is no active practitioner with the email nobody@council.example.\n"
    )
    retired = given_practitioner(new_uow, roles={Role.REPORTING}, name="Old Reporting Job")
    with new_uow() as uow:
        practitioner = uow.practitioners.get(retired)
        assert practitioner is not None
        uow.practitioners.save(replace(practitioner, active=False), at=TEST_NOW)
        uow.commit()
    inactive = scheduler.run(*QUARTER, "--as", scheduler.email_of(retired))
    assert inactive.exit_code == 2
    assert "There is no active practitioner" in inactive.stderr
    assert scheduler.entries_of(retired) == []


def test_the_command_needs_to_know_who_runs_it() -> None:
    result = CliRunner().invoke(cli, ["report", *QUARTER])
    assert result.exit_code == 2
    assert "--as" in result.stderr
