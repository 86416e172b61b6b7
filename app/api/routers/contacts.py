"""Contacts and case notes on an episode: record one, list and read them, correct one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified_for, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import ContactId, EpisodeId
from app.api.schemas.base import CaseDate
from app.api.schemas.contacts import (
    CaseContactCreate,
    CaseContactPage,
    CaseContactRead,
    ContactAmendmentCreate,
)
from app.domain.access import Action
from app.domain.contacts import ContactKind
from app.domain.errors import (
    Forbidden,
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.services import contacts as service
from app.services.contacts import ContactView
from app.services.ports import ContactFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["contacts"])


def _location(view: ContactView) -> str:
    return f"/api/v1/episodes/{view.contact.episode_id}/contacts/{view.contact.id}"


def _tag(view: ContactView) -> str:
    """The version as ETag; a withheld copy has a tag of its own, so a reader who may later read
    the note is never answered 304 on the copy without it (and cannot amend from it)."""
    version = view.contact.version
    return etag(version) if view.note_shown else f'"{version}-withheld"'


def _recorded(view: ContactView) -> Created:
    return Created(CaseContactRead.from_domain(view), _location(view), _tag(view))


@router.post(
    "/contacts",
    status_code=201,
    response_model=CaseContactRead,
    responses={
        **problems.responses(NotFound, InvalidValue, IllegalTransition, Forbidden),
        **versioned(201),
    },
    operation_id="recordContact",
)
def record_contact(
    episode_id: EpisodeId,
    body: CaseContactCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.RECORD_CONTACT)],
) -> Response:
    """Record a contact with the family (the lead professional or a TAF member)."""
    result = service.record_contact(
        uow,
        clock,
        actor,
        episode_id,
        body.to_service(),
        idempotency=idempotency.request(actor, body, _recorded),
    )
    return idempotency.respond(result, _recorded)


@router.get(
    "/contacts",
    response_model=CaseContactPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listContacts",
)
def list_contacts(
    episode_id: EpisodeId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[
        list[ContactKind] | None, Query(description="Only contacts of these kinds (repeatable).")
    ] = None,
    happened_from: Annotated[
        CaseDate | None, Query(alias="from", description="Only contacts on or after this day.")
    ] = None,
    happened_to: Annotated[
        CaseDate | None, Query(alias="to", description="Only contacts on or before this day.")
    ] = None,
) -> CaseContactPage:
    """The episode's contacts by the day they happened, then id (sensitive text withheld from
    readers the access rules do not let read it)."""
    if happened_from is not None and happened_to is not None and happened_to < happened_from:
        raise InvalidValue("`to` is before `from`.", field="to", code="contact_date_range_reversed")
    page = service.list_contacts(
        uow,
        clock,
        actor,
        episode_id,
        ContactFilter(
            kinds=frozenset(kind or ()), happened_from=happened_from, happened_to=happened_to
        ),
        page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return CaseContactPage(
        items=[CaseContactRead.from_domain(v) for v in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/contacts/{contact_id}",
    response_model=CaseContactRead,
    responses={**conditional(), **problems.responses(NotFound)},
    operation_id="getContact",
)
def get_contact(
    episode_id: EpisodeId,
    contact_id: ContactId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> Response | CaseContactRead:
    """Read one contact: the note as it reads now, with every amendment and the text it replaced."""
    view = service.get_contact(uow, clock, actor, episode_id, contact_id)
    return not_modified_for(request, response, _tag(view)) or CaseContactRead.from_domain(view)


@router.post(
    "/contacts/{contact_id}/amendments",
    response_model=CaseContactRead,
    responses={
        **problems.responses(NotFound, InvalidValue, Forbidden, StaleVersion, PreconditionRequired),
        **versioned(),
    },
    operation_id="amendContact",
)
def amend_contact(
    episode_id: EpisodeId,
    contact_id: ContactId,
    body: ContactAmendmentCreate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.RECORD_CONTACT)],
    if_match: IfMatch = None,
) -> CaseContactRead:
    """Correct a saved contact (If-Match: its ETag): the correction is appended, the original
    stays on the record (by whoever recorded it or the lead professional)."""
    view = service.amend_contact(
        uow,
        clock,
        actor,
        episode_id,
        contact_id,
        body.to_service(),
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = _tag(view)
    return CaseContactRead.from_domain(view)
