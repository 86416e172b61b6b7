"""Importing a caseload (issue 18 §3): each household whole or not at all, through the same rules
as the API, reported line by line, never twice, and only by an admin."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from app.clock import FixedClock
from app.db.models import AuditEntryRow, EpisodeRow, FamilyRow
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.errors import Forbidden
from app.services.interchange import ImportSummary, run_import
from app.services.use_case import Actor
from tests.builders import ReferenceData, Staff, acting_as, given_practitioner
from tests.interchange_builders import household, line_of

LEVELS = ["2", "3"]


@pytest.fixture
def admin(new_uow: Callable[[], SqlUnitOfWork]) -> Actor:
    return acting_as(new_uow, given_practitioner(new_uow, roles={Role.ADMIN}))


def run(
    new_uow: Callable[[], SqlUnitOfWork],
    clock: FixedClock,
    actor: Actor,
    *lines: str,
    dry_run: bool = False,
) -> ImportSummary:
    return run_import(new_uow, clock, actor, list(lines), dry_run=dry_run, levels=LEVELS)


def families(new_uow: Callable[[], SqlUnitOfWork]) -> int:
    with new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(FamilyRow)) or 0)


@pytest.fixture(autouse=True)
def directory(reference: ReferenceData, staff: Staff) -> None:
    """The hubs and the practitioners the file names by email."""


def test_a_household_is_imported_with_its_dated_history(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    summary = run(new_uow, clock, admin, line_of(household()))
    assert (summary.imported, summary.refused, summary.problems) == (1, 0, [])
    with new_uow() as uow:
        episode_id = uow.external_refs.find("episode", "OLD-E-1")
        assert episode_id is not None
        episode = uow.episodes.get(episode_id)
    assert episode is not None
    assert episode.stage.value == "active"
    assert episode.assessment_started_on.isoformat() == "2024-12-03"  # type: ignore[union-attr]
    assert episode.plan_submitted_on.isoformat() == "2024-12-20"  # type: ignore[union-attr]
    assert [d.decided_on.isoformat() for d in episode.qa_decisions] == ["2025-01-06"]


def test_running_the_same_file_again_creates_nothing_twice(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    run(new_uow, clock, admin, line_of(household()))
    again = run(new_uow, clock, admin, line_of(household()))
    assert (again.imported, again.already_imported, again.refused) == (0, 1, 0)
    assert families(new_uow) == 1


def test_a_dry_run_checks_everything_and_writes_nothing(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    bad = household(external_ref="OLD-HH-2")
    bad["episodes"][0]["closure"] = {"closed_on": "2024-12-10", "reason": "moved_away"}
    summary = run(new_uow, clock, admin, line_of(household()), line_of(bad), dry_run=True)
    assert (summary.imported, summary.refused) == (1, 1)
    assert [(p.line, p.path, p.code) for p in summary.problems] == [
        (2, "episodes[0].closure.closed_on", "step_date_before_previous_step")
    ]
    assert families(new_uow) == 0


def test_a_household_refused_at_its_last_step_leaves_nothing_behind(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    bad = household()
    bad["episodes"][0]["meetings"][0]["held_on"] = "2026-01-01"
    summary = run(new_uow, clock, admin, line_of(bad))
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].meetings[0].held_on", "step_date_in_future")
    ]
    assert families(new_uow) == 0
    with new_uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EpisodeRow)) == 0
        assert uow.external_refs.find("person", "OLD-P-1") is None


def test_every_problem_names_its_line_and_field(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    missing = household(external_ref="OLD-HH-3")
    del missing["address"]["postcode"]
    unknown = household(external_ref="OLD-HH-4")
    unknown["episodes"][0]["lead"] = "nobody@council.example"
    summary = run(new_uow, clock, admin, "{not json", line_of(missing), "", line_of(unknown))
    assert [(p.line, p.path, p.code) for p in summary.problems] == [
        (1, "", "interchange_json"),
        (2, "address.postcode", "interchange_field"),
        (4, "episodes[0].lead", "practitioner_unknown"),
    ]
    assert "nobody@council.example" in summary.problems[-1].reason
    assert summary.refused == 3


def test_an_unknown_ref_is_reported_at_its_field(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    bad = household()
    bad["episodes"][0]["meetings"][0]["attendees"] = ["OLD-T-9"]
    summary = run(new_uow, clock, admin, line_of(bad))
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].meetings[0].attendees[0]", "interchange_ref_unknown")
    ]


def test_only_an_admin_imports(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, staff: Staff
) -> None:
    with pytest.raises(Forbidden):
        run(new_uow, clock, acting_as(new_uow, staff.manager), line_of(household()))
    assert families(new_uow) == 0


def test_each_step_is_still_judged_as_the_practitioner_it_names(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    """The QA decision is the officer's to make: a lead named as the decider is refused."""
    bad = household()
    bad["episodes"][0]["plan"]["qa_reviews"][0]["decided_by"] = "lead@council.example"
    summary = run(new_uow, clock, admin, line_of(bad))
    assert summary.refused == 1
    assert summary.problems[0].path.startswith("episodes[0].plan.qa_reviews[0]")


