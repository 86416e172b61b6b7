"""Use cases of the front door: receive a request for support, read and list requests, screen one.

Screening to early help opens the episode through the same steps as `POST /episodes` (one open
episode per family, current child members, an eligible lead, an active hub, a listed level of
need), inside the screening's own use case, so the decision and the episode commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from app.domain.access import Action, Role
from app.domain.episodes import RequestSource
from app.domain.errors import Conflict, IllegalTransition, InvalidValue
from app.domain.families import MemberRole
from app.domain.family_help import FamilyHelpPolicy
from app.domain.paging import Page, PageRequest
from app.domain.requests import (
    NewHousehold,
    Referrer,
    RequestCorrection,
    RequestStatus,
    ScreeningDecision,
    ScreeningOutcome,
    SupportRequest,
    Urgency,
    correct_request,
    receive_request,
)
from app.domain.step_dates import happened_on
from app.domain.timeliness import DeadlineState
from app.domain.versions import Expected, check_version
from app.services import episodes
from app.services.ports import Clock, RequestFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    hidden,
    run_idempotent,
)


@dataclass(frozen=True)
class RequestView:
    """A request with its screening clock on `as_of`."""

    request: SupportRequest
    clock: DeadlineState
    as_of: date


def _view(uow: UnitOfWork, request: SupportRequest, as_of: date) -> RequestView:
    due_soon = uow.policies.history().in_force_on(as_of).due_soon_days
    return RequestView(request=request, clock=request.clock(as_of, due_soon), as_of=as_of)


def _load(uow: UnitOfWork, request_id: uuid.UUID) -> SupportRequest:
    request = uow.requests.get(request_id)
    if request is None:
        raise hidden("request for support")
    return request


@dataclass(frozen=True)
class NewRequest:
    referrer: Referrer
    asked_for: str
    reason: str
    family_agreed: bool
    urgency: Urgency
    received_on: date | None = None
    family_id: uuid.UUID | None = None
    child_person_ids: tuple[uuid.UUID, ...] = ()
    household: NewHousehold | None = None


def create_request(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    new: NewRequest,
    *,
    idempotency: IdempotentRequest[RequestView] | None = None,
) -> RequestView | Replayed:
    """Receive a request for support; its decision clock starts on the day it was received."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.CREATE_REQUEST, "support_request")
        if new.family_id is not None and not (
            actor.principal.roles & {Role.FRONT_DOOR_OFFICER, Role.MANAGER}
        ):
            # A referrer names a household by id only if they may read it; otherwise they
            # describe it, so a request never confirms that a family exists.
            uc.require(Action.READ_FAMILY, Target.family(new.family_id, "support_request"))
        return run_idempotent(uc, idempotency, lambda: _create(uc, new))


def _create(uc: UseCase, new: NewRequest) -> RequestView:
    uow = uc.uow
    received_on = happened_on(new.received_on, today=uc.today, field="received_on")
    _check_agency(uow, new.referrer)
    if new.family_id is not None:
        _check_children(uow, new.family_id, new.child_person_ids, received_on)
    request = receive_request(
        id=uuid.uuid4(),
        received_on=received_on,
        today=uc.today,
        recorded_at=uc.now,
        created_by_practitioner_id=uc.principal.practitioner_id,
        referrer=new.referrer,
        asked_for=new.asked_for,
        reason=new.reason,
        family_agreed=new.family_agreed,
        urgency=new.urgency,
        policy=uow.policies.history().in_force_on(received_on),
        calendar=uow.reference_data.calendar(),
        family_id=new.family_id,
        child_person_ids=new.child_person_ids,
        household=new.household,
    )
    uow.requests.add(request, at=uc.now)
    uc.identify(Action.CREATE_REQUEST, request.id, new.family_id)
    return _view(uow, _load(uow, request.id), uc.today)


def _check_agency(uow: UnitOfWork, referrer: Referrer) -> None:
    agency = referrer.agency_code
    if agency is not None and agency not in uow.reference.agency_codes():
        raise InvalidValue(
            "There is no agency with this code.",
            field="referrer.agency_code",
            code="agency_unknown",
        )


