"""Demo Supporting Families data, so that `make run` has a claims batch worth looking at.

Some demo families had an earlier episode with needs under the outcome framework: most of them
achieved and sustained (claimable), others failing a rule an auditor would read about (an outcome
that lapsed, too few headlines, a need not achieved, a sustainment check never made, one not yet
due). The demo council has its SF lead's sign-off of the framework and a local results scheme for
the years after the national programme, both entered through the same services an admin uses.
An earlier batch has already been run: one claim approved and submitted, one rejected, one still
with internal audit; this month's batch still has families to raise.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.clock import FixedClock
from app.domain.families import add_months
from app.domain.outcomes_framework import (
    ClaimCadence,
    claim_period_end,
    council_policy_to_dict,
    signed_off,
)
from app.domain.supporting_families import (
    AuditOutcome,
    NeedOutcome,
    SupportDelivered,
    SustainmentResult,
)
from app.services import claims, needs
from app.services.ports import ClaimsUnitOfWork, Clock
from app.services.use_case import Actor

EVIDENCE = needs.EvidenceIn(source="School MIS and health visiting record", reference="DEMO-SF")


@dataclass(frozen=True)
class SfStory:
    """How one demo family's Supporting Families episode went."""

    name: str
    headlines: tuple[str, ...]
    requested_days_ago: int
    not_achieved: int = 0
    """How many needs were not achieved at closure."""
    check: SustainmentResult | None = SustainmentResult.SUSTAINED
    """The sustainment check made 6 months after closure; None when nobody made it."""


SUSTAINED = ("EDU", "HEALTH", "FIN")

SF_STORIES: tuple[SfStory, ...] = (
    # The first family's current episode was requested days ago: this one closed months before.
    SfStory("check_not_yet_due", ("EDU", "REL", "HOUSING"), 200),
    # Sustained only after the earlier batch's period: claimable in this month's batch.
    SfStory("sustained_lately", ("EDU", "HEALTH", "REL"), 320),
    SfStory("sustained_lately", ("FIN", "HOUSING", "EYD"), 325),
    SfStory("sustained", SUSTAINED, 520),
    SfStory("sustained", ("REL", "HOUSING", "EYD"), 540),
    SfStory("sustained", ("EDU", "FIN", "HOUSING"), 560),
    SfStory("sustained", ("HEALTH", "REL", "FIN"), 580),
    SfStory("sustained", ("EDU", "HEALTH", "HOUSING", "FIN"), 600),
    SfStory("not_sustained", SUSTAINED, 530, check=SustainmentResult.NOT_SUSTAINED),
    SfStory("two_headlines", ("EDU", "HEALTH"), 550),
    SfStory("not_achieved", SUSTAINED, 570, not_achieved=1),
    SfStory("check_overdue", SUSTAINED, 590, check=None),
)


def assign_stories(family_indexes: list[int]) -> dict[int, SfStory]:
    """The stories, in order, for the first demo families that can have an episode (the first of
    them, index 0, has a current episode requested only days ago)."""
    return dict(zip(family_indexes, SF_STORIES, strict=False))


def record_needs_and_support(
    new_uow: Callable[[], ClaimsUnitOfWork],
    clock: Clock,
    episode_id: uuid.UUID,
    need_ids: list[uuid.UUID],
    story: SfStory,
    *,
    person_ids: tuple[uuid.UUID, ...],
    identified_on: date,
    lead: Actor,
) -> None:
    """The assessment's needs as framework descriptors, and the support the family received,
    recorded by the episode's lead professional."""
    for need_id, headline in zip(need_ids, story.headlines, strict=True):
        needs.record_need(
            new_uow(),
            clock,
            lead,
            episode_id,
            needs.NewNeed(
                need_id=need_id,
                descriptor_code=f"{headline}.a",
                person_ids=person_ids,
                identified_on=identified_on,
                emerged_later=False,
                evidence=EVIDENCE,
            ),
        )
    needs.record_support(
        new_uow(),
        clock,
        lead,
        episode_id,
        SupportDelivered(
            service="Family support worker", started_on=clock.today(), provider="Family hub"
        ),
    )


def record_outcomes(
    new_uow: Callable[[], ClaimsUnitOfWork],
    clock: Clock,
    episode_id: uuid.UUID,
    story: SfStory,
    *,
    lead: Actor,
) -> None:
    """The outcome of each need, recorded by the lead the day the episode closes."""
    with new_uow() as uow:
        stored = uow.needs.for_episodes([episode_id])
    for index, need in enumerate(stored):
        failed = index < story.not_achieved
        needs.record_need_outcome(
            new_uow(),
            clock,
            lead,
            episode_id,
            need.record.need.id,
            status=NeedOutcome.NOT_ACHIEVED if failed else NeedOutcome.ACHIEVED,
            on=clock.today(),
            evidence=EVIDENCE,
            expected_version=need.version,
        )


