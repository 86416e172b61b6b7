"""Who is who in a response: the names of the practitioners, household members and Team Around
the Family members that records mention by id, so a row can show a name without another request.

Names are looked up inside the use case that read the records (the same unit of work), in at most
two statements however many records there are: one for practitioners, one for people. Only names
are read out: a household member's name is shown to anyone who may read the episode (as the case
page shows the household), never their contact details.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.domain.episodes import QaDecision
from app.domain.families import Person
from app.domain.plans import Action, FamilyPlan
from app.domain.taf import TafMember
from app.services.ports import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Names:
    """Display names by id; None for an id no longer on record."""

    by_id: Mapping[uuid.UUID, str] = field(default_factory=dict)
    """Practitioners' and people's names by their own ids."""
    of_members: Mapping[uuid.UUID, str] = field(default_factory=dict)
    """TAF members' names by membership id (the practitioner's or the family member's)."""

    def of(self, practitioner_or_person_id: uuid.UUID | None) -> str | None:
        return self.by_id.get(practitioner_or_person_id) if practitioner_or_person_id else None

    def member(self, member_id: uuid.UUID | None) -> str | None:
        return self.of_members.get(member_id) if member_id else None

    def action_owner(self, action: Action) -> str | None:
        """The TAF member or the family member who owns the action."""
        if action.owner_taf_member_id is not None:
            return self.member(action.owner_taf_member_id)
        return self.of(action.owner_person_id)

    def officer(self, decision: QaDecision) -> str | None:
        return self.of(decision.officer_id)


def resolve_names(
    uow: UnitOfWork,
    *,
    taf: Iterable[TafMember] = (),
    plans: Iterable[FamilyPlan] = (),
    decisions: Iterable[QaDecision] = (),
    known_people: Iterable[Person] = (),
) -> Names:
    """The names of everyone the records mention.

    `taf` must hold every TAF member that an action owner or a meeting's attendees name (the
    episode's whole TAF, past members included); `known_people` are people already read, whose
    names are not looked up again.
    """
    members = list(taf)
    plans = list(plans)
    names = {p.id: p.display_name for p in known_people}
    practitioner_ids = {
        *(m.practitioner_id for m in members if m.practitioner_id is not None),
        *(d.officer_id for d in decisions),
        *(d.officer_id for p in plans for d in p.qa_decisions),
    } - names.keys()
    names |= uow.practitioners.names(sorted(practitioner_ids, key=str))
    person_ids = {
        *(m.person_id for m in members if m.person_id is not None),
        *(a.owner_person_id for p in plans for a in p.actions if a.owner_person_id is not None),
    } - names.keys()
    names |= {
        p.id: p.display_name for p in uow.people.get_many(sorted(person_ids, key=str)).values()
    }
    return Names(
        by_id=names,
        of_members={
            m.id: names[who]
            for m in members
            if (who := m.practitioner_id or m.person_id) is not None and who in names
        },
    )


@dataclass(frozen=True)
class Named(Generic[T]):
    """What a use case read or changed, with the names of everyone it mentions."""

    value: T
    names: Names
