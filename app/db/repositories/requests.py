"""Requests for support: stored, read with the household's prior involvement, listed in scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from app.db.id_lists import one_of
from app.db.models import EpisodeRow, SupportRequestRow
from app.db.repositories.versioned import row_to_save
from app.domain.access import EpisodeFacts, RequestFacts, RequestScope
from app.domain.paging import Page, PageRequest, encode_cursor
from app.domain.requests import (
    NewChild,
    NewHousehold,
    PriorInvolvement,
    Referrer,
    ReferrerKind,
    RequestStatus,
    ScreeningDecision,
    ScreeningOutcome,
    SupportRequest,
    Urgency,
)
from app.services.ports import RequestFilter

_R = SupportRequestRow
_Other = aliased(SupportRequestRow)

earlier_episode = exists(
    select(EpisodeRow.id)
    .where(
        EpisodeRow.family_id == _R.family_id,
        EpisodeRow.requested_on <= _R.received_on,
        # The episode this request itself opened is not an earlier offer of early help.
        or_(
            _R.outcome.is_(None),
            _R.outcome != ScreeningOutcome.EARLY_HELP.value,
            EpisodeRow.id != _R.episode_id,
        ),
    )
    .correlate(_R)
)
"""The household had an episode requested on or before the day this request was received."""

earlier_request = exists(
    select(_Other.id)
    .where(
        _Other.family_id == _R.family_id,
        or_(
            _Other.received_on < _R.received_on,
            and_(_Other.received_on == _R.received_on, _Other.recorded_at < _R.recorded_at),
        ),
    )
    .correlate(_R)
)
"""The household was the subject of a request received before this one (a repeat referral)."""


def earlier_episode_known_by(known_at: datetime | None) -> Any:
    """`earlier_episode`, counting only episodes whose request was recorded by `known_at`."""
    return (
        earlier_episode
        if known_at is None
        else earlier_episode.where(EpisodeRow.created_at <= known_at)
    )


def earlier_request_known_by(known_at: datetime | None) -> Any:
    """`earlier_request`, counting only requests recorded by `known_at`."""
    return (
        earlier_request
        if known_at is None
        else earlier_request.where(_Other.recorded_at <= known_at)
    )


_WITH_PRIOR = select(
    _R, earlier_episode.label("earlier_episode"), earlier_request.label("earlier_request")
)


def request_in_scope(scope: RequestScope) -> ColumnElement[bool]:
    """A condition on `support_requests` rows: `decide_request` lets the user read the row.

    Each term mirrors a rule of `_why_read_request` (app/domain/access.py).
    """
    if scope.everything:
        return true()
    conditions: list[Any] = []
    if scope.created_by is not None:
        conditions.append(_R.created_by_practitioner_id == scope.created_by)
    if scope.led_by is not None:
        conditions.append(
            exists().where(
                EpisodeRow.id == _R.episode_id, EpisodeRow.lead_practitioner_id == scope.led_by
            )
        )
    if scope.hub_ids:
        conditions.append(
            exists().where(EpisodeRow.id == _R.episode_id, EpisodeRow.hub_id.in_(scope.hub_ids))
        )
    return or_(*conditions) if conditions else false()


def _household(data: dict[str, Any] | None) -> NewHousehold | None:
    if data is None:
        return None
    return NewHousehold(
        address_line1=data["address_line1"],
        postcode=data["postcode"],
        contact_name=data.get("contact_name"),
        children=tuple(
            NewChild(
                given_name=c["given_name"],
                family_name=c["family_name"],
                date_of_birth=date.fromisoformat(c["date_of_birth"])
                if c.get("date_of_birth")
                else None,
            )
            for c in data["children"]
        ),
    )


def _household_data(household: NewHousehold | None) -> dict[str, Any] | None:
    if household is None:
        return None
    return {
        "address_line1": household.address_line1,
        "postcode": household.postcode,
        "contact_name": household.contact_name,
        "children": [
            {
                "given_name": c.given_name,
                "family_name": c.family_name,
                "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
            }
            for c in household.children
        ],
    }


def _to_domain(row: SupportRequestRow, prior: PriorInvolvement) -> SupportRequest:
    decision = None
    if row.outcome is not None:
        assert row.decided_on is not None
        assert row.decided_by is not None
        decision = ScreeningDecision(
            outcome=ScreeningOutcome(row.outcome),
            decided_on=row.decided_on,
            reason=row.decision_reason or "",
            decided_by=row.decided_by,
            recorded_at=row.decided_recorded_at or row.updated_at,
            step_up_reference=row.step_up_reference,
            episode_id=row.episode_id,
        )
    return SupportRequest(
        id=row.id,
        received_on=row.received_on,
        recorded_at=row.recorded_at,
        created_by_practitioner_id=row.created_by_practitioner_id,
        referrer=Referrer(
            kind=ReferrerKind(row.referrer_kind),
            agency_code=row.referrer_agency_code,
            name=row.referrer_name,
            role=row.referrer_role,
            contact=row.referrer_contact,
        ),
        asked_for=row.asked_for,
        reason=row.reason,
        family_agreed=row.family_agreed,
        urgency=Urgency(row.urgency),
        decision_due_on=row.decision_due_on,
        policy_version=row.policy_version,
        family_id=row.family_id,
        child_person_ids=tuple(uuid.UUID(p) for p in row.child_person_ids),
        household=_household(row.household),
        decision=decision,
        acknowledged_on=row.acknowledged_on,
        prior=prior,
        version=row.version,
    )


def _apply(row: SupportRequestRow, request: SupportRequest) -> None:
    row.received_on = request.received_on
    row.recorded_at = request.recorded_at
    row.created_by_practitioner_id = request.created_by_practitioner_id
    row.referrer_kind = request.referrer.kind.value
    row.referrer_agency_code = request.referrer.agency_code
    row.referrer_name = request.referrer.name
    row.referrer_role = request.referrer.role
    row.referrer_contact = request.referrer.contact
    row.family_id = request.family_id
    row.child_person_ids = [str(p) for p in request.child_person_ids]
    row.household = _household_data(request.household)
    row.asked_for = request.asked_for
    row.reason = request.reason
    row.family_agreed = request.family_agreed
    row.urgency = request.urgency.value
    row.decision_due_on = request.decision_due_on
    row.policy_version = request.policy_version
    row.acknowledged_on = request.acknowledged_on
    decision = request.decision
    row.outcome = decision.outcome.value if decision else None
    row.decided_on = decision.decided_on if decision else None
    row.decided_recorded_at = decision.recorded_at if decision else None
    row.decided_by = decision.decided_by if decision else None
    row.decision_reason = decision.reason if decision else None
    row.step_up_reference = decision.step_up_reference if decision else None
    row.episode_id = decision.episode_id if decision else None


def _from_result(row: Any) -> SupportRequest:
    return _to_domain(
        row[0],
        PriorInvolvement(
            earlier_episode=bool(row.earlier_episode), earlier_request=bool(row.earlier_request)
        ),
    )


class SqlRequestRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, request_id: uuid.UUID) -> SupportRequest | None:
        found = self._session.execute(_WITH_PRIOR.where(_R.id == request_id)).one_or_none()
        return _from_result(found) if found is not None else None

    def get_many(self, request_ids: Sequence[uuid.UUID]) -> list[SupportRequest]:
        """The requests named, in one statement, oldest received first (the offline sync)."""
        if not request_ids:
            return []
        found = self._session.execute(
            _WITH_PRIOR.where(one_of(_R.id, "request_ids")).order_by(_R.received_on, _R.id),
            {"request_ids": list(request_ids)},
        )
        return [_from_result(r) for r in found]

    def for_family(self, family_id: uuid.UUID) -> list[SupportRequest]:
        """Every request about the family, oldest received first (for its chronology)."""
        found = self._session.execute(
            _WITH_PRIOR.where(_R.family_id == family_id).order_by(_R.received_on, _R.id)
        )
        return [_from_result(r) for r in found]

    def add(self, request: SupportRequest, *, at: datetime) -> None:
        row = SupportRequestRow(id=request.id, created_at=at, updated_at=at)
        _apply(row, request)
        self._session.add(row)
        self._session.flush()
        request.version = row.version

    def save(self, request: SupportRequest, *, at: datetime) -> None:
        row = row_to_save(self._session, SupportRequestRow, request.id, request.version)
        _apply(row, request)
        row.updated_at = at
        self._session.flush()
        request.version = row.version

    def facts(self, request_id: uuid.UUID) -> RequestFacts | None:
        """What `decide_request` needs: who made it and the episode it is linked to."""
        found = self._session.execute(
            select(
                _R.id,
                _R.created_by_practitioner_id,
                _R.family_id,
                EpisodeRow.id.label("episode_id"),
                EpisodeRow.hub_id,
                EpisodeRow.lead_practitioner_id,
            )
            .outerjoin(EpisodeRow, EpisodeRow.id == _R.episode_id)
            .where(_R.id == request_id)
        ).one_or_none()
        if found is None:
            return None
        episode = (
            EpisodeFacts(
                episode_id=found.episode_id,
                hub_id=found.hub_id,
                lead_practitioner_id=found.lead_practitioner_id,
            )
            if found.episode_id is not None
            else None
        )
        return RequestFacts(found.id, found.created_by_practitioner_id, episode, found.family_id)

    def facts_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RequestFacts]:
        if not request_ids:
            return {}
        rows = self._session.execute(
            select(
                _R.id,
                _R.created_by_practitioner_id,
                _R.family_id,
                EpisodeRow.id.label("episode_id"),
                EpisodeRow.hub_id,
                EpisodeRow.lead_practitioner_id,
            )
            .outerjoin(EpisodeRow, EpisodeRow.id == _R.episode_id)
            .where(one_of(_R.id, "request_ids")),
            {"request_ids": list(request_ids)},
        )
        return {
            r.id: RequestFacts(
                r.id,
                r.created_by_practitioner_id,
                EpisodeFacts(r.episode_id, r.hub_id, r.lead_practitioner_id)
                if r.episode_id is not None
                else None,
                r.family_id,
            )
            for r in rows
        }

    def search(self, flt: RequestFilter, page: PageRequest) -> Page[SupportRequest]:
        """Awaiting a decision: the one due soonest first; otherwise the newest receipt first."""
        by_due = flt.status is RequestStatus.AWAITING_DECISION
        key = _R.decision_due_on if by_due else _R.received_on
        stmt = _WITH_PRIOR.where(request_in_scope(flt.scope)).limit(page.limit + 1)
        stmt = stmt.order_by(key, _R.id) if by_due else stmt.order_by(key.desc(), _R.id.desc())
        if flt.status is RequestStatus.AWAITING_DECISION:
            stmt = stmt.where(_R.outcome.is_(None))
        elif flt.status is RequestStatus.DECIDED:
            stmt = stmt.where(_R.outcome.is_not(None))
        if flt.overdue_on is not None:
            stmt = stmt.where(_R.outcome.is_(None), _R.decision_due_on < flt.overdue_on)
        if flt.outcome is not None:
            stmt = stmt.where(_R.outcome == flt.outcome.value)
        if flt.urgency is not None:
            stmt = stmt.where(_R.urgency == flt.urgency.value)
        if flt.family_id is not None:
            stmt = stmt.where(_R.family_id == flt.family_id)
        if flt.received_from is not None:
            stmt = stmt.where(_R.received_on >= flt.received_from)
        if flt.received_to is not None:
            stmt = stmt.where(_R.received_on <= flt.received_to)
        after = page.after_key(date.fromisoformat, uuid.UUID)
        if after is not None:
            on, rid = after
            if by_due:
                stmt = stmt.where((key > on) | ((key == on) & (_R.id > rid)))
            else:
                stmt = stmt.where((key < on) | ((key == on) & (_R.id < rid)))
        rows = list(self._session.execute(stmt))
        more = len(rows) > page.limit
        items = [_from_result(r) for r in rows[: page.limit]]
        cursor = None
        if more:
            last = items[-1]
            last_on = last.decision_due_on if by_due else last.received_on
            cursor = encode_cursor((last_on.isoformat(), last.id))
        return Page(items=items, next_cursor=cursor)

    def attached_unacknowledged(self, lead_id: uuid.UUID) -> list[SupportRequest]:
        """Requests attached to an open episode this practitioner leads, not yet acknowledged."""
        stmt = (
            _WITH_PRIOR.join(EpisodeRow, EpisodeRow.id == _R.episode_id)
            .where(
                _R.outcome == ScreeningOutcome.ALREADY_OPEN.value,
                _R.acknowledged_on.is_(None),
                EpisodeRow.lead_practitioner_id == lead_id,
                EpisodeRow.closed_on.is_(None),
            )
            .order_by(_R.decided_on, _R.id)
        )
        return [_from_result(r) for r in self._session.execute(stmt)]
