"""Supporting Families claims with their evaluation and frozen evidence pack, and the versioned
reference data they are judged by (the outcome framework document and the council's claim policy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import (
    AssessmentRow,
    ClaimRow,
    EpisodeRow,
    FamilyNeedRow,
    FamilyPlanRow,
    FamilyRow,
    MembershipRow,
    PersonRow,
    SfFrameworkRow,
    SfPolicyRow,
    SupportDeliveredRow,
)
from app.db.repositories.episodes import lead_history_from_json
from app.db.repositories.needs import NEEDS_OF_EPISODES, stored_need
from app.db.repositories.versioned import row_to_save
from app.domain.episodes import ClosureReason
from app.domain.errors import Conflict
from app.domain.families import MemberRole
from app.domain.outcomes_framework import ClaimRoute, council_policy_to_dict, parse_council_policy
from app.domain.supporting_families import (
    AssessmentSummary,
    AuditDecision,
    AuditOutcome,
    Claim,
    ClaimEvent,
    ClaimState,
    Clawback,
    EvidencePack,
    NeedOutcome,
    PlanSummary,
    RuleId,
    RuleResult,
    SupportDelivered,
    SustainmentResult,
)
from app.services.ports import (
    CaseRecordedAt,
    ClaimCaseRecord,
    HouseholdMember,
    StoredClaim,
    StoredFramework,
    StoredNeed,
    StoredSfPolicy,
)

# The claim rules' reads (`case_records`): columns, not aggregates, one statement per kind.
_CASE_EPISODES = select(
    EpisodeRow.id,
    EpisodeRow.family_id,
    EpisodeRow.hub_id,
    EpisodeRow.requested_on,
    EpisodeRow.closed_on,
    EpisodeRow.closure_reason,
    EpisodeRow.lead_history,
    EpisodeRow.closed_recorded_at,
).where(one_of(EpisodeRow.id, "episode_ids"))
_CASE_HOUSEHOLDS = (
    select(
        MembershipRow.family_id,
        MembershipRow.person_id,
        MembershipRow.role,
        MembershipRow.joined_on,
        MembershipRow.left_on,
        PersonRow.date_of_birth,
        PersonRow.expected_delivery_date,
        PersonRow.send,
        MembershipRow.created_at,
    )
    .join(PersonRow, PersonRow.id == MembershipRow.person_id)
    .where(one_of(MembershipRow.family_id, "family_ids"))
    .order_by(MembershipRow.joined_on, MembershipRow.id)
)
_CASE_ASSESSMENTS = (
    select(
        AssessmentRow.id,
        AssessmentRow.episode_id,
        AssessmentRow.completed_on,
        AssessmentRow.covered_person_ids,
        AssessmentRow.created_at,
        AssessmentRow.completed_recorded_at,
    )
    .where(one_of(AssessmentRow.episode_id, "episode_ids"))
    .order_by(AssessmentRow.episode_id, AssessmentRow.number)
)
_CASE_PLANS = (
    select(
        FamilyPlanRow.id,
        FamilyPlanRow.episode_id,
        FamilyPlanRow.number,
        FamilyPlanRow.agreed_on,
        FamilyPlanRow.outcomes,
        FamilyPlanRow.created_at,
    )
    .where(one_of(FamilyPlanRow.episode_id, "episode_ids"))
    .order_by(FamilyPlanRow.episode_id, FamilyPlanRow.number)
)
_CASE_SUPPORT = (
    select(
        SupportDeliveredRow.episode_id,
        SupportDeliveredRow.service,
        SupportDeliveredRow.provider,
        SupportDeliveredRow.started_on,
        SupportDeliveredRow.ended_on,
        SupportDeliveredRow.created_at,
    )
    .where(one_of(SupportDeliveredRow.episode_id, "episode_ids"))
    .order_by(SupportDeliveredRow.started_on, SupportDeliveredRow.id)
)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _event_json(e: ClaimEvent) -> dict[str, Any]:
    return {
        "from_state": None if e.from_state is None else e.from_state.value,
        "to_state": e.to_state.value,
        "on": e.on.isoformat(),
        "by": str(e.by),
        "note": e.note,
    }


def _event(d: dict[str, Any]) -> ClaimEvent:
    return ClaimEvent(
        from_state=None if d["from_state"] is None else ClaimState(d["from_state"]),
        to_state=ClaimState(d["to_state"]),
        on=date.fromisoformat(d["on"]),
        by=uuid.UUID(d["by"]),
        note=d.get("note"),
    )


def _evaluation_json(stored: StoredClaim) -> dict[str, Any] | None:
    if stored.evaluated_on is None:
        return None
    return {
        "as_of": stored.evaluated_on.isoformat(),
        "results": [
            {"rule_id": r.rule_id.value, "passed": r.passed, "reason": r.reason}
            for r in stored.evaluation
        ],
    }


def _domain(row: ClaimRow) -> StoredClaim:
    audit = row.audit_decision
    clawback = row.clawback
    claim = Claim(
        id=row.id,
        family_id=row.family_id,
        episode_id=row.episode_id,
        framework_version=row.framework_version,
        route=ClaimRoute(row.route),
        programme_year=row.programme_year,
        programme_phase=row.programme_phase,
        unit_value_pence=row.unit_value_pence,
        created_on=row.created_on,
        created_by=row.created_by,
        state=ClaimState(row.state),
        ready_on=row.ready_on,
        prepared_by=row.prepared_by,
        audit=None
        if audit is None
        else AuditDecision(
            auditor_id=uuid.UUID(audit["auditor_id"]),
            outcome=AuditOutcome(audit["outcome"]),
            decided_on=date.fromisoformat(audit["decided_on"]),
            notes=audit["notes"],
        ),
        submitted_on=row.submitted_on,
        paid_on=row.paid_on,
        clawback=None
        if clawback is None
        else Clawback(
            on=date.fromisoformat(clawback["on"]),
            reason=clawback["reason"],
            recorded_by=uuid.UUID(clawback["recorded_by"]),
        ),
        assurance_sampled=row.assurance_sampled,
        evidence_pack=None
        if row.evidence_pack is None or row.content_hash is None
        else EvidencePack(canonical_json=row.evidence_pack, content_hash=row.content_hash),
        history=[_event(e) for e in row.history],
        version=row.version,
    )
    evaluation = row.evaluation or {}
    return StoredClaim(
        claim=claim,
        period_end=row.period_end,
        evaluation=tuple(
            RuleResult(rule_id=RuleId(r["rule_id"]), passed=r["passed"], reason=r["reason"])
            for r in evaluation.get("results", [])
        ),
        evaluated_on=_day(evaluation.get("as_of")),
        recorded_at=row.created_at,
    )


class SqlClaimRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- claims ----------------------------------------------------------------------------------

    def get(self, claim_id: uuid.UUID) -> StoredClaim | None:
        row = self._session.get(ClaimRow, claim_id)
        return _domain(row) if row else None

    def for_family(self, family_id: uuid.UUID) -> list[StoredClaim]:
        rows = self._session.scalars(
            select(ClaimRow)
            .where(ClaimRow.family_id == family_id)
            .order_by(ClaimRow.created_on, ClaimRow.id)
        )
        return [_domain(r) for r in rows]

    def for_families(self, family_ids: Sequence[uuid.UUID]) -> list[StoredClaim]:
        if not family_ids:
            return []
        rows = self._session.scalars(
            select(ClaimRow)
            .where(ClaimRow.family_id.in_(list(family_ids)))
            .order_by(ClaimRow.family_id, ClaimRow.created_on, ClaimRow.id)
        )
        return [_domain(r) for r in rows]

    def for_period(self, period_end: date) -> list[StoredClaim]:
        rows = self._session.scalars(
            select(ClaimRow)
            .where(ClaimRow.period_end == period_end)
            .order_by(ClaimRow.created_on, ClaimRow.id)
        )
        return [_domain(r) for r in rows]

    def add(self, stored: StoredClaim, *, at: datetime) -> None:
        row = ClaimRow(id=stored.claim.id, created_at=at, updated_at=at)
        self._apply(row, stored)
        self._session.add(row)
        self._flush()
        stored.claim.version = row.version

    def save(self, stored: StoredClaim, *, at: datetime) -> None:
        row = row_to_save(self._session, ClaimRow, stored.claim.id, stored.claim.version)
        self._apply(row, stored)
        row.updated_at = at
        self._flush()
        stored.claim.version = row.version

    def _flush(self) -> None:
        try:
            self._session.flush()
        except IntegrityError as exc:
            self._session.rollback()
            raise Conflict(
                "The family already has a live claim for this programme phase; a family is "
                "claimed for once per phase (C6, K10).",
                code="claim_already_live_for_phase",
            ) from exc

    @staticmethod
    def _apply(row: ClaimRow, stored: StoredClaim) -> None:
        c = stored.claim
        row.family_id = c.family_id
        row.episode_id = c.episode_id
        row.programme_phase = c.programme_phase
        row.programme_year = c.programme_year
        row.unit_value_pence = c.unit_value_pence
        row.state = c.state.value
        row.framework_version = c.framework_version
        row.route = c.route.value
        row.period_end = stored.period_end
        row.created_on = c.created_on
        row.created_by = c.created_by
        row.ready_on = c.ready_on
        row.prepared_by = c.prepared_by
        row.submitted_on = c.submitted_on
        row.paid_on = c.paid_on
        row.assurance_sampled = c.assurance_sampled
        row.evaluation = _evaluation_json(stored)
        pack = c.evidence_pack
        row.evidence_pack = None if pack is None else pack.canonical_json
        row.content_hash = None if pack is None else pack.content_hash
        row.audit_decision = (
            None
            if c.audit is None
            else {
                "auditor_id": str(c.audit.auditor_id),
                "outcome": c.audit.outcome.value,
                "decided_on": c.audit.decided_on.isoformat(),
                "notes": c.audit.notes,
            }
        )
        row.clawback = (
            None
            if c.clawback is None
            else {
                "on": c.clawback.on.isoformat(),
                "reason": c.clawback.reason,
                "recorded_by": str(c.clawback.recorded_by),
            }
        )
        row.history = [_event_json(e) for e in c.history]

    # --- what the batch looks at -----------------------------------------------------------------

    def case_records(self, episode_ids: Sequence[uuid.UUID]) -> list[ClaimCaseRecord]:
        """Each episode's record for the claim rules, in the order given, in six statements: the
        episodes, their households with the people's birth facts, assessments, plan versions,
        support and needs, each part with when it was recorded. The reports judged whole
        families, people, assessments and plans before, 70-85 % of their time
        (bench/RESULTS.md)."""
        if not episode_ids:
            return []
        run = self._session.connection().execute
        ids = {"episode_ids": list(dict.fromkeys(episode_ids))}
        episodes = {r.id: r for r in run(_CASE_EPISODES, ids)}
        family_ids = list(dict.fromkeys(r.family_id for r in episodes.values()))
        households: dict[uuid.UUID, list[tuple[HouseholdMember, datetime]]] = {
            f: [] for f in family_ids
        }
        for m in run(_CASE_HOUSEHOLDS, {"family_ids": family_ids}) if family_ids else ():
            member = HouseholdMember(
                person_id=m.person_id,
                role=MemberRole(m.role),
                joined_on=m.joined_on,
                left_on=m.left_on,
                date_of_birth=m.date_of_birth,
                expected_delivery_date=m.expected_delivery_date,
                send=m.send,
            )
            households[m.family_id].append((member, m.created_at))
        assessments: dict[uuid.UUID, list[Any]] = {i: [] for i in episodes}
        for a in run(_CASE_ASSESSMENTS, ids):
            summary = AssessmentSummary(
                a.id, a.completed_on, tuple(uuid.UUID(p) for p in a.covered_person_ids)
            )
            assessments[a.episode_id].append((summary, a.created_at, a.completed_recorded_at))
        plans: dict[uuid.UUID, list[tuple[PlanSummary, datetime]]] = {i: [] for i in episodes}
        for r in run(_CASE_PLANS, ids):
            need_ids = (uuid.UUID(n) for o in r.outcomes for n in o["need_ids"])
            plan = PlanSummary(
                plan_id=r.id,
                version=r.number,
                agreed_on=r.agreed_on,
                need_ids=tuple(dict.fromkeys(need_ids)),
            )
            plans[r.episode_id].append((plan, r.created_at))
        support: dict[uuid.UUID, list[tuple[SupportDelivered, datetime]]] = {
            i: [] for i in episodes
        }
        for d in run(_CASE_SUPPORT, ids):
            delivered = SupportDelivered(
                service=d.service,
                provider=d.provider,
                started_on=d.started_on,
                ended_on=d.ended_on,
            )
            support[d.episode_id].append((delivered, d.created_at))
        needs: dict[uuid.UUID, list[StoredNeed]] = {i: [] for i in episodes}
        for r in run(NEEDS_OF_EPISODES, ids):
            needs[r.episode_id].append(stored_need(r))
        return [
            ClaimCaseRecord(
                episode_id=e.id,
                family_id=e.family_id,
                hub_id=e.hub_id,
                requested_on=e.requested_on,
                closed_on=e.closed_on,
                closure_reason=ClosureReason(e.closure_reason) if e.closure_reason else None,
                lead_history=tuple(lead_history_from_json(e.lead_history)),
                household=tuple(m for m, _ in households[e.family_id]),
                assessments=tuple(a for a, _, _ in assessments[e.id]),
                plans=tuple(p for p, _ in plans[e.id]),
                support=tuple(d for d, _ in support[e.id]),
                needs=tuple(n.record for n in needs[e.id]),
                recorded_at=CaseRecordedAt(
                    closure=e.closed_recorded_at,
                    members=tuple(at for _, at in households[e.family_id]),
                    assessments_started=tuple(at for _, at, _ in assessments[e.id]),
                    assessments_completed=tuple(at for _, _, at in assessments[e.id]),
                    plans=tuple(at for _, at in plans[e.id]),
                    support=tuple(at for _, at in support[e.id]),
                    needs=tuple(n.recorded_at for n in needs[e.id]),
                    outcomes=tuple(n.outcome_recorded_at for n in needs[e.id]),
                    sustainment_checks=tuple(n.sustainment_recorded_at for n in needs[e.id]),
                ),
            )
            for i in episode_ids
            if (e := episodes.get(i)) is not None
        ]

    def closed_episodes_with_needs(
        self,
        closed_by: date,
        *,
        closed_from: date | None = None,
        all_needs_achieved: bool = False,
        sustained_by: date | None = None,
        needs_at_least: tuple[int, int] | None = None,
    ) -> list[uuid.UUID]:
        """Episodes closed on or before `closed_by` (and on or after `closed_from`) with Supporting
        Families needs recorded (and, if asked, none of them short of achieved, and each checked
        as sustained by `sustained_by`: JSON fields read the same way on both databases)."""
        query = select(EpisodeRow.id).where(
            EpisodeRow.closed_on.is_not(None),
            EpisodeRow.closed_on <= closed_by,
            EpisodeRow.id.in_(select(FamilyNeedRow.episode_id)),
        )
        if closed_from is not None:
            query = query.where(EpisodeRow.closed_on >= closed_from)
        if all_needs_achieved:
            query = query.where(
                ~EpisodeRow.id.in_(
                    select(FamilyNeedRow.episode_id).where(
                        FamilyNeedRow.outcome_status != NeedOutcome.ACHIEVED.value
                    )
                )
            )
        if sustained_by is not None:
            check = FamilyNeedRow.sustainment
            query = query.where(
                ~EpisodeRow.id.in_(
                    select(FamilyNeedRow.episode_id).where(
                        or_(
                            func.coalesce(check["result"].as_string(), "")
                            != SustainmentResult.SUSTAINED.value,
                            func.coalesce(check["checked_on"].as_string(), "9999-12-31")
                            > sustained_by.isoformat(),
                        )
                    )
                )
            )
        if needs_at_least is not None:
            descriptors, headlines = needs_at_least
            query = query.where(
                EpisodeRow.id.in_(
                    select(FamilyNeedRow.episode_id)
                    .group_by(FamilyNeedRow.episode_id)
                    .having(
                        func.count(func.distinct(FamilyNeedRow.descriptor_code)) >= descriptors,
                        func.count(func.distinct(FamilyNeedRow.headline)) >= headlines,
                    )
                )
            )
        ids = self._session.scalars(query.order_by(EpisodeRow.closed_on, EpisodeRow.id))
        return list(ids)

    def raised_by(self, day: date) -> list[StoredClaim]:
        """Claims raised for batch periods ending on or before `day`: every claim that can have
        moved by then, since a claim is raised on its period's last day."""
        rows = self._session.scalars(
            select(ClaimRow)
            .where(ClaimRow.period_end <= day)
            .order_by(ClaimRow.period_end, ClaimRow.created_on, ClaimRow.id)
        )
        return [_domain(r) for r in rows]

    def family_references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not family_ids:
            return {}
        rows = self._session.execute(
            select(FamilyRow.id, FamilyRow.reference).where(FamilyRow.id.in_(list(family_ids)))
        )
        return {r.id: r.reference for r in rows}

    # --- reference data --------------------------------------------------------------------------

    def frameworks(self) -> list[StoredFramework]:
        rows = self._session.scalars(select(SfFrameworkRow).order_by(SfFrameworkRow.version))
        return [
            StoredFramework(
                version=r.version,
                document=r.document,
                reason=r.reason,
                created_by=r.created_by,
                created_at=r.created_at,
            )
            for r in rows
        ]

    def add_framework(self, framework: StoredFramework) -> None:
        self._session.add(
            SfFrameworkRow(
                version=framework.version,
                document=framework.document,
                reason=framework.reason,
                created_by=framework.created_by,
                created_at=framework.created_at,
            )
        )
        self._session.flush()

    def policies(self) -> list[StoredSfPolicy]:
        rows = self._session.scalars(select(SfPolicyRow).order_by(SfPolicyRow.version))
        return [
            StoredSfPolicy(
                version=r.version,
                effective_from=r.effective_from,
                policy=parse_council_policy(r.document),
                reason=r.reason,
                created_by=r.created_by,
                created_at=r.created_at,
                recorded_on=r.recorded_on,
            )
            for r in rows
        ]

    def add_policy(self, policy: StoredSfPolicy) -> None:
        self._session.add(
            SfPolicyRow(
                version=policy.version,
                effective_from=policy.effective_from,
                document=council_policy_to_dict(policy.policy),
                reason=policy.reason,
                created_by=policy.created_by,
                created_at=policy.created_at,
                recorded_on=policy.recorded_on,
            )
        )
        self._session.flush()
