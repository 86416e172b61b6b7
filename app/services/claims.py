"""Use cases for Supporting Families payment-by-results claims: judge a family against the claim
rules, raise claims in a batch for a period end, internal audit's decision, submission, and the
reference data (outcome framework and council policy) admins keep up to date.

Rule book: shared/domain/supporting-families.md (§4.1 rules C1-C9, §4.5 states, §4.3 evidence pack).
The rules and the state machine are the pure domain (`app.domain.supporting_families`); this module
only loads a `ClaimCase` from the record and stores what the domain decides.

Each public function is one use case: the reporting account and managers prepare claims
(PREPARE_CLAIMS), auditors decide on them (AUDIT_CLAIMS), the reports roles read them
(READ_REPORTS) and admins keep the reference data (MANAGE_POLICY). `effective_catalogue`,
`policy_on`, `build_cases` and `quarterly_claims` are helpers that run inside another use case.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from app.domain.access import Action
from app.domain.claims_progress import ClaimsProgress, EpisodeClaimability, claims_progress
from app.domain.episodes import Episode
from app.domain.errors import NotFound
from app.domain.families import MemberRole, counts_as_child, require_text
from app.domain.outcomes_framework import (
    ClaimPeriod,
    ClaimRoute,
    CouncilPolicy,
    FrameworkCatalogue,
    check_claim_period_end,
    check_policy_thresholds,
    claim_period_containing,
    parse_council_policy,
    parse_framework,
    parse_uploaded_framework,
)
from app.domain.supporting_families import (
    LIVE_CLAIM_STATES,
    AuditOutcome,
    Claim,
    ClaimCase,
    ClaimEvaluation,
    ClaimRulesFailed,
    ClaimState,
    NeedRecord,
    OutcomeRecord,
    PriorClaim,
    RuleResult,
    check_claimable,
    check_no_live_claim,
    earliest_claimable_closure,
    evaluate_claim,
    holds_phase,
    latest_claimable_closure,
    live_claim_in_phase,
    raise_claim,
)
from app.domain.versions import Expected, check_version
from app.services.ports import (
    CaseRecordedAt,
    ClaimCaseRecord,
    ClaimsUnitOfWork,
    Clock,
    StoredClaim,
    StoredFramework,
    StoredSfPolicy,
)
from app.services.timeliness import check_known_at, end_of_day
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    UseCase,
    run_idempotent,
)

_T = TypeVar("_T")

ROUTE = ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS
"""The only route of the 2022-10 framework (C9, K7); historical routes are not raised here."""


# --- reference data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AsKnown:
    """A report as the record stood at an instant (issue 18 §2): `at`, and the council's day it
    fell on (claims move by the day)."""

    at: datetime
    day: date


def effective_catalogue(
    uow: ClaimsUnitOfWork, as_known: AsKnown | None = None
) -> FrameworkCatalogue:
    """The newest framework document an admin uploaded (by `as_known`, if given); the shipped
    file when none was (inside the caller's use case)."""
    if as_known is None:
        return uow.reference_data.framework()
    uploads = uow.claims.frameworks()
    known = [f for f in uploads if f.created_at <= as_known.at]
    if len(known) == len(uploads):
        return uow.reference_data.framework()
    if known:
        return parse_framework(known[-1].document)
    return parse_framework(uow.reference_data.shipped_framework_document())


def policy_on(
    uow: ClaimsUnitOfWork,
    catalogue: FrameworkCatalogue,
    on: date,
    as_known: AsKnown | None = None,
) -> CouncilPolicy:
    """The newest policy version in force on `on` among those recorded by then (and by
    `as_known`); the framework's default policy otherwise. A version dated back
    (`effective_from` before the day it was recorded) does not change the verdicts of days
    before it was recorded: a past period is judged by the policy then known (issue 18 §5)."""
    known = [
        p
        for p in uow.claims.policies()
        if p.effective_from <= on
        and p.recorded_on <= on
        and (as_known is None or p.created_at <= as_known.at)
    ]
    return known[-1].policy if known else catalogue.default_policy


def _known(times: tuple[datetime | None, ...], index: int, at: datetime) -> bool:
    recorded = times[index] if index < len(times) else None
    return recorded is None or recorded <= at


def case_as_known(record: ClaimCaseRecord, at: datetime) -> ClaimCaseRecord:
    """The record as it stood at `at` (issue 18 §2): parts recorded later are left out, an
    assessment completed later is still in progress, an outcome recorded later is still open, a
    sustainment check recorded later not yet made, a closure recorded later not yet made. What
    was changed in place later (a date corrected, an outcome changed) reads as it is now."""
    t = record.recorded_at
    closed = t.closure is None or t.closure <= at
    members = [i for i in range(len(record.household)) if _known(t.members, i, at)]
    assessments = [
        i for i in range(len(record.assessments)) if _known(t.assessments_started, i, at)
    ]
    plans = [i for i in range(len(record.plans)) if _known(t.plans, i, at)]
    support = [i for i in range(len(record.support)) if _known(t.support, i, at)]
    needs = [i for i in range(len(record.needs)) if _known(t.needs, i, at)]

    def need(i: int) -> NeedRecord:
        n = record.needs[i]
        return NeedRecord(
            need=n.need,
            outcome=n.outcome if _known(t.outcomes, i, at) else OutcomeRecord(),
            sustainment=n.sustainment if _known(t.sustainment_checks, i, at) else None,
        )

    def kept(times: tuple[datetime | None, ...], indexes: list[int]) -> tuple[datetime | None, ...]:
        return tuple(times[i] if i < len(times) else None for i in indexes)

    return replace(
        record,
        closed_on=record.closed_on if closed else None,
        closure_reason=record.closure_reason if closed else None,
        household=tuple(record.household[i] for i in members),
        assessments=tuple(
            record.assessments[i]
            if _known(t.assessments_completed, i, at)
            else replace(record.assessments[i], completed_on=None)
            for i in assessments
        ),
        plans=tuple(record.plans[i] for i in plans),
        support=tuple(record.support[i] for i in support),
        needs=tuple(need(i) for i in needs),
        recorded_at=CaseRecordedAt(
            closure=t.closure if closed else None,
            members=kept(t.members, members),
            assessments_started=kept(t.assessments_started, assessments),
            assessments_completed=tuple(
                at_ if at_ is not None and at_ <= at else None
                for at_ in kept(t.assessments_completed, assessments)
            ),
            plans=kept(t.plans, plans),
            support=kept(t.support, support),
            needs=kept(t.needs, needs),
            outcomes=tuple(
                at_ if at_ is not None and at_ <= at else None for at_ in kept(t.outcomes, needs)
            ),
            sustainment_checks=tuple(
                at_ if at_ is not None and at_ <= at else None
                for at_ in kept(t.sustainment_checks, needs)
            ),
        ),
    )


def entered_after(record: ClaimCaseRecord, ended: datetime) -> int:
    """How many parts of the record (closure, household changes, assessments completed, plans,
    support, needs, outcomes, sustainment checks) were recorded after `ended`."""
    t = record.recorded_at
    times = (
        t.closure,
        *t.members,
        *t.assessments_completed,
        *t.plans,
        *t.support,
        *t.needs,
        *t.outcomes,
        *t.sustainment_checks,
    )
    return sum(1 for at in times if at is not None and at > ended)


def claim_as_known(stored: StoredClaim, as_known: AsKnown | None) -> StoredClaim | None:
    """The claim as it stood at `as_known`: None if it was raised later; its moves dated after
    that day undone (issue 18 §2)."""
    if as_known is None:
        return stored
    if stored.recorded_at is not None and stored.recorded_at > as_known.at:
        return None
    claim = stored.claim
    history = [event for event in claim.history if event.on <= as_known.day]
    if len(history) == len(claim.history):
        return stored
    if not history:
        return None
    return replace(stored, claim=replace(claim, history=history, state=history[-1].to_state))


@dataclass(frozen=True)
class FrameworkHistory:
    versions: list[StoredFramework]
    current: dict[str, Any]
    """The document in use: the newest upload, or the shipped file."""
    shipped_default: bool


def framework_history(uow: ClaimsUnitOfWork, clock: Clock, actor: Actor) -> FrameworkHistory:
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_POLICY, "sf_framework")
        history = _framework_history(uow)
        uc.commit()
        return history


