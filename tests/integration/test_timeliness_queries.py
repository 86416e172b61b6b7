"""The overdue list and the timeliness summary, read from stored deadlines.

Episodes are walked through the process with the domain (the England and Wales calendar and the
seeds' default policy: assessment 20 working days, QA 5, first TAF 10, reviews day 28-42, due
soon within 5 days) and stored through the repositories. Expected dates are worked out by hand
below; 1 January 2025 is the only bank holiday in the period.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.clock import FixedClock
from app.db.queries.timeliness import SqlTimelinessQueries
from app.db.repositories.reference import packaged_calendar
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaDecision,
    QaOutcome,
    RequestSource,
    open_episode,
)
from app.domain.errors import InvalidValue
from app.domain.families import Address, Family, MemberRole, Membership, Person
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import Practitioner
from app.domain.timeliness import (
    DEFAULT_POLICY,
    DeadlineKind,
    DeadlineStatus,
    PolicyHistory,
    assess,
)
from app.services import timeliness as service
from app.services.timeliness import OverdueItem, TimelinessSummary
from app.services.use_case import Actor
from tests.builders import ReferenceData, Statements, acting_as, given_practitioner

NewUow = Callable[[], SqlUnitOfWork]

LEVELS = ("2", "3")
CALENDAR = packaged_calendar()
HISTORY = PolicyHistory((DEFAULT_POLICY,))
AT = datetime(2025, 3, 3, 10, tzinfo=UTC)
TODAY = date(2025, 3, 3)
CLOCK = FixedClock(AT)
_references = itertools.count(1)


def d(month: int, day: int) -> date:
    return date(2025, month, day)


# --- builders: a lead, a family, an episode walked through its steps -----------------------------

Step = Callable[[Episode], None]


def assessing(on: date, history: PolicyHistory = HISTORY) -> Step:
    """Consent given and the assessment started on `on`: the assessment clock starts."""
    return lambda e: e.start_assessment(
        on, consent_given_on=on, policy_history=history, calendar=CALENDAR
    )


def submitted(on: date, history: PolicyHistory = HISTORY) -> Step:
    """Plan sent to QA: meets the assessment clock, starts the QA clock."""
    return lambda e: e.submit_plan_for_qa(
        on,
        assessment_completed=True,
        plan_has_outcomes=True,
        policy_history=history,
        calendar=CALENDAR,
    )


def approved(on: date, history: PolicyHistory = HISTORY) -> Step:
    """QA approves: meets the QA clock, starts the first-TAF clock."""
    decision = QaDecision(
        outcome=QaOutcome.APPROVED,
        decided_on=on,
        officer_id=uuid.uuid4(),
        comments="",
        plan_version=1,
    )
    return lambda e: e.record_qa_decision(decision, history, CALENDAR)


def met(on: date, history: PolicyHistory = HISTORY) -> Step:
    """A TAF meeting: meets the waiting clock, starts the next review clock."""

    def step(e: Episode) -> None:
        e.hold_meeting(
            on,
            decision=MeetingDecision.CONTINUE_PLAN,
            policy_history=history,
            calendar=CALENDAR,
        )

    return step


def closed(on: date) -> Step:
    view = FamilyView(improved=FamilyLifeImproved.PARTLY, in_their_words="Mornings are calmer.")
    return lambda e: e.close(on, ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT, view)


def given_lead(new_uow: NewUow, name: str) -> uuid.UUID:
    practitioner = Practitioner(
        id=uuid.uuid4(),
        name=name,
        email=f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@council.example",
        agency_code="COUNCIL_EH",
        roles=frozenset({Role.PRACTITIONER}),
    )
    with new_uow() as uow:
        uow.practitioners.add(practitioner, at=AT)
        uow.commit()
    return practitioner.id


def given_family(uow: SqlUnitOfWork, hub_id: uuid.UUID) -> tuple[Family, uuid.UUID]:
    reference = f"TL-{next(_references):05d}"
    child = Person(
        id=uuid.uuid4(), given_name="Ava", family_name="Hughes", date_of_birth=date(2017, 6, 1)
    )
    uow.people.add(child, at=AT)
    family = Family(
        id=uuid.uuid4(),
        reference=reference,
        address=Address.create(line1="12 Cedar Road", postcode="FY1 3HT"),
        hub_id=hub_id,
    )
    family.add_member(
        Membership(
            id=uuid.uuid4(),
            family_id=family.id,
            person_id=child.id,
            role=MemberRole.CHILD,
            joined_on=date(2024, 1, 1),
        )
    )
    uow.families.add(family, at=AT)
    return family, child.id


def given_episode(
    new_uow: NewUow,
    *,
    hub_id: uuid.UUID,
    lead_id: uuid.UUID,
    requested_on: date,
    steps: tuple[Step, ...] = (),
    level: str = "2",
) -> Episode:
    """An episode stored after each step, as the services store it, so every clock is kept."""
    with new_uow() as uow:
        family, child_id = given_family(uow, hub_id)
        episode = open_episode(
            id=uuid.uuid4(),
            family_id=family.id,
            hub_id=hub_id,
            source=RequestSource.SCHOOL,
            level_of_need=level,
            allowed_levels=LEVELS,
            lead_practitioner_id=lead_id,
            child_person_ids=(child_id,),
            requested_on=requested_on,
        )
        uow.episodes.add(episode, at=AT)
        for step in steps:
            step(episode)
            uow.episodes.save(episode, at=AT)
        uow.commit()
    return episode


# --- the scenario --------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    amira: uuid.UUID
    ben: uuid.UUID
    episodes: dict[str, Episode]

    def id(self, name: str) -> uuid.UUID:
        return self.episodes[name].id


def given_world(new_uow: NewUow, reference: ReferenceData) -> World:
    """Six episodes at different stages (hand-computed due dates in the comments).

    e1 NORTH/Amira, assessing since Mon 6 Jan: assessment due Mon 3 Feb, never met.
    e2 NORTH/Amira, assessing since Mon 10 Feb (due 10 Mar), plan sent Wed 26 Feb: QA due Wed 5 Mar.
    e3 NORTH/Ben, assessing since Mon 13 Jan (due 10 Feb), plan sent Mon 27 Jan (QA due Mon 3 Feb),
       approved Wed 5 Feb (QA met 2 days late): first TAF due Wed 19 Feb, never held.
    e4 CENTRAL/Amira, assessing since Mon 6 Jan (due 3 Feb), plan sent Mon 20 Jan (QA due Mon 27
       Jan), approved Wed 22 Jan (first TAF due Wed 5 Feb), first TAF Mon 3 Feb: review due
       3 Mar to 17 Mar.
    e5 NORTH/Amira, assessing since Mon 6 Jan (due 3 Feb), closed Thu 20 Feb: clock stopped.
    e6 SOUTH/Ben, level 3, assessing since Mon 3 Feb: assessment due Mon 3 Mar.
    """
    hubs = reference.hubs
    amira = given_lead(new_uow, "Amira Khan")
    ben = given_lead(new_uow, "Ben Lowe")
    north, central, south = hubs["NORTH"], hubs["CENTRAL"], hubs["SOUTH"]
    plans: dict[str, dict[str, Any]] = {
        "e1": {"hub_id": north, "lead_id": amira, "steps": (assessing(d(1, 6)),)},
        "e2": {
            "hub_id": north,
            "lead_id": amira,
            "steps": (assessing(d(2, 10)), submitted(d(2, 26))),
        },
        "e3": {
            "hub_id": north,
            "lead_id": ben,
            "steps": (assessing(d(1, 13)), submitted(d(1, 27)), approved(d(2, 5))),
        },
        "e4": {
            "hub_id": central,
            "lead_id": amira,
            "steps": (
                assessing(d(1, 6)),
                submitted(d(1, 20)),
                approved(d(1, 22)),
                met(d(2, 3)),
            ),
        },
        "e5": {"hub_id": north, "lead_id": amira, "steps": (assessing(d(1, 6)), closed(d(2, 20)))},
        "e6": {"hub_id": south, "lead_id": ben, "steps": (assessing(d(2, 3)),), "level": "3"},
    }
    episodes = {
        name: given_episode(new_uow, requested_on=d(1, 6), **plan) for name, plan in plans.items()
    }
    return World(amira=amira, ben=ben, episodes=episodes)


@pytest.fixture
def world(new_uow: NewUow, reference: ReferenceData) -> World:
    return given_world(new_uow, reference)


def as_manager(new_uow: NewUow) -> Actor:
    """A manager: these tests are about the queries, so the reader watches the whole council."""
    return acting_as(new_uow, given_practitioner(new_uow, roles={Role.MANAGER}))


def list_overdue(
    new_uow: NewUow, as_of: date, actor: Actor | None = None, **kwargs: Any
) -> Page[OverdueItem]:
    page = kwargs.pop("page", PageRequest())
    return service.overdue(
        new_uow(), CLOCK, actor or as_manager(new_uow), as_of=as_of, page=page, **kwargs
    )


def all_pages(new_uow: NewUow, as_of: date, limit: int, **kwargs: Any) -> list[OverdueItem]:
    items: list[OverdueItem] = []
    page = list_overdue(new_uow, as_of, page=PageRequest(limit=limit), **kwargs)
    items += page.items
    while page.next_cursor:
        page = list_overdue(
            new_uow, as_of, page=PageRequest.parse(limit, page.next_cursor), **kwargs
        )
        items += page.items
    return items


def summarise(
    new_uow: NewUow, as_of: date, actor: Actor | None = None, **kwargs: Any
) -> TimelinessSummary:
    return service.summary(new_uow(), CLOCK, actor or as_manager(new_uow), as_of=as_of, **kwargs)


def seen(items: list[OverdueItem], world: World) -> list[tuple[str, str, str, int, int | None]]:
    """(episode, kind, status, days overdue, days until due), in the list's order."""
    names = {e.id: name for name, e in world.episodes.items()}
    return [
        (
            names[i.row.episode_id],
            i.row.kind.value,
            i.state.status.value,
            i.state.days_overdue,
            i.state.days_until_due,
        )
        for i in items
    ]


