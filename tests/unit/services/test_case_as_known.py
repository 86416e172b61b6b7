"""A claim case's record, and a claim, as they stood at an instant (issue 18 §2): properties of
`case_as_known`, `entered_after` and `claim_as_known` over records whose parts were recorded at
any instants, in any order."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.episodes import ClosureReason
from app.domain.families import MemberRole
from app.domain.outcomes_framework import ClaimRoute
from app.domain.supporting_families import (
    AssessmentSummary,
    Claim,
    ClaimEvent,
    ClaimState,
    Evidence,
    NeedOutcome,
    NeedRecord,
    OutcomeRecord,
    PlanSummary,
    RecordedNeed,
    SupportDelivered,
    SustainmentCheck,
    SustainmentResult,
)
from app.services.claims import AsKnown, case_as_known, claim_as_known, entered_after
from app.services.ports import CaseRecordedAt, ClaimCaseRecord, HouseholdMember, StoredClaim

DAY = date(2024, 1, 8)
START = datetime(2024, 1, 8, 9, tzinfo=UTC)
LEAD = uuid.UUID(int=1)
CHILD = uuid.UUID(int=2)

instants = st.one_of(
    st.none(),  # recorded before familyhub kept the time
    st.integers(min_value=0, max_value=400).map(lambda hours: START + timedelta(hours=hours)),
)


def evidence() -> Evidence:
    return Evidence(source="School MIS", reference="ATT-1", recorded_by=LEAD, recorded_on=DAY)


@st.composite
def needs(draw: st.DrawFn) -> tuple[NeedRecord, datetime | None, datetime | None, datetime | None]:
    """A need with its outcome and sustainment check, and when each was recorded."""
    need = RecordedNeed(
        id=uuid.UUID(int=draw(st.integers(min_value=10, max_value=10**9))),
        descriptor_code="EDU.a",
        headline="EDU",
        person_ids=(CHILD,),
        identified_on=DAY,
        emerged_later=False,
        evidence=evidence(),
    )
    achieved = draw(st.booleans())
    outcome = (
        OutcomeRecord(NeedOutcome.ACHIEVED, DAY + timedelta(days=30), evidence())
        if achieved
        else OutcomeRecord()
    )
    checked = achieved and draw(st.booleans())
    check = (
        SustainmentCheck(
            due_on=DAY + timedelta(days=200),
            checked_on=DAY + timedelta(days=200),
            result=SustainmentResult.SUSTAINED,
            evidence=evidence(),
        )
        if checked
        else None
    )
    return (
        NeedRecord(need=need, outcome=outcome, sustainment=check),
        draw(instants),
        draw(instants) if achieved else None,
        draw(instants) if checked else None,
    )


@st.composite
def records(draw: st.DrawFn) -> ClaimCaseRecord:
    drawn = draw(st.lists(needs(), max_size=4))
    members = draw(st.lists(instants, max_size=3))
    assessments = draw(st.lists(st.tuples(instants, instants), max_size=2))
    plans = draw(st.lists(instants, max_size=2))
    support = draw(st.lists(instants, max_size=2))
    return ClaimCaseRecord(
        episode_id=uuid.UUID(int=3),
        family_id=uuid.UUID(int=4),
        hub_id=uuid.UUID(int=5),
        requested_on=DAY,
        closed_on=DAY + timedelta(days=60),
        closure_reason=ClosureReason.ALL_NEEDS_MET,
        lead_history=(),
        household=tuple(
            HouseholdMember(uuid.UUID(int=100 + i), MemberRole.CHILD, DAY, None, DAY, None, False)
            for i in range(len(members))
        ),
        assessments=tuple(
            AssessmentSummary(uuid.UUID(int=200 + i), DAY + timedelta(days=10), (CHILD,))
            for i in range(len(assessments))
        ),
        plans=tuple(PlanSummary(uuid.UUID(int=300 + i), i + 1, DAY, ()) for i in range(len(plans))),
        support=tuple(
            SupportDelivered(service="Triple P", provider="Hub", started_on=DAY) for _ in support
        ),
        needs=tuple(n for n, _, _, _ in drawn),
        recorded_at=CaseRecordedAt(
            closure=draw(instants),
            members=tuple(members),
            assessments_started=tuple(started for started, _ in assessments),
            assessments_completed=tuple(completed for _, completed in assessments),
            plans=tuple(plans),
            support=tuple(support),
            needs=tuple(at for _, at, _, _ in drawn),
            outcomes=tuple(at for _, _, at, _ in drawn),
            sustainment_checks=tuple(at for _, _, _, at in drawn),
        ),
    )


def achieved(record: ClaimCaseRecord) -> int:
    return sum(1 for n in record.needs if n.outcome.status is NeedOutcome.ACHIEVED)


def checked(record: ClaimCaseRecord) -> int:
    return sum(1 for n in record.needs if n.sustainment is not None)


def completed(record: ClaimCaseRecord) -> int:
    return sum(1 for a in record.assessments if a.completed_on is not None)


def sizes(record: ClaimCaseRecord) -> tuple[int, ...]:
    return (
        record.closed_on is not None,
        len(record.household),
        len(record.assessments),
        completed(record),
        len(record.plans),
        len(record.support),
        len(record.needs),
        achieved(record),
        checked(record),
    )


LATEST = START + timedelta(hours=400)


@given(records())
def test_as_known_after_every_part_was_recorded_the_record_is_unchanged(
    record: ClaimCaseRecord,
) -> None:
    assert case_as_known(record, LATEST) == record


@given(records(), instants, instants)
def test_the_later_the_instant_the_more_of_the_record_is_known(
    record: ClaimCaseRecord, one: datetime | None, other: datetime | None
) -> None:
    earlier, later = sorted((one or START, other or START))
    before, after = case_as_known(record, earlier), case_as_known(record, later)
    assert all(b <= a for b, a in zip(sizes(before), sizes(after), strict=True))


@given(records(), instants)
def test_a_part_recorded_after_the_instant_is_not_known_and_one_recorded_by_it_is(
    record: ClaimCaseRecord, at: datetime | None
) -> None:
    at = at or START
    known = case_as_known(record, at)
    t = record.recorded_at

    def by(moment: datetime | None) -> bool:
        return moment is None or moment <= at

    assert (known.closed_on is not None) == by(t.closure)
    assert len(known.household) == sum(map(by, t.members))
    assert len(known.needs) == sum(map(by, t.needs))
    kept = [i for i, moment in enumerate(t.needs) if by(moment)]
    assert achieved(known) == sum(
        1
        for i in kept
        if record.needs[i].outcome.status is NeedOutcome.ACHIEVED and by(t.outcomes[i])
    )
    assert checked(known) == sum(
        1 for i in kept if record.needs[i].sustainment is not None and by(t.sustainment_checks[i])
    )
    # Known again at the same instant, nothing more is left out.
    assert case_as_known(known, at) == known


@given(records(), instants, instants)
def test_entered_after_counts_only_what_was_known_and_recorded_after_the_period(
    record: ClaimCaseRecord, at: datetime | None, ended: datetime | None
) -> None:
    at, ended = at or LATEST, ended or START
    known = case_as_known(record, at)
    if at <= ended:
        assert entered_after(known, ended) == 0
    assert entered_after(known, ended) <= entered_after(record, ended)
    assert entered_after(case_as_known(record, LATEST), ended) == entered_after(record, ended)


# --- a claim as known ----------------------------------------------------------------------------

PATH = (
    ClaimState.DRAFT,
    ClaimState.READY,
    ClaimState.INTERNAL_AUDIT,
    ClaimState.APPROVED,
    ClaimState.SUBMITTED,
    ClaimState.PAID,
)


@st.composite
def stored_claims(draw: st.DrawFn) -> StoredClaim:
    """A claim raised and moved along its path on days that never go back."""
    steps = draw(st.integers(min_value=1, max_value=len(PATH)))
    gaps = draw(st.lists(st.integers(min_value=0, max_value=20), min_size=steps, max_size=steps))
    days = [DAY + timedelta(days=sum(gaps[: i + 1])) for i in range(steps)]
    history = [ClaimEvent(PATH[i - 1] if i else None, PATH[i], days[i], LEAD) for i in range(steps)]
    claim = Claim(
        id=uuid.UUID(int=6),
        family_id=uuid.UUID(int=4),
        episode_id=uuid.UUID(int=3),
        framework_version="2022-10",
        route=ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
        programme_year="2024-25",
        programme_phase="2022-25",
        unit_value_pence=80000,
        created_on=days[0],
        created_by=LEAD,
        state=PATH[steps - 1],
        history=history,
    )
    raised_at = datetime.combine(days[0] + timedelta(days=draw(st.integers(0, 5))), time(9), UTC)
    return StoredClaim(claim=claim, period_end=days[0], recorded_at=raised_at)


@given(stored_claims(), st.integers(min_value=-5, max_value=200))
def test_a_claim_as_known_is_in_the_state_it_had_reached_that_day(
    stored: StoredClaim, offset: int
) -> None:
    day = DAY + timedelta(days=offset)
    at = datetime.combine(day, time(23), UTC)
    known = claim_as_known(stored, AsKnown(at=at, day=day))
    assert stored.recorded_at is not None
    if stored.recorded_at > at or stored.claim.state_on(day) is None:
        assert known is None
    else:
        assert known is not None
        assert known.claim.state == stored.claim.state_on(day)
        assert [e.on for e in known.claim.history] == [
            e.on for e in stored.claim.history if e.on <= day
        ]
    assert claim_as_known(stored, None) is stored