def _framework_history(uow: ClaimsUnitOfWork) -> FrameworkHistory:
    versions = uow.claims.frameworks()
    if versions:
        return FrameworkHistory(versions, versions[-1].document, False)
    return FrameworkHistory([], uow.reference_data.shipped_framework_document(), True)


def upload_framework(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    document: Mapping[str, Any],
    *,
    reason: str,
    idempotency: IdempotentRequest[FrameworkHistory] | None = None,
) -> FrameworkHistory | Replayed:
    """Validate and store a new version of the outcome framework (fields named on error)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_POLICY, "sf_framework")
        return run_idempotent(uc, idempotency, lambda: _upload_framework(uow, uc, document, reason))


def _upload_framework(
    uow: ClaimsUnitOfWork, uc: UseCase, document: Mapping[str, Any], reason: str
) -> FrameworkHistory:
    why = require_text(reason, "reason", what="The reason for the change")
    parse_uploaded_framework(document)
    versions = uow.claims.frameworks()
    uow.claims.add_framework(
        StoredFramework(
            version=(versions[-1].version + 1) if versions else 1,
            document=dict(document),
            reason=why,
            created_by=uc.principal.practitioner_id,
            created_at=uc.now,
        )
    )
    return _framework_history(uow)


@dataclass(frozen=True)
class PolicyHistory:
    versions: list[StoredSfPolicy]
    in_force: CouncilPolicy
    in_force_version: int | None
    """None while the framework's default policy applies."""


