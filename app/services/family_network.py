"""Use cases for a child's family network and family group decision-making (issue 20 §3).

All of it is the family's record: adding to it is writing the family, reading it is reading the
family (the access rules decide, every read and write is audited). A network member's details are
a person's, kept with the same contact restriction rules as a household member's: the restriction
is anchored to this family, and restricted details go only to those `may_see_restricted_details`
lets see them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from app.domain.access import Action, RecordFacts
from app.domain.errors import InvalidValue, NotFound
from app.domain.families import Family, Person, restrict_in, validate_person
from app.domain.family_network import (
    FgdmMeeting,
    FgdmOffer,
    NetworkMember,
    check_meeting,
    check_network_member,
    check_offer,
    network_person_ids,
)
from app.domain.identifiers import IdentifierScheme, stamp_identifiers
from app.domain.paging import Page, PageRequest, page_in_memory
from app.domain.versions import Expected, check_version
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class NetworkView:
    """The family's network members with their people, and whose restricted details show."""

    members: list[NetworkMember]
    people: dict[uuid.UUID, Person]
    restricted_visible: set[uuid.UUID]
    next_cursor: str | None = None


def _family(uow: UnitOfWork, family_id: uuid.UUID) -> Family:
    family = uow.families.get(family_id)
    assert family is not None  # the access rules found it
    return family


def add_network_member(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    member: NetworkMember,
    person: Person,
    *,
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
    idempotency: IdempotentRequest[NetworkView] | None = None,
) -> NetworkView | Replayed:
    """Record someone new to the service as part of a child's network."""
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(Action.WRITE_FAMILY, Target.family(member.family_id, "network_member"))
        assert facts is not None  # require raised for an unknown or hidden family
        return run_idempotent(
            uc, idempotency, lambda: _add_member(uc, facts, member, person, consistent)
        )


def _add_member(
    uc: UseCase,
    facts: RecordFacts,
    member: NetworkMember,
    person: Person,
    consistent: IdentifierScheme,
) -> NetworkView:
    uow = uc.uow
    family = _family(uow, member.family_id)
    try:
        kept_person = validate_person(
            person,
            today=uc.today,
            disability_codes=uow.reference_data.disability_codes(),
            consistent=consistent,
        )
    except InvalidValue as exc:
        raise InvalidValue(exc.detail, field=f"person.{exc.field}", code=exc.code) from exc
    kept_person = restrict_in(kept_person, kept_person, family.id)
    kept_person = replace(
        kept_person,
        identifiers=stamp_identifiers(
            (), kept_person.identifiers, by=uc.principal.practitioner_id, at=uc.now
        ),
    )
    kept = check_network_member(
        replace(member, person_id=kept_person.id), household=family, today=uc.today
    )
    uow.people.add(kept_person, at=uc.now)
    uow.network.add_member(kept, at=uc.now)
    uc.identify(Action.WRITE_FAMILY, kept.id)
    return NetworkView(
        [kept],
        {kept_person.id: kept_person},
        uc.restricted_visible(facts, [kept_person]),
    )


def end_network_member(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    ended_on: date | None,
    expected_version: Expected,
) -> NetworkView:
    """Someone is no longer part of the child's network; the record stays."""
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(
            Action.WRITE_FAMILY, Target.family(family_id, "network_member", member_id)
        )
        member = _member_of(uow, family_id, member_id)
        check_version(expected_version, member.version)
        member.end(ended_on or uc.today, today=uc.today)
        uow.network.save_member(member, at=uc.now)
        people = uow.people.get_many([member.person_id])
        view = NetworkView([member], people, uc.restricted_visible(facts, people.values()))
        uc.commit()
        return view


def list_network(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, page: PageRequest
) -> NetworkView:
    """The family's network, past members included, in the order they were added."""
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(Action.READ_FAMILY, Target.family(family_id, "network_member"))
        found = page_in_memory(
            uow.network.members_of(family_id), lambda m: (m.added_on.isoformat(), m.id), page
        )
        people = uow.people.get_many([m.person_id for m in found.items])
        view = NetworkView(
            found.items,
            people,
            uc.restricted_visible(facts, people.values()),
            found.next_cursor,
        )
        uc.commit()
        return view


def _member_of(uow: UnitOfWork, family_id: uuid.UUID, member_id: uuid.UUID) -> NetworkMember:
    member = uow.network.member(member_id)
    if member is None or member.family_id != family_id:
        raise NotFound("This family has no network member with this id.")
    return member