def test_the_import_is_audited(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    summary = run(new_uow, clock, admin, line_of(household()))
    with new_uow() as uow:
        actions = list(
            uow.session.scalars(
                select(AuditEntryRow.action).where(
                    AuditEntryRow.actor_id == admin.principal.practitioner_id
                )
            )
        )
        replayed = uow.session.scalar(
            select(func.count())
            .select_from(AuditEntryRow)
            .where(AuditEntryRow.request_id == f"import:{summary.run_id}")
        )
    assert "import_household" in actions
    assert replayed


def test_a_person_already_imported_joins_a_second_household(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    second = copy.deepcopy(household(external_ref="OLD-HH-5", episodes=[], consents=[]))
    second["registered_by"] = "lead@council.example"
    second["relationships"] = []
    second["people"] = [second["people"][0]]
    summary = run(new_uow, clock, admin, line_of(household()), line_of(second))
    assert (summary.imported, summary.problems) == (2, [])
    with new_uow() as uow:
        person = uow.external_refs.find("person", "OLD-P-1")
        assert person is not None
        assert len(uow.families.households_of_person(person)) == 2


def with_history(**episode_fields: object) -> dict[str, object]:
    """The household, format version 2, with the given records added to its episode."""
    line = household(format_version=2)
    line["episodes"][0].update(episode_fields)
    return line


EVIDENCE = {"source": "School MIS", "reference": "ATT-2024-117"}


def test_a_handover_and_a_level_change_keep_their_dates_and_the_new_lead_carries_on(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, staff: Staff
) -> None:
    manager_admin = acting_as(
        new_uow, given_practitioner(new_uow, roles={Role.ADMIN, Role.MANAGER})
    )
    line = with_history(
        level_changes=[{"level_of_need": "3", "effective_on": "2024-12-10", "reason": "Escalated"}],
        lead_changes=[
            {"lead": "other_lead@council.example", "effective_on": "2025-01-20", "reason": "Leave"}
        ],
        closure={
            "closed_on": "2025-02-20",
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Calm mornings"},
        },
    )
    summary = run(new_uow, clock, manager_admin, line_of(line))
    assert (summary.imported, summary.problems) == (1, [])
    with new_uow() as uow:
        episode_id = uow.external_refs.find("episode", "OLD-E-1")
        assert episode_id is not None
        episode = uow.episodes.get(episode_id)
    assert episode is not None
    assert [(c.level, c.changed_on.isoformat()) for c in episode.level_history] == [
        ("2", "2024-11-25"),
        ("3", "2024-12-10"),
    ]
    assert [(a.practitioner_id, a.assigned_on.isoformat()) for a in episode.lead_history] == [
        (staff.lead, "2024-11-25"),
        (staff.other_lead, "2025-01-20"),
    ]
    assert episode.lead_practitioner_id == staff.other_lead
    assert episode.closed_on is not None


def test_a_handover_is_a_managers_decision_as_in_the_api(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = with_history(
        lead_changes=[{"lead": "other_lead@council.example", "effective_on": "2025-01-20"}]
    )
    summary = run(new_uow, clock, admin, line_of(line))
    assert summary.refused == 1
    assert [p.path for p in summary.problems] == ["episodes[0].lead_changes[0]"]
    assert families(new_uow) == 0


def test_a_handover_to_someone_outside_the_directory_is_reported_at_its_field(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = with_history(
        lead_changes=[{"lead": "nobody@council.example", "effective_on": "2025-01-20"}]
    )
    summary = run(new_uow, clock, admin, line_of(line))
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].lead_changes[0].lead", "practitioner_unknown")
    ]


def test_a_family_need_keeps_its_outcome_and_support_its_dates(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = with_history(
        family_needs=[
            {
                "external_ref": "OLD-FN-1",
                "descriptor_code": "EDU.a",
                "people": ["OLD-P-2"],
                "identified_on": "2024-12-02",
                "evidence": EVIDENCE,
                "assessment_need": "OLD-N-1",
                "outcome": {"status": "achieved", "on": "2025-02-10", "evidence": EVIDENCE},
            }
        ],
        support=[{"service": "Triple P", "provider": "Hub North", "started_on": "2024-12-05"}],
    )
    summary = run(new_uow, clock, admin, line_of(line))
    assert (summary.imported, summary.problems) == (1, [])
    with new_uow() as uow:
        episode_id = uow.external_refs.find("episode", "OLD-E-1")
        need_id = uow.external_refs.find("family_need", "OLD-FN-1")
        assert episode_id is not None
        assessment = uow.assessments.for_episode(episode_id)[0]
        (need,) = uow.needs.for_episodes([episode_id])
        (support,) = uow.needs.support_for([episode_id])
    assert need.record.need.id == need_id == assessment.needs[0].id
    assert need.record.outcome.on is not None
    assert need.record.outcome.on.isoformat() == "2025-02-10"
    assert support.support.started_on.isoformat() == "2024-12-05"


def test_a_need_outcome_before_the_need_was_identified_is_refused_at_its_field(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = with_history(
        family_needs=[
            {
                "external_ref": "OLD-FN-1",
                "descriptor_code": "EDU.a",
                "people": ["OLD-P-2"],
                "identified_on": "2024-12-02",
                "evidence": EVIDENCE,
                "outcome": {"status": "achieved", "on": "2024-11-30", "evidence": EVIDENCE},
            }
        ]
    )
    summary = run(new_uow, clock, admin, line_of(line))
    assert [p.path for p in summary.problems] == ["episodes[0].family_needs[0].outcome.on"]
    assert families(new_uow) == 0


def a_contact(**fields: object) -> dict[str, object]:
    return {
        "external_ref": "OLD-CT-1",
        "happened_on": "2025-01-10",
        "kind": "school",
        "recorded_by": "school_worker@council.example",
        "seen": ["OLD-P-2"],
        "children_seen_alone": ["OLD-P-2"],
        "child_voice": "Mornings are better",
        "note": "Ava on time all week.",
        **fields,
    }


def test_a_contact_is_recorded_as_the_taf_member_who_made_it_with_its_corrections(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor, staff: Staff
) -> None:
    correction = {
        "field": "note",
        "text": "Ava on time all week but Friday.",
        "reason": "Friday was late",
        "amended_by": "school_worker@council.example",
    }
    line = with_history(contacts=[a_contact(amendments=[correction])])
    summary = run(new_uow, clock, admin, line_of(line))
    assert (summary.imported, summary.problems) == (1, [])
    with new_uow() as uow:
        contact_id = uow.external_refs.find("contact", "OLD-CT-1")
        assert contact_id is not None
        contact = uow.contacts.get(contact_id)
    assert contact is not None
    assert (contact.recorded_by, contact.happened_on.isoformat()) == (
        staff.school_worker,
        "2025-01-10",
    )
    assert contact.note == "Ava on time all week."
    assert [a.text for a in contact.amendments] == ["Ava on time all week but Friday."]


def test_a_contact_by_someone_neither_leading_nor_on_the_taf_is_refused_at_its_field(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    """The same rule as the API's: only the lead or a TAF member records a contact."""
    line = with_history(contacts=[a_contact(recorded_by="other_lead@council.example")])
    summary = run(new_uow, clock, admin, line_of(line))
    assert summary.refused == 1
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].contacts[0]", "not_found")
    ]
    assert families(new_uow) == 0


def test_a_correction_that_changes_nothing_is_refused_at_its_amendment(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    same = {
        "field": "note",
        "text": "Ava on time all week.",
        "reason": "No change",
        "amended_by": "lead@council.example",
    }
    summary = run(
        new_uow, clock, admin, line_of(with_history(contacts=[a_contact(amendments=[same])]))
    )
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].contacts[0].amendments[0].text", "amendment_changes_nothing")
    ]


def test_a_revision_is_agreed_at_the_review_held_that_day(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = household(format_version=2)
    episode = line["episodes"][0]
    episode["meetings"].append(
        {
            "held_on": "2025-02-05",
            "attendees": ["OLD-T-1"],
            "family_present": True,
            "child_voice": "shared",
            "decision": "revise_plan",
        }
    )
    revised = {
        **episode["plan"]["outcomes"][0],
        "description": "Ava attends school every day and on time",
    }
    episode["plan_revisions"] = [{"outcomes": [revised], "agreed_on": "2025-02-05"}]
    summary = run(new_uow, clock, admin, line_of(line))
    assert (summary.imported, summary.problems) == (1, [])
    with new_uow() as uow:
        episode_id = uow.external_refs.find("episode", "OLD-E-1")
        assert episode_id is not None
        first, second = uow.plans.for_episode(episode_id)
    assert (first.status.value, second.status.value) == ("superseded", "agreed")
    assert second.agreed_on == date(2025, 2, 5)
    assert second.outcomes[0].id == first.outcomes[0].id


def test_a_revision_agreed_on_a_day_without_a_meeting_is_refused_at_its_date(
    new_uow: Callable[[], SqlUnitOfWork], clock: FixedClock, admin: Actor
) -> None:
    line = household(format_version=2)
    line["episodes"][0]["plan_revisions"] = [{"outcomes": [], "agreed_on": "2025-02-05"}]
    summary = run(new_uow, clock, admin, line_of(line))
    assert [(p.path, p.code) for p in summary.problems] == [
        ("episodes[0].plan_revisions[0].agreed_on", "interchange_revision_without_meeting")
    ]