def policy_history(uow: ClaimsUnitOfWork, clock: Clock, actor: Actor) -> PolicyHistory:
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_POLICY, "sf_policy")
        history = _policy_history(uow, uc.today)
        uc.commit()
        return history


def _policy_history(uow: ClaimsUnitOfWork, today: date) -> PolicyHistory:
    versions = uow.claims.policies()
    in_force = [p for p in versions if p.effective_from <= today]
    if in_force:
        return PolicyHistory(versions, in_force[-1].policy, in_force[-1].version)
    return PolicyHistory(versions, effective_catalogue(uow).default_policy, None)


def add_policy_version(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    document: Mapping[str, Any],
    *,
    effective_from: date,
    reason: str,
    idempotency: IdempotentRequest[PolicyHistory] | None = None,
) -> PolicyHistory | Replayed:
    """Store a new version of the council's claim policy (fields named on error)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_POLICY, "sf_policy")
        return run_idempotent(
            uc,
            idempotency,
            lambda: _add_policy_version(uow, uc, document, effective_from, reason),
        )


def _add_policy_version(
    uow: ClaimsUnitOfWork,
    uc: UseCase,
    document: Mapping[str, Any],
    effective_from: date,
    reason: str,
) -> PolicyHistory:
    why = require_text(reason, "reason", what="The reason for the change")
    policy = parse_council_policy(document, "policy")
    check_policy_thresholds(policy, (v.code for v in effective_catalogue(uow).versions))
    versions = uow.claims.policies()
    uow.claims.add_policy(
        StoredSfPolicy(
            version=(versions[-1].version + 1) if versions else 1,
            effective_from=effective_from,
            policy=policy,
            reason=why,
            created_by=uc.principal.practitioner_id,
            created_at=uc.now,
            recorded_on=uc.today,
        )
    )
    return _policy_history(uow, uc.today)


# --- the case a claim is judged on ---------------------------------------------------------------


CASE_BATCH = 500
"""Episodes whose cases are loaded together: a fixed number of statements per batch, whatever
the number of families, in bounded memory."""


def build_case(
    uow: ClaimsUnitOfWork,
    episode_id: uuid.UUID,
    catalogue: FrameworkCatalogue,
    *,
    as_of: date,
    exclude_claim: uuid.UUID | None = None,
    route: ClaimRoute = ROUTE,
) -> ClaimCase:
    """One episode's `ClaimCase` (see `build_cases`)."""
    built = build_cases(
        uow, [episode_id], catalogue, as_of=as_of, exclude_claim=exclude_claim, route=route
    )
    if not built:
        raise NotFound("There is no episode with this id.")
    return built[0][1]


def build_cases(
    uow: ClaimsUnitOfWork,
    episode_ids: Sequence[uuid.UUID],
    catalogue: FrameworkCatalogue,
    *,
    as_of: date,
    exclude_claim: uuid.UUID | None = None,
    route: ClaimRoute = ROUTE,
    claims_on: date | None = None,
    as_known: AsKnown | None = None,
) -> list[tuple[ClaimCaseRecord, ClaimCase]]:
    """A `ClaimCase` per episode (in the order given; unknown ids left out) from its record: the
    household on closure (or `as_of` while open), the episode, its lead history, assessments,
    agreed plans, needs and support, and the family's other claims, each kind loaded once for all
    the episodes as columns (`case_records`). Who counts as a dependent child: a child member
    born and under 19 (E2 [U]); an expectant parent: a parent or carer of a household with an
    unborn member (E1). With `claims_on`, the other claims are only those of batch periods
    ending by that day: a report of a period does not change when a later period's claim is
    raised. With `as_known`, the records and claims as they stood then (`case_as_known`,
    `claim_as_known`)."""
    records = uow.claims.case_records(episode_ids)
    if as_known is not None:
        records = [case_as_known(r, as_known.at) for r in records]
    family_ids = list(dict.fromkeys(r.family_id for r in records))
    known_claims = (
        known
        for s in uow.claims.for_families(family_ids)
        if (known := claim_as_known(s, as_known)) is not None
    )
    claims = _grouped(known_claims, lambda s: s.claim.family_id)
    return [
        (
            record,
            _case(
                record,
                catalogue,
                as_of=as_of,
                route=route,
                previous_claims=tuple(
                    prior
                    for s in claims.get(record.family_id, [])
                    if s.claim.id != exclude_claim
                    and (prior := _prior(s.claim, claims_on)) is not None
                ),
            ),
        )
        for record in records
    ]