def _family_people(uow: UnitOfWork, family: Family) -> set[uuid.UUID]:
    """Who a family-led meeting or an offer may name: the household's members and the network."""
    members = uow.network.members_of(family.id)
    return {m.person_id for m in family.memberships} | {m.person_id for m in members}


def record_fgdm_offer(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    offer: FgdmOffer,
    *,
    idempotency: IdempotentRequest[FgdmOffer] | None = None,
) -> FgdmOffer | Replayed:
    """FGDM offered to the family (answered or awaiting an answer), or not offered, with why."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(offer.family_id, "fgdm_offer"))
        return run_idempotent(uc, idempotency, lambda: _record_offer(uc, offer))


def _record_offer(uc: UseCase, offer: FgdmOffer) -> FgdmOffer:
    uow = uc.uow
    family = _family(uow, offer.family_id)
    if offer.episode_id is not None:
        episode = uow.episodes.get(offer.episode_id)
        if episode is None or episode.family_id != family.id:
            raise InvalidValue(
                "This family has no episode with this id.",
                field="episode_id",
                code="fgdm_episode_unknown",
            )
    kept = check_offer(
        replace(offer, decided_by_practitioner_id=uc.principal.practitioner_id),
        people=_family_people(uow, family),
        today=uc.today,
    )
    uow.network.add_offer(kept, at=uc.now)
    uc.identify(Action.WRITE_FAMILY, kept.id)
    return kept


def answer_fgdm_offer(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    offer_id: uuid.UUID,
    *,
    accepted: bool,
    answered_on: date | None,
    expected_version: Expected,
) -> FgdmOffer:
    """The family's answer to an offer awaiting it."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(family_id, "fgdm_offer", offer_id))
        offer = _offer_of(uow, family_id, offer_id)
        check_version(expected_version, offer.version)
        offer.answer(
            accepted=accepted,
            on=answered_on or uc.today,
            today=uc.today,
        )
        uow.network.save_offer(offer, at=uc.now)
        uc.commit()
        return offer


def _offer_of(uow: UnitOfWork, family_id: uuid.UUID, offer_id: uuid.UUID) -> FgdmOffer:
    offer = uow.network.offer(offer_id)
    if offer is None or offer.family_id != family_id:
        raise NotFound("This family has no FGDM offer with this id.")
    return offer


def list_fgdm_offers(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, page: PageRequest
) -> Page[FgdmOffer]:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "fgdm_offer"))
        found = page_in_memory(
            uow.network.offers_of(family_id), lambda o: (o.decided_on.isoformat(), o.id), page
        )
        uc.commit()
        return found


def record_fgdm_meeting(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    meeting: FgdmMeeting,
    *,
    idempotency: IdempotentRequest[FgdmMeeting] | None = None,
) -> FgdmMeeting | Replayed:
    """A family-led meeting held, with who came and the plan the family made."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(meeting.family_id, "fgdm_meeting"))
        return run_idempotent(uc, idempotency, lambda: _record_meeting(uc, meeting))


def _record_meeting(uc: UseCase, meeting: FgdmMeeting) -> FgdmMeeting:
    uow = uc.uow
    family = _family(uow, meeting.family_id)
    offer = None
    if meeting.offer_id is not None:
        offer = uow.network.offer(meeting.offer_id)
        if offer is None or offer.family_id != family.id:
            raise InvalidValue(
                "This family has no FGDM offer with this id.",
                field="offer_id",
                code="fgdm_offer_unknown",
            )
    known = uow.practitioners.get_many(list(meeting.attendee_practitioner_ids))
    for index, practitioner_id in enumerate(meeting.attendee_practitioner_ids):
        if practitioner_id not in known:
            raise InvalidValue(
                "There is no member of staff with this id.",
                field=f"attendee_practitioner_ids[{index}]",
                code="fgdm_practitioner_unknown",
            )
    kept = check_meeting(meeting, people=_family_people(uow, family), offer=offer, today=uc.today)
    uow.network.add_meeting(kept, at=uc.now)
    uc.identify(Action.WRITE_FAMILY, kept.id)
    return replace(kept, recorded_at=uc.now)


def list_fgdm_meetings(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, page: PageRequest
) -> Page[FgdmMeeting]:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "fgdm_meeting"))
        found = page_in_memory(
            uow.network.meetings_of(family_id), lambda m: (m.held_on.isoformat(), m.id), page
        )
        uc.commit()
        return found


def network_owners(uow: UnitOfWork, family_id: uuid.UUID, on: date) -> set[uuid.UUID]:
    """The network's people who may own a plan action on `on` (inside another use case)."""
    return network_person_ids(uow.network.members_of(family_id), on)
