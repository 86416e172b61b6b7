"""SQL for a user's search scope: narrows searches to records the access rules could allow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from app.db.models import EpisodeRow, FamilyPlanRow, FamilyRow, TafMemberRow
from app.domain.access import SearchScope


def family_in_scope(scope: SearchScope) -> ColumnElement[bool]:
    """A condition on `families` rows; `decide` still judges each record found."""
    if scope.everything:
        return true()
    conditions: list[Any] = []
    episode_of_family = EpisodeRow.family_id == FamilyRow.id
    if scope.practitioner_id is not None:
        pid = scope.practitioner_id
        conditions += [
            FamilyRow.created_by_practitioner_id == pid,
            exists().where(episode_of_family, EpisodeRow.lead_practitioner_id == pid),
            exists(
                select(TafMemberRow.id)
                .join(EpisodeRow, EpisodeRow.id == TafMemberRow.episode_id)
                .where(episode_of_family, TafMemberRow.practitioner_id == pid)
            ),
        ]
    if scope.hub_ids:
        hubs = list(scope.hub_ids)
        conditions += [
            FamilyRow.hub_id.in_(hubs),
            exists().where(episode_of_family, EpisodeRow.hub_id.in_(hubs)),
        ]
    if scope.plans_awaiting_qa:
        conditions.append(
            exists(
                select(FamilyPlanRow.id)
                .join(EpisodeRow, EpisodeRow.id == FamilyPlanRow.episode_id)
                .where(episode_of_family, FamilyPlanRow.status == "submitted")
            )
        )
    return or_(*conditions) if conditions else false()


def episode_in_scope(scope: SearchScope) -> ColumnElement[bool]:
    """A condition on `episodes` rows, mirroring who may read an episode."""
    if scope.everything:
        return true()
    conditions: list[Any] = []
    if scope.practitioner_id is not None:
        pid = scope.practitioner_id
        conditions += [
            EpisodeRow.lead_practitioner_id == pid,
            exists().where(
                TafMemberRow.episode_id == EpisodeRow.id, TafMemberRow.practitioner_id == pid
            ),
        ]
    if scope.hub_ids:
        conditions.append(EpisodeRow.hub_id.in_(list(scope.hub_ids)))
    if scope.plans_awaiting_qa:
        conditions.append(
            exists().where(
                and_(FamilyPlanRow.episode_id == EpisodeRow.id, FamilyPlanRow.status == "submitted")
            )
        )
    return or_(*conditions) if conditions else false()