def _case(
    record: ClaimCaseRecord,
    catalogue: FrameworkCatalogue,
    *,
    as_of: date,
    route: ClaimRoute,
    previous_claims: tuple[PriorClaim, ...],
) -> ClaimCase:
    on = record.closed_on or as_of
    members, children, carers, unborn = [], [], [], False
    for member in record.household:
        if not member.is_current_on(on):
            continue
        if member.date_of_birth is None and member.expected_delivery_date is not None:
            unborn = True
            continue
        members.append(member.person_id)
        if member.role is MemberRole.CHILD and counts_as_child(
            member.date_of_birth, member.expected_delivery_date, member.send, on
        ):
            children.append(member.person_id)
        if member.role is MemberRole.PARENT_CARER:
            carers.append(member.person_id)
    in_force = catalogue.in_force_on(record.requested_on)
    return ClaimCase(
        family_id=record.family_id,
        episode_id=record.episode_id,
        framework_version=in_force.code if in_force else "none",
        route=route,
        member_ids=tuple(members),
        dependent_child_ids=tuple(children),
        expectant_parent_ids=tuple(carers) if unborn else (),
        episode_started_on=record.requested_on,
        closed_on=record.closed_on,
        closure_reason=record.closure_reason,
        lead_history=record.lead_history,
        assessments=record.assessments,
        plans=record.plans,
        support=record.support,
        needs=record.needs,
        previous_claims=previous_claims,
    )