# --- the overdue list ----------------------------------------------------------------------------


class TestOverdueList:
    def test_today_most_overdue_first_with_due_soon_after(
        self, new_uow: NewUow, world: World
    ) -> None:
        page = list_overdue(new_uow, TODAY)
        assert seen(page.items, world) == [
            ("e1", "assessment", "overdue", 28, -28),
            ("e3", "first_taf", "overdue", 12, -12),
            ("e6", "assessment", "due_soon", 0, 0),
            ("e2", "quality_assurance", "due_soon", 0, 2),
        ]
        assert page.next_cursor is None

    def test_rows_carry_the_episode_family_hub_and_lead(
        self, new_uow: NewUow, world: World, reference: ReferenceData
    ) -> None:
        first = list_overdue(new_uow, TODAY).items[0].row
        e1 = world.episodes["e1"]
        with new_uow() as uow:
            family = uow.families.get(e1.family_id)
        assert family is not None
        assert first.episode_id == e1.id
        assert first.family_id == e1.family_id
        assert first.family_reference == family.reference
        assert (first.hub_id, first.hub_code, first.hub_name) == (
            reference.hubs["NORTH"],
            "NORTH",
            "North Family Hub",
        )
        assert (first.lead_practitioner_id, first.lead_name) == (world.amira, "Amira Khan")
        assert (first.level_of_need, first.stage) == ("2", EpisodeStage.ASSESSING)
        assert (first.started_on, first.due_on, first.due_from) == (d(1, 6), d(2, 3), None)
        assert (first.met_on, first.stopped_on, first.policy_version) == (None, None, 1)

    def test_a_past_as_of_sees_clocks_later_met_or_stopped_and_ignores_later_ones(
        self, new_uow: NewUow, world: World
    ) -> None:
        on_1_feb = seen(list_overdue(new_uow, d(2, 1)).items, world)
        # e1, e3's QA clock and e5 are all due on 3 Feb (tied, so in deadline id order);
        # e4's first-TAF clock was met on 3 Feb and e5's was stopped on 20 Feb, both later.
        assert sorted(on_1_feb[:3]) == [
            ("e1", "assessment", "due_soon", 0, 2),
            ("e3", "quality_assurance", "due_soon", 0, 2),
            ("e5", "assessment", "due_soon", 0, 2),
        ]
        assert on_1_feb[3:] == [("e4", "first_taf", "due_soon", 0, 4)]
        # On 5 Feb e3's QA clock is met that very day, so it no longer counts.
        assert sorted(seen(list_overdue(new_uow, d(2, 5)).items, world)) == [
            ("e1", "assessment", "overdue", 2, -2),
            ("e5", "assessment", "overdue", 2, -2),
        ]
        # Before any clock started there is nothing.
        assert list_overdue(new_uow, d(1, 5)).items == []

    def test_filters(self, new_uow: NewUow, world: World, reference: ReferenceData) -> None:
        def names(**kwargs: Any) -> list[str]:
            return [row[0] for row in seen(list_overdue(new_uow, TODAY, **kwargs).items, world)]

        assert names(hub_id=reference.hubs["SOUTH"]) == ["e6"]
        assert names(hub_id=reference.hubs["CENTRAL"]) == []
        assert names(lead_practitioner_id=world.ben) == ["e3", "e6"]
        assert names(lead_practitioner_id=world.amira) == ["e1", "e2"]
        assert names(kind=DeadlineKind.FIRST_TAF) == ["e3"]
        assert names(kind=DeadlineKind.REVIEW) == []
        assert names(level_of_need="3") == ["e6"]
        assert names(hub_id=reference.hubs["NORTH"], lead_practitioner_id=world.amira) == [
            "e1",
            "e2",
        ]

    def test_the_review_window_counts_from_its_latest_day(
        self, new_uow: NewUow, world: World
    ) -> None:
        # e4's review is due 3 to 17 March: on 12 March it is due soon, on 18 March overdue.
        assert ("e4", "review", "due_soon", 0, 5) in seen(
            list_overdue(new_uow, d(3, 12)).items, world
        )
        assert ("e4", "review", "overdue", 1, -1) in seen(
            list_overdue(new_uow, d(3, 18), kind=DeadlineKind.REVIEW).items, world
        )

    @pytest.mark.usefixtures("world")
    def test_every_page_size_gives_the_same_list(self, new_uow: NewUow) -> None:
        whole = [i.row.deadline_id for i in list_overdue(new_uow, TODAY).items]
        for limit in (1, 2, 3):
            assert [i.row.deadline_id for i in all_pages(new_uow, TODAY, limit)] == whole

    def test_paging_is_stable_when_an_earlier_clock_appears_between_pages(
        self, new_uow: NewUow, world: World, reference: ReferenceData
    ) -> None:
        first = list_overdue(new_uow, TODAY, page=PageRequest(limit=2))
        assert [row[0] for row in seen(first.items, world)] == ["e1", "e3"]
        assert first.next_cursor is not None
        # Assessing since Mon 20 Jan: due Mon 17 Feb, before the cursor (e3, 19 Feb).
        late = given_episode(
            new_uow,
            hub_id=reference.hubs["NORTH"],
            lead_id=world.amira,
            requested_on=d(1, 20),
            steps=(assessing(d(1, 20)),),
        )
        second = list_overdue(new_uow, TODAY, page=PageRequest.parse(2, first.next_cursor))
        assert [row[0] for row in seen(second.items, world)] == ["e6", "e2"]
        assert second.next_cursor is None
        fresh = [i.row.episode_id for i in list_overdue(new_uow, TODAY).items]
        assert fresh[1] == late.id

    def test_the_query_narrows_to_running_clocks_due_by_the_horizon(
        self, new_uow: NewUow, world: World
    ) -> None:
        with new_uow() as uow:
            rows = SqlTimelinessQueries(uow.session).overdue_candidates(
                as_of=TODAY,
                horizon=TODAY,
                hub_ids=None,
                lead_practitioner_id=None,
                kind=None,
                level_of_need=None,
                after=None,
                limit=10,
            )
        assert [r.episode_id for r in rows] == [world.id("e1"), world.id("e3"), world.id("e6")]