def edit_request(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    correction: RequestCorrection,
    *,
    expected_version: Expected,
) -> RequestView:
    """Correct a request before it is screened (If-Match: the request's version): the front
    door, or the practitioner who made it. A new day of receipt moves its decision clock."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_request(Action.EDIT_REQUEST, request_id)
        request = _load(uow, request_id)
        check_version(expected_version, request.version)
        received_on = correction.received_on or request.received_on
        correct_request(
            request,
            correction,
            today=uc.today,
            policy=uow.policies.history().in_force_on(received_on),
            calendar=uow.reference_data.calendar(),
        )
        if correction.referrer is not None:
            _check_agency(uow, correction.referrer)
        if correction.child_person_ids is not None and request.family_id is not None:
            _check_children(uow, request.family_id, request.child_person_ids, received_on)
        uow.requests.save(request, at=uc.now)
        view = _view(uow, _load(uow, request_id), uc.today)
        uc.commit()
        return view


def _check_children(
    uow: UnitOfWork, family_id: uuid.UUID, child_ids: tuple[uuid.UUID, ...], on: date
) -> None:
    family = uow.families.get(family_id)
    if family is None:
        raise hidden("family")
    for index, person_id in enumerate(child_ids):
        membership = family.membership_of(person_id, on)
        if membership is None or membership.role is not MemberRole.CHILD:
            raise InvalidValue(
                "Each child must be a current child member of the family.",
                field=f"child_person_ids[{index}]",
                code="request_child_not_child_member",
            )


def get_request(uow: UnitOfWork, clock: Clock, actor: Actor, request_id: uuid.UUID) -> RequestView:
    with UseCase(uow, clock, actor) as uc:
        uc.require_request(Action.READ_REQUEST, request_id)
        view = _view(uow, _load(uow, request_id), uc.today)
        uc.commit()
        return view


def list_requests(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    flt: RequestFilter,
    page: PageRequest,
    *,
    overdue: bool = False,
) -> Page[RequestView]:
    """Requests the user may read, filtered in SQL; `overdue`: awaiting a decision past its day."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.SEARCH_REQUESTS, "support_request_search")
        found = uow.requests.search(
            replace(flt, scope=uc.request_scope(), overdue_on=uc.today if overdue else None),
            page,
        )
        readable = uc.readable_requests(r.id for r in found.items)
        views = [_view(uow, r, uc.today) for r in found.items if r.id in readable]
        uc.commit()
        return Page(items=views, next_cursor=found.next_cursor)


@dataclass(frozen=True)
class Screening:
    """The front door's decision as asked for; for early help, what the episode needs."""

    outcome: ScreeningOutcome
    reason: str
    decided_on: date | None = None
    step_up_reference: str | None = None
    family_id: uuid.UUID | None = None
    """The household's record, for a request that described a household not yet registered."""
    child_person_ids: tuple[uuid.UUID, ...] = ()
    lead_practitioner_id: uuid.UUID | None = None
    level_of_need: str | None = None
    hub_id: uuid.UUID | None = None