def record_sustainment_checks(
    new_uow: Callable[[], ClaimsUnitOfWork],
    clock_on: Callable[[date], Clock],
    episode_id: uuid.UUID,
    story: SfStory,
    *,
    closed_on: date,
    today: date,
    lead: Actor,
) -> None:
    """Six months after closure, whether each achieved outcome held (when the check is due)."""
    due = add_months(closed_on, 6)
    if story.check is None or due > today:
        return
    with new_uow() as uow:
        stored = uow.needs.for_episodes([episode_id])
    for need in stored:
        if need.record.outcome.status is not NeedOutcome.ACHIEVED:
            continue
        lapsed = story.check is SustainmentResult.NOT_SUSTAINED
        needs.record_sustainment(
            new_uow(),
            clock_on(due),
            lead,
            episode_id,
            need.record.need.id,
            result=story.check,
            checked_on=due,
            lapsed_on=closed_on + timedelta(days=60) if lapsed else None,
            evidence=EVIDENCE,
            expected_version=need.version,
        )


def load_demo_claims(
    new_uow: Callable[[], ClaimsUnitOfWork], clock: Clock, actors: dict[str, Actor]
) -> None:
    """The framework sign-off, the council's local scheme, and an earlier batch already decided:
    the admin keeps the reference data, the reporting account runs the batches and raises the
    claims, the auditor approves them."""
    admin = actors["ada.admin@familyhub.example"]
    reports = actors["reports@familyhub.example"]
    auditor = actors["aud.auditor@familyhub.example"]
    today = clock.today()
    claims.upload_framework(
        new_uow(),
        clock,
        admin,
        signed_off(claims.framework_history(new_uow(), clock, admin).current),
        reason="Demo: the SF lead checked every descriptor against Chapter 3 of the framework",
    )
    in_force = claims.policy_history(new_uow(), clock, admin).in_force
    # Decided before the local scheme began: a version recorded today would judge no period that
    # has already ended (a past period is judged by the policy then known).
    decided = FixedClock(datetime(2025, 3, 20, 10, tzinfo=UTC))
    claims.add_policy_version(
        new_uow(),
        decided if decided.today() < today else clock,
        admin,
        _local_scheme(council_policy_to_dict(in_force), today),
        effective_from=date(2025, 4, 1),
        reason="Demo: the council keeps claiming outcomes in a local scheme after March 2025",
    )
    last_month_end = date(today.year, today.month, 1) - timedelta(days=1)
    earlier = claim_period_end(add_months(last_month_end, -2), ClaimCadence.MONTHLY)
    batch = claims.run_batch(new_uow(), clock, reports, earlier)
    assert isinstance(batch, claims.ClaimsReport)
    for claim_id, outcome, notes in zip(
        batch.raised,
        (AuditOutcome.APPROVED, AuditOutcome.REJECTED),
        ("Evidence checked against the school and health records", "Housing evidence missing"),
        strict=False,
    ):
        stored = claims.get_claim(new_uow(), clock, auditor, claim_id)
        claims.audit_claim(
            new_uow(),
            clock,
            auditor,
            claim_id,
            outcome=outcome,
            notes=notes,
            expected_version=stored.claim.version,
        )
    claims.run_batch(new_uow(), clock, reports, earlier)  # submits the approved claim


def _local_scheme(policy: dict[str, Any], today: date) -> dict[str, Any]:
    """The council's policy with claims turned on for the local scheme, one year at a time up to
    the year after today's (no payment value: the national programme's £800 ended in 2025)."""
    document: dict[str, Any] = json.loads(json.dumps(policy))
    document["claims_after_programme"] = True
    years = document["programme_years"]
    last_end = max(date.fromisoformat(y["end"]) for y in years)
    while last_end <= date(today.year + 1, 3, 31):
        start = last_end + timedelta(days=1)
        end = date(start.year + 1, 3, 31)
        label = f"{start.year}-{str(end.year)[2:]}"
        years.append(
            {
                "label": label,
                "phase": f"local-{label}",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "unit_value_pence": None,
                "note": "Demo: local results scheme, no payment value",
            }
        )
        last_end = end
    return document