# --- the summary ---------------------------------------------------------------------------------


def rates(summary: TimelinessSummary) -> dict[str, tuple[int, int, int, int, float | None]]:
    return {
        r.kind.value: (r.due, r.met_on_time, r.met_late, r.overdue_unmet, r.share_on_time)
        for r in summary.rates
    }


class TestSummary:
    @pytest.mark.usefixtures("world")
    def test_counts_per_hub_and_lead_and_rates_per_kind(self, new_uow: NewUow) -> None:
        summary = summarise(new_uow, TODAY)
        # The three months before 3 March: 3 December to 2 March.
        assert (summary.period_start, summary.period_end) == (date(2024, 12, 3), d(3, 2))
        assert (summary.policy_version, summary.due_soon_days) == (1, 5)
        assert [(h.hub_code, h.overdue, h.due_soon) for h in summary.hubs] == [
            ("NORTH", 2, 1),
            ("SOUTH", 0, 1),
        ]
        north = summary.hubs[0]
        assert [(c.kind.value, c.overdue, c.due_soon) for c in north.by_kind] == [
            ("assessment", 1, 0),
            ("quality_assurance", 0, 1),
            ("first_taf", 1, 0),
            ("review", 0, 0),
        ]
        assert [(lead.lead_name, lead.overdue, lead.due_soon) for lead in summary.leads] == [
            ("Amira Khan", 1, 1),
            ("Ben Lowe", 1, 1),
        ]
        # Due in the period: assessments e1 (unmet), e3 and e4 (on time), e5 stopped (left out);
        # QA e3 (2 days late) and e4; first TAF e3 (unmet) and e4; no review fell due.
        assert rates(summary) == {
            "assessment": (3, 2, 0, 1, pytest.approx(2 / 3)),
            "quality_assurance": (2, 1, 1, 0, 0.5),
            "first_taf": (2, 1, 0, 1, 0.5),
            "review": (0, 0, 0, 0, None),
        }

    @pytest.mark.usefixtures("world")
    def test_one_hub_and_a_chosen_period(self, new_uow: NewUow, reference: ReferenceData) -> None:
        north = summarise(new_uow, TODAY, hub_id=reference.hubs["NORTH"])
        assert [h.hub_code for h in north.hubs] == ["NORTH"]
        assert rates(north) == {
            "assessment": (2, 1, 0, 1, 0.5),
            "quality_assurance": (1, 0, 1, 0, 0.0),
            "first_taf": (1, 0, 0, 1, 0.0),
            "review": (0, 0, 0, 0, None),
        }
        # Only deadlines due from 10 to 28 February: e3's assessment and first TAF.
        window = summarise(new_uow, TODAY, period_start=d(2, 10), period_end=d(2, 28))
        assert rates(window)["assessment"] == (1, 1, 0, 0, 1.0)
        assert rates(window)["first_taf"] == (1, 0, 0, 1, 0.0)

    @pytest.mark.parametrize("as_of", [d(1, 24), d(2, 1), d(2, 4), d(2, 5), d(2, 21), TODAY])
    def test_sql_rates_agree_with_the_domain(
        self, new_uow: NewUow, world: World, as_of: date
    ) -> None:
        start, end = date(2024, 12, 1), d(3, 31)
        expected: Counter[tuple[str, DeadlineStatus]] = Counter()
        with new_uow() as uow:
            for episode in world.episodes.values():
                for deadline in uow.episodes.deadline_history(episode.id):
                    if start <= deadline.due_on <= end:
                        status = assess(deadline, as_of, 5).status
                        expected[(deadline.kind.value, status)] += 1
        got = rates(summarise(new_uow, as_of, period_start=start, period_end=end))
        for kind in DeadlineKind:
            _due, on_time, late, unmet, _share = got[kind.value]
            assert (on_time, late, unmet) == (
                expected[(kind.value, DeadlineStatus.MET_ON_TIME)],
                expected[(kind.value, DeadlineStatus.MET_LATE)],
                expected[(kind.value, DeadlineStatus.OVERDUE)],
            ), kind

    @pytest.mark.usefixtures("reference")
    def test_a_period_that_ends_before_it_starts_is_refused(self, new_uow: NewUow) -> None:
        with pytest.raises(InvalidValue) as refused:
            summarise(new_uow, TODAY, period_start=d(3, 1), period_end=d(2, 1))
        assert refused.value.field == "from"