def screen_request(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    screening: Screening,
    *,
    expected_version: Expected,
    levels: Collection[str],
    family_help: FamilyHelpPolicy | None = None,
) -> RequestView:
    """Record the screening decision (If-Match: the request's version); early help opens the
    episode, already open attaches the request to the family's open episode for its lead."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_request(Action.SCREEN_REQUEST, request_id)
        request = _load(uow, request_id)
        check_version(expected_version, request.version)
        decided_on = happened_on(screening.decided_on, today=uc.today, field="decided_on")
        _link_family(uc, request, screening, decided_on)
        episode_id = _episode_for(uc, request, screening, levels, family_help)
        request.screen(
            ScreeningDecision(
                outcome=screening.outcome,
                decided_on=decided_on,
                reason=screening.reason,
                decided_by=uc.principal.practitioner_id,
                recorded_at=uc.now,
                step_up_reference=screening.step_up_reference,
                episode_id=episode_id,
            ),
            today=uc.today,
        )
        uow.requests.save(request, at=uc.now)
        view = _view(uow, _load(uow, request_id), uc.today)
        uc.commit()
        return view


def _link_family(
    uc: UseCase, request: SupportRequest, screening: Screening, decided_on: date
) -> None:
    """A request about a household not yet registered is linked to its record when screened."""
    if screening.family_id is None:
        return
    if request.family_id is not None and screening.family_id != request.family_id:
        raise InvalidValue(
            "This request is about another family.",
            field="family_id",
            code="request_family_mismatch",
        )
    children = screening.child_person_ids or request.child_person_ids
    if not children:
        raise InvalidValue(
            "Name the children of the registered household the request is about.",
            field="child_person_ids",
            code="request_children_required",
        )
    _check_children(uc.uow, screening.family_id, children, decided_on)
    if request.family_id is None:
        uc.record(
            "link_request_to_family",
            Target.family(screening.family_id, "support_request", request.id),
        )
    request.family_id = screening.family_id
    request.child_person_ids = children


def _episode_for(
    uc: UseCase,
    request: SupportRequest,
    screening: Screening,
    levels: Collection[str],
    family_help: FamilyHelpPolicy | None,
) -> uuid.UUID | None:
    outcome = screening.outcome
    if outcome not in {ScreeningOutcome.EARLY_HELP, ScreeningOutcome.ALREADY_OPEN}:
        return None
    if request.family_id is None:
        raise InvalidValue(
            "Register the household first, then name it: early help and already open need "
            "the family's record.",
            field="family_id",
            code="request_family_required",
        )
    if outcome is ScreeningOutcome.ALREADY_OPEN:
        open_episode = next(
            (e for e in uc.uow.episodes.for_family(request.family_id) if e.is_open), None
        )
        if open_episode is None:
            raise Conflict(
                "This family has no open episode to attach the request to.",
                code="request_no_open_episode",
            )
        uc.record(
            "attach_request",
            Target.family(request.family_id, "support_request", request.id),
        )
        return open_episode.id
    if screening.lead_practitioner_id is None or screening.level_of_need is None:
        raise InvalidValue(
            "Early help opens an episode: name its lead professional and level of need.",
            field="lead_practitioner_id"
            if screening.lead_practitioner_id is None
            else "level_of_need",
            code="request_episode_details_required",
        )
    # The same steps as opening an episode directly; its audit entry names the new episode.
    uc.record(Action.OPEN_EPISODE.value, Target.family(request.family_id, "episode"))
    record = episodes.open_for_request(
        uc,
        episodes.EpisodeRequest(
            family_id=request.family_id,
            source=RequestSource.FRONT_DOOR,
            level_of_need=screening.level_of_need,
            lead_practitioner_id=screening.lead_practitioner_id,
            child_person_ids=request.child_person_ids,
            requested_on=request.received_on,
            hub_id=screening.hub_id,
            reason=request.reason,
        ),
        levels,
        family_help,
    )
    return record.episode.id


def acknowledge_request(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    request_id: uuid.UUID,
    *,
    expected_version: Expected,
) -> RequestView:
    """The lead of the episode a request was attached to has read it: it leaves their worklist."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_request(Action.ACKNOWLEDGE_REQUEST, request_id)
        request = _load(uow, request_id)
        check_version(expected_version, request.version)
        if (
            request.decision is None
            or request.decision.outcome is not ScreeningOutcome.ALREADY_OPEN
        ):
            raise IllegalTransition(
                "Only a request attached to an open episode is acknowledged by its lead.",
                code="request_not_attached",
            )
        if request.acknowledged_on is not None:
            raise Conflict(
                "This request has already been acknowledged.", code="request_already_acknowledged"
            )
        request.acknowledged_on = uc.today
        uow.requests.save(request, at=uc.now)
        view = _view(uow, _load(uow, request_id), uc.today)
        uc.commit()
        return view


__all__ = [
    "NewRequest",
    "RequestCorrection",
    "RequestFilter",
    "RequestStatus",
    "RequestView",
    "Screening",
    "acknowledge_request",
    "create_request",
    "edit_request",
    "get_request",
    "list_requests",
    "screen_request",
]
