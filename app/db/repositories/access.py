"""The facts the access rules need about families' records, loaded in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import (
    EpisodeFamilyHelpRow,
    EpisodeRow,
    FamilyPlanRow,
    FamilyRow,
    PlanActionRow,
    TafMemberRow,
)
from app.db.repositories.consents import SqlConsentRepository
from app.domain.access import EpisodeFacts, RecordFacts, TafSeat, sharing_in_force
from app.domain.episodes import EpisodeStage
from app.domain.family_help import STATUTORY_BASES

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
    )
    .select_from(FamilyRow)
    .outerjoin(EpisodeRow, EpisodeRow.family_id == FamilyRow.id)
)
"""Each family with its episodes in one statement: a row per episode, or one row with no episode."""
_FAMILIES = _FAMILY_WITH_EPISODES.where(one_of(FamilyRow.id, "family_ids"))
_FAMILY_OF_EPISODE = _FAMILY_WITH_EPISODES.where(
    FamilyRow.id
    == select(EpisodeRow.family_id)
    .where(EpisodeRow.id == bindparam("episode_id"))
    .scalar_subquery()
)
_SEATS = select(
    TafMemberRow.id,
    TafMemberRow.episode_id,
    TafMemberRow.practitioner_id,
    TafMemberRow.agency_code,
    TafMemberRow.joined_on,
    TafMemberRow.left_on,
).where(
    one_of(TafMemberRow.episode_id, "episode_ids"),
    TafMemberRow.practitioner_id.is_not(None),
    TafMemberRow.agency_code.is_not(None),
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
        episodes_of: defaultdict[uuid.UUID, list[Any]] = defaultdict(list)
        for r in family_rows:
            families.setdefault(r.family_id, (r.family_hub_id, r.created_by_practitioner_id))
            if r.id is not None:  # a family with no episode comes as one row without one
                episodes_of[r.family_id].append(r)
        if not families:
            return {}
        episode_ids = [e.id for episodes in episodes_of.values() for e in episodes]
        seats: dict[uuid.UUID, list[TafSeat]] = {e: [] for e in episode_ids}
        member_practitioner: dict[uuid.UUID, uuid.UUID] = {}
        assigned: dict[uuid.UUID, dict[uuid.UUID, set[uuid.UUID]]] = {e: {} for e in episode_ids}
        if episode_ids:
            for m in self._rows(_SEATS, {"episode_ids": episode_ids}):
                seats[m.episode_id].append(
                    TafSeat(
                        practitioner_id=m.practitioner_id,
                        agency_code=m.agency_code,
                        joined_on=m.joined_on,
                        left_on=m.left_on,
                    )
                )
                member_practitioner[m.id] = m.practitioner_id
            action_rows = (
                self._rows(_ASSIGNED_ACTIONS, {"episode_ids": episode_ids})
                if with_assigned_actions
                else []
            )
            for episode_id, action_id, owner in action_rows:
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
                        taf=tuple(seats[e.id]),
                        plan_awaiting_qa=bool(e.plan_awaiting_qa),
                        is_open=e.stage != EpisodeStage.CLOSED.value,
                        statutory_basis=bool(e.statutory_basis),
                        assigned_action_ids_by_practitioner=MappingProxyType(
                            {p: frozenset(a) for p, a in assigned[e.id].items()}
                        ),
                    )
                    for e in episodes_of[fid]
                ),
            )
        return facts