# --- statement counts ----------------------------------------------------------------------------


def test_the_number_of_statements_does_not_grow_with_the_episodes(
    new_uow: NewUow, reference: ReferenceData, statements: Statements
) -> None:
    lead = given_lead(new_uow, "Cara Doyle")

    def add(n: int) -> None:
        for _ in range(n):
            given_episode(
                new_uow,
                hub_id=reference.hubs["NORTH"],
                lead_id=lead,
                requested_on=d(1, 6),
                steps=(assessing(d(1, 6)),),
            )

    manager = as_manager(new_uow)

    def measure() -> tuple[int, int, int]:
        statements.seen.clear()
        listed = list_overdue(new_uow, TODAY, manager)
        summary = summarise(new_uow, TODAY, manager)
        assert summary.leads[0].overdue == len(listed.items)
        assert statements.seen
        return len(listed.items), summary.rates[0].due, len(statements.seen)

    add(2)
    two_items, two_due, with_two = measure()
    add(18)
    twenty_items, twenty_due, with_twenty = measure()
    assert (two_items, two_due, twenty_items, twenty_due) == (2, 2, 20, 20)
    assert with_two == with_twenty
    # The policy, then the list; the policy, then running clocks and rates (and apart from them,
    # what sealing each read's audit entry costs).
    selects = [
        s
        for s in statements.seen
        if s.lstrip().upper().startswith("SELECT") and "audit_" not in s.split("WHERE")[0]
    ]
    assert len(selects) == 5, selects