def _grouped(items: Iterable[_T], key: Callable[[_T], uuid.UUID]) -> dict[uuid.UUID, list[_T]]:
    """Items by key, each group in the order the repository returned them."""
    groups: dict[uuid.UUID, list[_T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _in_batches(episode_ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(episode_ids), CASE_BATCH):
        yield episode_ids[start : start + CASE_BATCH]


def _episode(uow: ClaimsUnitOfWork, episode_id: uuid.UUID) -> Episode:
    episode = uow.episodes.get(episode_id)
    if episode is None:
        raise NotFound("There is no episode with this id.")
    return episode


# --- raising and moving claims -------------------------------------------------------------------


def _prior(claim: Claim, raised_by: date | None) -> PriorClaim | None:
    """The claim for the one-claim rules (C6, K10), in its current state; None when it belongs
    to a batch period after `raised_by`. Its current state, not its state then: a claim of an
    earlier batch that audit has since rejected frees the family, as the batch run now would."""
    if raised_by is not None and claim.created_on > raised_by:
        return None
    return PriorClaim(claim.id, claim.programme_phase, claim.state, claim.episode_id)


def _family_claims(uow: ClaimsUnitOfWork, family_id: uuid.UUID) -> list[PriorClaim]:
    return [p for s in uow.claims.for_family(family_id) if (p := _prior(s.claim, None))]


def _results(evaluation: ClaimEvaluation) -> tuple[RuleResult, ...]:
    return evaluation.results


def _advance(
    uow: ClaimsUnitOfWork,
    stored: StoredClaim,
    catalogue: FrameworkCatalogue,
    policy: CouncilPolicy,
    *,
    on: date,
    by: uuid.UUID,
) -> bool:
    """Move a draft or ready claim on to internal audit, freezing its evidence pack. Returns
    whether it moved; a draft that fails the rules stays a draft with its failures recorded."""
    claim = stored.claim
    moved = False
    if claim.state is ClaimState.DRAFT:
        case = build_case(
            uow, claim.episode_id, catalogue, as_of=on, exclude_claim=claim.id, route=claim.route
        )
        try:
            evaluation = claim.mark_ready(case, policy, catalogue, on=on, by=by)
        except ClaimRulesFailed:
            evaluation = evaluate_claim(
                replace(case, claim_date=claim.created_on), policy, catalogue, on
            )
            stored.evaluation, stored.evaluated_on = _results(evaluation), on
            return False
        stored.evaluation, stored.evaluated_on = _results(evaluation), on
        moved = True
    if claim.state is ClaimState.READY:
        case = build_case(
            uow, claim.episode_id, catalogue, as_of=on, exclude_claim=claim.id, route=claim.route
        )
        claim.send_to_internal_audit(case, on=on, by=by)
        moved = True
    return moved


def raise_for_episode(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    period_end: date,
    route: ClaimRoute = ROUTE,
    idempotency: IdempotentRequest[StoredClaim] | None = None,
) -> StoredClaim | Replayed:
    """Raise a claim for one family's episode in the batch for `period_end` by `route` (C9) and
    send it to internal audit. Refused (409) with every failing rule, or when the family already
    has a live claim."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.PREPARE_CLAIMS, "sf_claim", episode_id)
        return run_idempotent(
            uc, idempotency, lambda: _raise_for_episode(uow, uc, episode_id, period_end, route)
        )


def _raise_for_episode(
    uow: ClaimsUnitOfWork,
    uc: UseCase,
    episode_id: uuid.UUID,
    period_end: date,
    route: ClaimRoute,
) -> StoredClaim:
    catalogue = effective_catalogue(uow)
    policy = policy_on(uow, catalogue, period_end)
    check_claim_period_end(period_end, policy, uc.today)
    episode = _episode(uow, episode_id)
    stored = _raise(
        uow,
        episode.id,
        episode.family_id,
        catalogue,
        policy,
        period_end=period_end,
        by=uc.principal.practitioner_id,
        strict=True,
        at=uc.now,
        route=route,
    )
    assert stored is not None
    uc.identify(Action.PREPARE_CLAIMS, stored.claim.id)
    return stored


def _raise(
    uow: ClaimsUnitOfWork,
    episode_id: uuid.UUID,
    family_id: uuid.UUID,
    catalogue: FrameworkCatalogue,
    policy: CouncilPolicy,
    *,
    period_end: date,
    by: uuid.UUID,
    strict: bool,
    at: datetime,
    route: ClaimRoute = ROUTE,
) -> StoredClaim | None:
    """A claim for the episode, moved on to internal audit; `strict` refuses (409) what a batch
    (not strict) passes over. Whether the family already has a live claim is asked of the
    database here; the refusal is the domain's."""
    year = policy.programme_year_on(period_end)
    if year is not None:
        family_claims = _family_claims(uow, family_id)
        if not strict and live_claim_in_phase(family_claims, year.phase) is not None:
            return None
        check_no_live_claim(family_claims, year.phase)
    case = build_case(uow, episode_id, catalogue, as_of=period_end, route=route)
    evaluation = evaluate_claim(case, policy, catalogue, period_end)
    if not strict and not evaluation.eligible:
        return None
    check_claimable(evaluation)
    claim = raise_claim(
        id=uuid.uuid4(),
        case=case,
        policy=policy,
        catalogue=catalogue,
        created_on=period_end,
        created_by=by,
    )
    stored = StoredClaim(claim=claim, period_end=period_end)
    _advance(uow, stored, catalogue, policy, on=period_end, by=by)
    uow.claims.add(stored, at=at)
    return stored


@dataclass(frozen=True)
class ReportRow:
    family_id: uuid.UUID
    family_reference: str
    episode_id: uuid.UUID
    status: str
    """claimable, not_claimable or claimed."""
    headlines: tuple[str, ...]
    failing_rules: tuple[RuleResult, ...]
    claim: StoredClaim | None


@dataclass(frozen=True)
class ClaimsReport:
    period: ClaimPeriod
    rows: list[ReportRow]
    raised: list[uuid.UUID]
    submitted: list[uuid.UUID]
    known_at: datetime | None = None
    """The instant the report is as known at (None: everything recorded so far)."""
    entered_after_period: int = 0
    """How many parts of the reported families' records were recorded after the period ended."""

    @property
    def period_end(self) -> date:
        return self.period.end


def claims_report(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    on: date,
    *,
    known_at: datetime | None = None,
) -> ClaimsReport:
    """The families of the batch period `on` falls in (any day of it): claimed (with state),
    claimable, and not claimable with every failing rule. Ids, references, headlines and rule
    results only: no names, no notes. With `known_at`, as the record, the claims and the
    reference data stood at that instant, so a period's report is reproduced as it was read."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REPORTS, "report", "supporting-families-claims")
        as_known = known_as_of(known_at, uc.now, clock)
        catalogue = effective_catalogue(uow, as_known)
        period = claim_period_containing(on, policy_on(uow, catalogue, on, as_known), uc.today)
        policy = policy_on(uow, catalogue, period.end, as_known)
        rows, late = _rows(
            uow, catalogue, policy, period.end, as_known=as_known, ended=_ended(period.end, clock)
        )
        report = ClaimsReport(period, rows, [], [], known_at=known_at, entered_after_period=late)
        uc.commit()
        return report


def known_as_of(known_at: datetime | None, now: datetime, clock: Clock) -> AsKnown | None:
    """`known_at` checked (not in the future, with its zone), with the council's day it fell on."""
    checked = check_known_at(known_at, now)
    if checked is None:
        return None
    return AsKnown(at=checked, day=checked.astimezone(clock.zone).date())


def _ended(day: date, clock: Clock) -> datetime:
    return end_of_day(day, clock.zone)


def _cases(
    uow: ClaimsUnitOfWork,
    episode_ids: Sequence[uuid.UUID],
    catalogue: FrameworkCatalogue,
    *,
    as_of: date,
    claims_on: date | None = None,
    as_known: AsKnown | None = None,
) -> Iterator[tuple[ClaimCaseRecord, ClaimCase]]:
    """Each episode's record with its case, in the order given, loaded a batch at a time."""
    for batch in _in_batches(episode_ids):
        yield from build_cases(
            uow, batch, catalogue, as_of=as_of, claims_on=claims_on, as_known=as_known
        )


def _rows(
    uow: ClaimsUnitOfWork,
    catalogue: FrameworkCatalogue,
    policy: CouncilPolicy,
    period_end: date,
    *,
    as_known: AsKnown | None = None,
    ended: datetime | None = None,
) -> tuple[list[ReportRow], int]:
    """The report's rows, and how many parts of their records were recorded after `ended`."""
    claimed = [
        known
        for s in uow.claims.for_period(period_end)
        if (known := claim_as_known(s, as_known)) is not None
    ]
    claimed_episodes = {s.claim.episode_id for s in claimed}
    year = policy.programme_year_on(period_end)
    candidates = [
        episode_id
        for episode_id in uow.claims.closed_episodes_with_needs(
            period_end, closed_from=earliest_claimable_closure(policy, period_end)
        )
        if episode_id not in claimed_episodes
    ]
    # Each case becomes its report row at once: holding every judged case until the end kept
    # 22,000 cases in memory on the county data set (bench/RESULTS.md).
    rows: list[ReportRow] = []
    late = 0
    # The family's claims of this and earlier batches only: a claim raised in a later batch
    # neither hides the row nor changes its verdict (issue 18 §5).
    for episode, case in _cases(
        uow, candidates, catalogue, as_of=period_end, claims_on=period_end, as_known=as_known
    ):
        if episode.closed_on is None:
            continue  # its closure was recorded after `as_known`: not a candidate then
        if holds_phase(case.previous_claims, year.phase if year else None):
            continue  # claimed in an earlier batch: reported there
        evaluation = evaluate_claim(case, policy, catalogue, period_end)
        status = "claimable" if evaluation.eligible else "not_claimable"
        rows.append(_report_row(episode, case, status, evaluation.failures, None))
        late += 0 if ended is None else entered_after(episode, ended)
    by_episode = {s.claim.episode_id: s for s in claimed}
    for episode, case in _cases(
        uow, list(by_episode), catalogue, as_of=period_end, as_known=as_known
    ):
        claim = by_episode[episode.episode_id]
        status = "claimed" if claim.claim.state in LIVE_CLAIM_STATES else claim.claim.state.value
        failing = tuple(r for r in claim.evaluation if not r.passed)
        rows.append(_report_row(episode, case, status, failing, claim))
        late += 0 if ended is None else entered_after(episode, ended)
    references = uow.claims.family_references(list({r.family_id for r in rows}))
    rows = [replace(r, family_reference=references.get(r.family_id, "")) for r in rows]
    rows.sort(key=lambda r: (r.family_reference, str(r.episode_id)))
    return rows, late


def _report_row(
    episode: ClaimCaseRecord,
    case: ClaimCase,
    status: str,
    failing: tuple[RuleResult, ...],
    claim: StoredClaim | None,
) -> ReportRow:
    return ReportRow(
        family_id=episode.family_id,
        family_reference="",
        episode_id=episode.episode_id,
        status=status,
        headlines=tuple(sorted({n.need.headline for n in case.needs})),
        failing_rules=failing,
        claim=claim,
    )


def run_batch(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    period_end: date,
    *,
    idempotency: IdempotentRequest[ClaimsReport] | None = None,
) -> ClaimsReport | Replayed:
    """The batch for `period_end`: raise a claim for each claimable family and send it to internal
    audit (its evidence pack frozen), move on drafts left behind, and submit the batch's approved
    claims. Idempotent: run again, it raises and moves nothing new, and a family whose claim for
    the period was rejected is not raised again."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.PREPARE_CLAIMS, "sf_claim", f"batch:{period_end.isoformat()}")
        return run_idempotent(uc, idempotency, lambda: _run_batch(uow, uc, period_end))


def _run_batch(uow: ClaimsUnitOfWork, uc: UseCase, period_end: date) -> ClaimsReport:
    today, by = uc.today, uc.principal.practitioner_id
    catalogue = effective_catalogue(uow)
    policy = policy_on(uow, catalogue, period_end)
    check_claim_period_end(period_end, policy, today)
    raised: list[uuid.UUID] = []
    submitted: list[uuid.UUID] = []
    for stored in uow.claims.for_period(period_end):
        if stored.claim.state in (ClaimState.DRAFT, ClaimState.READY) and _advance(
            uow, stored, catalogue, policy, on=max(period_end, today), by=by
        ):
            uow.claims.save(stored, at=uc.now)
    # A claim internal audit rejected is not raised again by a rerun of its batch: raising it
    # again is a decision (POST /claims) or waits for the next period's batch.
    seen = {stored.claim.family_id for stored in uow.claims.for_period(period_end)}
    year = policy.programme_year_on(period_end)
    candidates = uow.claims.closed_episodes_with_needs(
        period_end,
        closed_from=earliest_claimable_closure(policy, period_end),
        all_needs_achieved=True,  # C3: no other episode can be claimed
    )
    eligible = [
        episode
        for episode, case in _cases(uow, candidates, catalogue, as_of=period_end)
        if episode.family_id not in seen
        and not holds_phase(case.previous_claims, year.phase if year else None)
        and evaluate_claim(case, policy, catalogue, period_end).eligible
    ]
    for episode in eligible:  # judged again as it is raised: the record is the authority
        if episode.family_id in seen:
            continue
        made = _raise(
            uow,
            episode.episode_id,
            episode.family_id,
            catalogue,
            policy,
            period_end=period_end,
            by=by,
            strict=False,
            at=uc.now,
        )
        if made is not None:
            seen.add(episode.family_id)
            raised.append(made.claim.id)
    for stored in uow.claims.for_period(period_end):
        if stored.claim.state is ClaimState.APPROVED:
            stored.claim.submit(on=today, by=by)
            uow.claims.save(stored, at=uc.now)
            submitted.append(stored.claim.id)
    period = claim_period_containing(period_end, policy, today)
    rows, late = _rows(uow, catalogue, policy, period_end, ended=_ended(period.end, uc.clock))
    return ClaimsReport(period, rows, raised, submitted, entered_after_period=late)


# --- the quarterly progress return ---------------------------------------------------------------


@dataclass(frozen=True)
class QuarterlyClaims:
    progress: ClaimsProgress
    entered_after_period: int
    """How many parts of the judged families' records were recorded after the quarter ended."""


def quarterly_claims(
    uow: ClaimsUnitOfWork,
    *,
    start: date,
    end: date,
    hub_id: uuid.UUID | None,
    as_known: AsKnown | None = None,
    ended: datetime | None = None,
) -> QuarterlyClaims:
    """The claims lines of the quarterly return (§5.2), inside the caller's use case. Families
    are judged by C1-C5 on both edges of the quarter; only closures the look-back window still
    admits are judged, as older ones can never be claimed (§4.2). With `as_known`, the records,
    claims and reference data as they stood then (issue 18 §2)."""
    catalogue = effective_catalogue(uow, as_known)
    policy = policy_on(uow, catalogue, end, as_known)
    day_before = start - timedelta(days=1)
    start_policy = policy_on(uow, catalogue, day_before, as_known)
    late = 0
    judged: list[EpisodeClaimability] = []
    hubs: dict[uuid.UUID, uuid.UUID] = {}
    # C1-C5 at the quarter's end decide every figure (a family counts only if claimable then),
    # so only episodes that can pass them are loaded: enough needs under enough headlines for
    # the lowest threshold of any framework version (C1), every need achieved (C3) and checked
    # as sustained by the end (C4), closed early enough for C5. The rules still judge each one.
    thresholds = [
        (policy.min_needs, policy.min_distinct_headlines),
        *(policy.thresholds_for(v.code) for v in catalogue.versions),
    ]
    candidates = uow.claims.closed_episodes_with_needs(
        latest_claimable_closure(policy, end),
        closed_from=earliest_claimable_closure(policy, end),
        all_needs_achieved=True,
        sustained_by=end,
        needs_at_least=(min(n for n, _ in thresholds), min(h for _, h in thresholds)),
    )
    year = policy.programme_year_on(end)
    known_claims = (
        known for s in uow.claims.raised_by(end) if (known := claim_as_known(s, as_known))
    )
    claims_by_family = _grouped(known_claims, lambda s: s.claim.family_id)
    # The claims and records as known (`as_known`) only remove what the candidates' filters
    # above read now, never add to it: the record only grows (needs, outcomes, checks).
    for episode, case in _cases(uow, candidates, catalogue, as_of=end, as_known=as_known):
        hubs[episode.episode_id] = episode.hub_id
        if hub_id is not None and episode.hub_id != hub_id:
            continue
        if episode.closed_on is None:
            continue  # its closure was recorded after `as_known`
        late += 0 if ended is None else entered_after(episode, ended)
        # A closed episode's case is the same whatever day it is judged on (the rules read the
        # dates in it), so one load serves both edges of the quarter.
        at_end = evaluate_claim(case, policy, catalogue, end).outcomes_met
        at_start = at_end and evaluate_claim(case, start_policy, catalogue, day_before).outcomes_met
        claimed = holds_phase(
            [p for s in claims_by_family.get(episode.family_id, []) if (p := s.claim.as_of(end))],
            year.phase if year else None,
        )
        judged.append(EpisodeClaimability(episode.family_id, at_start, at_end, claimed))
    raised = [stored for group in claims_by_family.values() for stored in group]
    unknown = [s.claim.episode_id for s in raised if s.claim.episode_id not in hubs]
    hubs.update({e.id: e.hub_id for e in uow.episodes.get_many(unknown).values()})
    claims = [
        stored.claim
        for stored in raised
        if hub_id is None or hubs.get(stored.claim.episode_id) == hub_id
    ]
    return QuarterlyClaims(claims_progress(judged, claims, start=start, end=end), late)


# --- one claim -----------------------------------------------------------------------------------


def get_claim(
    uow: ClaimsUnitOfWork, clock: Clock, actor: Actor, claim_id: uuid.UUID
) -> StoredClaim:
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REPORTS, "sf_claim", claim_id)
        stored = _load(uow, claim_id)
        uc.commit()
        return stored


def _load(uow: ClaimsUnitOfWork, claim_id: uuid.UUID) -> StoredClaim:
    stored = uow.claims.get(claim_id)
    if stored is None:
        raise NotFound("There is no claim with this id.")
    return stored


def audit_claim(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    claim_id: uuid.UUID,
    *,
    outcome: AuditOutcome,
    notes: str,
    expected_version: Expected,
) -> StoredClaim:
    """Internal audit approves or rejects a claim with notes (K9, C7). The record must still match
    the evidence pack the auditor reviewed; the approved pack is frozen from then on."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.AUDIT_CLAIMS, "sf_claim", claim_id)
        stored = _load(uow, claim_id)
        check_version(expected_version, stored.claim.version)
        claim = stored.claim
        claim.check_with_internal_audit()
        catalogue = effective_catalogue(uow)
        case = build_case(
            uow,
            claim.episode_id,
            catalogue,
            as_of=uc.today,
            exclude_claim=claim.id,
            route=claim.route,
        )
        claim.rebuild_evidence_pack(case)
        auditor = uc.principal.practitioner_id
        if outcome is AuditOutcome.APPROVED:
            claim.approve(auditor_id=auditor, on=uc.today, notes=notes)
        else:
            claim.reject(auditor_id=auditor, on=uc.today, notes=notes)
        uow.claims.save(stored, at=uc.now)
        uc.commit()
        return stored


def submit_claim(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    claim_id: uuid.UUID,
    *,
    expected_version: Expected,
) -> StoredClaim:
    """Submit one approved claim; nothing is submitted without internal audit approval (C7)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.PREPARE_CLAIMS, "sf_claim", claim_id)
        stored = _load(uow, claim_id)
        check_version(expected_version, stored.claim.version)
        stored.claim.submit(on=uc.today, by=uc.principal.practitioner_id)
        uow.claims.save(stored, at=uc.now)
        uc.commit()
        return stored
