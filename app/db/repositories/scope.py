"""SQL for a user's search scope: exactly the records the access rules let them read today.

Each condition mirrors a rule of `app.domain.access` (`_Relationships`); lists page within them,
so no page or cursor is built from a record the user may not see. A property test
(tests/integration/test_list_access.py) holds this translation to `decide`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from app.db.models import (
    ConsentAgencyRow,
    ConsentRow,
    EpisodeAllocationRow,
    EpisodeFamilyHelpRow,
    EpisodeRow,
    FamilyPlanRow,
    FamilyRow,
    TafMemberRow,
)
from app.domain.access import ALLOCATIONS_GRANTING_ACCESS, SearchScope
from app.domain.consents import ConsentPurpose, SharingScope
from app.domain.family_help import STATUTORY_BASES


def _sharing_in_force(family_id: Any, agency_code: Any, today: date) -> ColumnElement[bool]:
    """Consent to share information with this agency (or all TAF members) is in force today
    (`sharing_in_force`: given by today, not withdrawn by today)."""
    in_force = and_(
        ConsentRow.family_id == family_id,
        ConsentRow.purpose == ConsentPurpose.INFORMATION_SHARING.value,
        ConsentRow.given_on <= today,
        or_(ConsentRow.withdrawn_on.is_(None), ConsentRow.withdrawn_on > today),
    )
    # Correlated explicitly: two levels below the families (and the TAF seat) they name,
    # auto-correlation would add `families` and `taf_members` to these FROM lists, and a
    # consent given by any family would count for every one.
    return exists(
        select(ConsentRow.id)
        .where(
            in_force,
            or_(
                ConsentRow.sharing_scope == SharingScope.ALL_TAF_MEMBERS.value,
                exists()
                .where(
                    ConsentAgencyRow.consent_id == ConsentRow.id,
                    ConsentAgencyRow.agency_code == agency_code,
                )
                .correlate_except(ConsentAgencyRow),
            ),
        )
        .correlate_except(ConsentRow)
    )


def _taf_seat_under_consent(
    episode_id: Any, family_id: Any, practitioner_id: Any, today: date
) -> ColumnElement[bool]:
    """An active seat today on this episode's TAF, under consent to share with its agency, or on
    the episode's statutory basis (s.17, s.47), which needs no consent (`sits_on_taf`)."""
    statutory = (
        exists()
        .where(
            EpisodeFamilyHelpRow.episode_id == TafMemberRow.episode_id,
            EpisodeFamilyHelpRow.statutory_basis.in_(sorted(b.value for b in STATUTORY_BASES)),
        )
        .correlate_except(EpisodeFamilyHelpRow)
    )
    return exists(
        select(TafMemberRow.id).where(
            TafMemberRow.episode_id == episode_id,
            TafMemberRow.practitioner_id == practitioner_id,
            TafMemberRow.agency_code.is_not(None),
            TafMemberRow.joined_on <= today,
            or_(TafMemberRow.left_on.is_(None), TafMemberRow.left_on > today),
            or_(statutory, _sharing_in_force(family_id, TafMemberRow.agency_code, today)),
        )
    )


def _allocated_today(episode_id: Any, practitioner_id: Any, today: date) -> ColumnElement[bool]:
    """An allocation to this episode as lead child protection practitioner or co-worker, begun by
    today and not ended by today (`allocated_to`: nothing from its end date)."""
    return exists(
        select(EpisodeAllocationRow.id).where(
            EpisodeAllocationRow.episode_id == episode_id,
            EpisodeAllocationRow.practitioner_id == practitioner_id,
            EpisodeAllocationRow.role.in_(sorted(r.value for r in ALLOCATIONS_GRANTING_ACCESS)),
            EpisodeAllocationRow.started_on <= today,
            or_(EpisodeAllocationRow.ended_on.is_(None), EpisodeAllocationRow.ended_on > today),
        )
    )


def _today(scope: SearchScope) -> date:
    if scope.today is None:
        raise ValueError("a search scope needs the day it is judged on")
    return scope.today


def family_in_scope(scope: SearchScope) -> ColumnElement[bool]:
    """A condition on `families` rows: the user may read the family today."""
    if scope.everything:
        return true()
    conditions: list[Any] = []
    episode_of_family = EpisodeRow.family_id == FamilyRow.id
    if scope.practitioner_id is not None:
        pid = scope.practitioner_id
        today = _today(scope)
        conditions += [
            and_(
                FamilyRow.created_by_practitioner_id == pid,
                ~exists().where(episode_of_family),
            ),
            exists().where(episode_of_family, EpisodeRow.lead_practitioner_id == pid),
            exists(
                select(EpisodeRow.id).where(
                    episode_of_family, _allocated_today(EpisodeRow.id, pid, today)
                )
            ),
            exists(
                select(EpisodeRow.id).where(
                    episode_of_family,
                    _taf_seat_under_consent(EpisodeRow.id, FamilyRow.id, pid, today),
                )
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
    """A condition on `episodes` rows: the user may read the episode today."""
    if scope.everything:
        return true()
    conditions: list[Any] = []
    if scope.practitioner_id is not None:
        pid = scope.practitioner_id
        conditions += [
            EpisodeRow.lead_practitioner_id == pid,
            _allocated_today(EpisodeRow.id, pid, _today(scope)),
            _taf_seat_under_consent(EpisodeRow.id, EpisodeRow.family_id, pid, _today(scope)),
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
