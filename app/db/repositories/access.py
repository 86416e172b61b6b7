"""The facts the access rules need about families' records, loaded in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import (
    EpisodeAllocationRow,
    EpisodeFamilyHelpRow,
    EpisodeRow,
    FamilyPlanRow,
    FamilyRow,
    PlanActionRow,
    TafMemberRow,
)
from app.db.repositories.consents import SqlConsentRepository
from app.domain.access import (
    ALLOCATIONS_GRANTING_ACCESS,
    AllocatedPractitioner,
    EpisodeFacts,
    RecordFacts,
    TafSeat,
    sharing_in_force,
)
from app.domain.episodes import EpisodeStage
from app.domain.family_help import STATUTORY_BASES, AllocationRole

# Built once: the access check runs on every request, and building a statement cost about as
# much CPU as running it (bench/RESULTS.md). Lists are passed with `one_of`.
_FAMILY_WITH_EPISODES = (
    select(
        FamilyRow.id.label("family_id"),
        FamilyRow.hub_id.label("family_hub_id"),
        FamilyRow.created_by_practitioner_id,
        EpisodeRow.id,
        EpisodeRow.hub_id,
        EpisodeRow.lead_practitioner_id,
        EpisodeRow.stage,
        select(FamilyPlanRow.id)
        .where(FamilyPlanRow.episode_id == EpisodeRow.id, FamilyPlanRow.status == "submitted")
        .exists()
        .label("plan_awaiting_qa"),
        select(EpisodeFamilyHelpRow.episode_id)
        .where(
            EpisodeFamilyHelpRow.episode_id == EpisodeRow.id,
            EpisodeFamilyHelpRow.statutory_basis.in_(sorted(b.value for b in STATUTORY_BASES)),
        )
        .exists()
        .label("statutory_basis"),
        TafMemberRow.id.label("seat_id"),
        TafMemberRow.practitioner_id.label("seat_practitioner_id"),
        TafMemberRow.agency_code.label("seat_agency_code"),
        TafMemberRow.joined_on.label("seat_joined_on"),
        TafMemberRow.left_on.label("seat_left_on"),
        EpisodeAllocationRow.id.label("allocation_id"),
        EpisodeAllocationRow.practitioner_id.label("allocated_practitioner_id"),
        EpisodeAllocationRow.role.label("allocation_role"),
        EpisodeAllocationRow.started_on.label("allocation_started_on"),
        EpisodeAllocationRow.ended_on.label("allocation_ended_on"),
    )
    .select_from(FamilyRow)
    .outerjoin(EpisodeRow, EpisodeRow.family_id == FamilyRow.id)
    .outerjoin(
        TafMemberRow,
        and_(
            TafMemberRow.episode_id == EpisodeRow.id,
            TafMemberRow.practitioner_id.is_not(None),
            TafMemberRow.agency_code.is_not(None),
        ),
    )
    .outerjoin(
        EpisodeAllocationRow,
        and_(
            EpisodeAllocationRow.episode_id == EpisodeRow.id,
            EpisodeAllocationRow.role.in_(sorted(r.value for r in ALLOCATIONS_GRANTING_ACCESS)),
        ),
    )
)
"""Each family with its episodes, their practitioners' TAF seats and the allocations that grant
access, in one statement: a row per seat and allocation of each episode (one with neither for an
episode without any), or one row with no episode. One round trip where the seats were a second:
the access check runs on every request. Most episodes have no such allocation; an s.47 one has a
lead child protection practitioner and a co-worker or two, so the product stays small."""
_FAMILIES = _FAMILY_WITH_EPISODES.where(one_of(FamilyRow.id, "family_ids"))
_FAMILY_OF_EPISODE = _FAMILY_WITH_EPISODES.where(
    FamilyRow.id
    == select(EpisodeRow.family_id)
    .where(EpisodeRow.id == bindparam("episode_id"))
    .scalar_subquery()
)
_ASSIGNED_ACTIONS = (
    select(FamilyPlanRow.episode_id, PlanActionRow.id, PlanActionRow.owner_taf_member_id)
    .join(PlanActionRow, PlanActionRow.plan_id == FamilyPlanRow.id)
    .where(
        one_of(FamilyPlanRow.episode_id, "episode_ids"),
        PlanActionRow.owner_taf_member_id.is_not(None),
    )
)


class SqlAccessFacts:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _rows(self, statement: Any, parameters: dict[str, Any]) -> Any:
        """Column rows through the session's connection: no ORM row loading, which cost more
        than the queries on a sync's 262 families (bench/RESULTS.md)."""
        return self._session.connection().execute(statement, parameters).all()

    def for_episode(
        self, episode_id: uuid.UUID, today: date, *, with_assigned_actions: bool = False
    ) -> RecordFacts | None:
        """The facts of the family an episode belongs to (None if there is no such episode)."""
        facts = self._facts(
            self._rows(_FAMILY_OF_EPISODE, {"episode_id": episode_id}),
            today,
            with_assigned_actions=with_assigned_actions,
        )
        return next(iter(facts.values()), None)

    def for_families(
        self,
        family_ids: Sequence[uuid.UUID],
        today: date,
        *,
        with_assigned_actions: bool = False,
    ) -> dict[uuid.UUID, RecordFacts]:
        """RecordFacts for each existing family, with consent to share evaluated on `today`."""
        ids = list(dict.fromkeys(family_ids))
        if not ids:
            return {}
        return self._facts(
            self._rows(_FAMILIES, {"family_ids": ids}),
            today,
            with_assigned_actions=with_assigned_actions,
        )

    def _facts(
        self, family_rows: Iterable[Any], today: date, *, with_assigned_actions: bool
    ) -> dict[uuid.UUID, RecordFacts]:
        families: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID | None]] = {}
        # Grouped as read: filtering every episode for every family was quadratic (262 families,
        # 731 episodes: 190,000 comparisons in one delta sync, bench/RESULTS.md).
        episodes_of: defaultdict[uuid.UUID, dict[uuid.UUID, Any]] = defaultdict(dict)
        seats: defaultdict[uuid.UUID, dict[uuid.UUID, TafSeat]] = defaultdict(dict)
        allocated: defaultdict[uuid.UUID, dict[uuid.UUID, AllocatedPractitioner]] = defaultdict(
            dict
        )
        member_practitioner: dict[uuid.UUID, uuid.UUID] = {}
        for r in family_rows:
            families.setdefault(r.family_id, (r.family_hub_id, r.created_by_practitioner_id))
            if r.id is None:  # a family with no episode comes as one row without one
                continue
            episodes_of[r.family_id].setdefault(r.id, r)
            if r.seat_id is not None:
                seats[r.id][r.seat_id] = TafSeat(
                    practitioner_id=r.seat_practitioner_id,
                    agency_code=r.seat_agency_code,
                    joined_on=r.seat_joined_on,
                    left_on=r.seat_left_on,
                )
                member_practitioner[r.seat_id] = r.seat_practitioner_id
            if r.allocation_id is not None:
                allocated[r.id][r.allocation_id] = AllocatedPractitioner(
                    practitioner_id=r.allocated_practitioner_id,
                    role=AllocationRole(r.allocation_role),
                    started_on=r.allocation_started_on,
                    ended_on=r.allocation_ended_on,
                )
        if not families:
            return {}
        episode_ids = [e for episodes in episodes_of.values() for e in episodes]
        assigned: dict[uuid.UUID, dict[uuid.UUID, set[uuid.UUID]]] = {e: {} for e in episode_ids}
        if episode_ids and with_assigned_actions:
            for episode_id, action_id, owner in self._rows(
                _ASSIGNED_ACTIONS, {"episode_ids": episode_ids}
            ):
                practitioner = member_practitioner.get(owner) if owner is not None else None
                if practitioner is not None:
                    assigned[episode_id].setdefault(practitioner, set()).add(action_id)
        consents = SqlConsentRepository(self._session).for_families(list(families))
        facts: dict[uuid.UUID, RecordFacts] = {}
        for fid, (hub, creator) in families.items():
            agencies, all_taf = sharing_in_force(consents.get(fid, []), today)
            facts[fid] = RecordFacts(
                family_id=fid,
                family_hub_id=hub,
                created_by_practitioner_id=creator,
                sharing_agencies_in_force=agencies,
                sharing_with_all_taf_in_force=all_taf,
                episodes=tuple(
                    EpisodeFacts(
                        episode_id=e.id,
                        hub_id=e.hub_id,
                        lead_practitioner_id=e.lead_practitioner_id,
                        taf=tuple(seats[e.id].values()) if e.id in seats else (),
                        allocated=tuple(allocated[e.id].values()) if e.id in allocated else (),
                        plan_awaiting_qa=bool(e.plan_awaiting_qa),
                        is_open=e.stage != EpisodeStage.CLOSED.value,
                        statutory_basis=bool(e.statutory_basis),
                        assigned_action_ids_by_practitioner=MappingProxyType(
                            {p: frozenset(a) for p, a in assigned[e.id].items()}
                        ),
                    )
                    for e in episodes_of[fid].values()
                ),
            )
        return facts
