"""Issue 18 §1: a case entered late, each step in one request with the day it happened, gets the
clocks it would have had if every step had been recorded on its day.

The same timeline is recorded twice on fakes: once day by day, the clock moved to each step's
day and no date sent (today by default), and once all on one later day, every step dated. The
episode's clocks (every one it has had), its stage and their statuses must be the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.consents import Consent, ConsentPurpose, RecordingMethod
from app.domain.episodes import (
    ClosureReason,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.taf import ChildVoice
from app.services import assessments, consents, episodes, plans, taf
from tests.unit.services.builders import LEVELS, Journey, given_journey, given_world


@dataclass(frozen=True)
class Timeline:
    """The days a case's steps happened, in process order."""

    requested: date
    consent: date
    started: date
    completed: date
    submissions: tuple[date, ...]
    """One, or two when quality assurance returned the first."""
    decisions: tuple[date, ...]
    meetings: tuple[date, ...]
    closed: date | None

    @property
    def last(self) -> date:
        days = [self.completed, *self.submissions, *self.decisions, *self.meetings]
        return max(d for d in [*days, self.closed] if d is not None)


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    day = date(2023, 1, 2) + timedelta(days=draw(st.integers(0, 900)))

    def after(most: int = 30) -> date:
        nonlocal day
        day += timedelta(days=draw(st.integers(0, most)))
        return day

    requested, consent, started, completed = after(), after(10), after(10), after(40)
    returned = draw(st.booleans())
    submissions = [after(10)]
    decisions = [after(15)]
    if returned:
        submissions.append(after(15))
        decisions.append(after(15))
    meetings = tuple(after(50) for _ in range(draw(st.integers(0, 3))))
    closed = after(60) if draw(st.booleans()) else None
    return Timeline(
        requested,
        consent,
        started,
        completed,
        tuple(submissions),
        tuple(decisions),
        meetings,
        closed,
    )


def record(timeline: Timeline, *, live: bool) -> Journey:
    """Record the timeline: `live`, each step on its own day with no date sent; otherwise all on
    the day after the last step, each with its date."""
    world = given_world()
    journey = given_journey(world)

    def on(day: date) -> date | None:
        """Move the clock to `day` when recording live (and send no date), else send `day`."""
        if live:
            world.clock.instant = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
            return None
        return day

    if not live:
        final = timeline.last + timedelta(days=1)
        world.clock.instant = datetime(final.year, final.month, final.day, 10, tzinfo=UTC)
    lead, qa = journey.as_("lead"), journey.as_("qa")

    requested_on = on(timeline.requested)
    opened = episodes.open_new_episode(
        world.uow,
        world.clock,
        lead,
        episodes.EpisodeRequest(
            family_id=journey.family_id,
            source=RequestSource.SCHOOL,
            level_of_need="2",
            lead_practitioner_id=world.people["lead"].id,
            child_person_ids=(journey.child_id,),
            requested_on=requested_on,
        ),
        levels=LEVELS,
    )
    assert isinstance(opened, episodes.EpisodeRecord)
    journey.episode_id = opened.episode.id

    consent_day = on(timeline.consent) or world.today
    consents.record_consent(
        world.uow,
        world.clock,
        lead,
        Consent(
            id=uuid.uuid4(),
            family_id=journey.family_id,
            purpose=ConsentPurpose.EARLY_HELP,
            given_by_person_id=journey.parent_id,
            given_on=consent_day,
            method=RecordingMethod.VERBAL,
            on_behalf_of_person_ids=(journey.child_id,),
        ),
    )
    started_on = on(timeline.started)
    _, assessment = episodes.start_assessment(
        world.uow,
        world.clock,
        lead,
        journey.episode_id,
        expected_version=journey.episode.version,
        started_on=started_on,
    )
    journey.assessment_id = assessment.id
    completed_on = on(timeline.completed)
    journey.write_assessment()
    assessments.complete_assessment(
        world.uow,
        world.clock,
        lead,
        journey.episode_id,
        assessment.id,
        expected_version=journey.assessment.version,
        completed_on=completed_on,
    )
    journey.draft_plan()
    for number, (submitted, decided) in enumerate(
        zip(timeline.submissions, timeline.decisions, strict=True), start=1
    ):
        plans.submit_for_quality_assurance(
            world.uow,
            world.clock,
            lead,
            journey.episode_id,
            expected_version=journey.episode.version,
            submitted_on=on(submitted),
        )
        last = number == len(timeline.decisions)
        plans.decide_quality_assurance(
            world.uow,
            world.clock,
            qa,
            journey.episode_id,
            outcome=QaOutcome.APPROVED if last else QaOutcome.RETURNED,
            comments="" if last else "Say who walks Ava to school on Mondays.",
            expected_version=journey.episode.version,
            decided_on=on(decided),
        )
    for held in timeline.meetings:
        taf.hold_meeting(
            world.uow,
            world.clock,
            lead,
            journey.episode_id,
            taf.MeetingReport(
                held_on=on(held),
                attendee_member_ids=(),
                family_present=True,
                child_voice=ChildVoice.SHARED,
                progress=(),
                decision=MeetingDecision.CONTINUE_PLAN,
            ),
            expected_version=journey.episode.version,
        )
    if timeline.closed is not None:
        episodes.close_episode(
            world.uow,
            world.clock,
            lead,
            journey.episode_id,
            episodes.Closure(
                ClosureReason.ALL_NEEDS_MET,
                FamilyView(FamilyLifeImproved.YES, "Ava is happier"),
                closed_on=on(timeline.closed),
            ),
            expected_version=journey.episode.version,
        )
    return journey


@settings(max_examples=40, deadline=None)
@given(timeline=timelines())
def test_a_case_entered_late_gets_the_clocks_it_would_have_had_day_by_day(
    timeline: Timeline,
) -> None:
    live = record(timeline, live=True)
    late = record(timeline, live=False)
    assert late.episode.every_deadline() == live.episode.every_deadline()
    assert late.episode.stage is live.episode.stage
    assert (
        late.episode.plan_submissions == live.episode.plan_submissions == list(timeline.submissions)
    )
    # Their statuses, read on the same day, agree too, and so does every past day's view.
    final = timeline.last + timedelta(days=1)
    for day in (timeline.requested, timeline.completed, *timeline.decisions, final):
        assert late.episode.stage_on(day) is live.episode.stage_on(day)
        assert [d.started_on for d in late.episode.deadlines_known_on(day)] == [
            d.started_on for d in live.episode.deadlines_known_on(day)
        ]


@settings(max_examples=40, deadline=None)
@given(timeline=timelines())
def test_the_stage_on_each_day_is_the_one_the_live_record_had_that_day(
    timeline: Timeline,
) -> None:
    """Recorded late, the episode's view of any past day shows the stage it had at the end of
    that day when it was recorded live."""
    late = record(timeline, live=False).episode
    stages: dict[date, EpisodeStage] = {}
    steps = [
        (timeline.requested, EpisodeStage.REQUESTED),
        (timeline.started, EpisodeStage.ASSESSING),
    ]
    for number, (submitted, decided) in enumerate(
        zip(timeline.submissions, timeline.decisions, strict=True), start=1
    ):
        steps.append((submitted, EpisodeStage.PLAN_AWAITING_QA))
        last = number == len(timeline.decisions)
        steps.append((decided, EpisodeStage.PLAN_APPROVED if last else EpisodeStage.PLAN_RETURNED))
    steps += [(held, EpisodeStage.ACTIVE) for held in timeline.meetings]
    if timeline.closed is not None:
        steps.append((timeline.closed, EpisodeStage.CLOSED))
    for day, stage in steps:
        stages[day] = stage  # the last step of a day is where the day ended
    for day, stage in stages.items():
        assert late.stage_on(day) is stage
