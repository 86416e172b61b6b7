"""Reference data for pick lists: the hubs families belong to, the agencies consent can name, the
outcome headlines needs are tagged with and the council's levels of need.

No case data, so every role reads them; each read is still one use case, decided and audited.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from app.domain.access import Action
from app.domain.outcomes_framework import Headline
from app.services.ports import Agency, Clock, Hub, UnitOfWork
from app.services.use_case import Actor, UseCase

T = TypeVar("T")


@dataclass(frozen=True)
class LevelOfNeed:
    code: str
    label: str
    early_help: bool
    """Early help works at this level (the others belong to other services)."""


def list_hubs(uow: UnitOfWork, clock: Clock, actor: Actor) -> list[Hub]:
    """The active hubs, by code."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REFERENCE_DATA, "hub")
        hubs = uow.reference.hubs()
        uc.commit()
        return hubs


def list_agencies(uow: UnitOfWork, clock: Clock, actor: Actor) -> list[Agency]:
    """The active agencies, by code."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REFERENCE_DATA, "agency")
        agencies = uow.reference.agencies()
        uc.commit()
        return agencies


def list_outcome_headlines(uow: UnitOfWork, clock: Clock, actor: Actor) -> tuple[Headline, ...]:
    """The Supporting Families headlines needs are tagged with (the reference data's)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REFERENCE_DATA, "outcome_headline")
        found = uow.reference_data.outcome_headlines()
        uc.commit()
        return found


def list_levels_of_need(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    levels: Mapping[str, str],
    early_help_levels: Collection[str],
) -> list[LevelOfNeed]:
    """The council's levels of need (its settings), and which ones early help works at."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REFERENCE_DATA, "level_of_need")
        uc.commit()
        return [
            LevelOfNeed(code=code, label=label, early_help=code in early_help_levels)
            for code, label in levels.items()
        ]


def list_labels(
    uow: UnitOfWork, clock: Clock, actor: Actor, *, labels: Mapping[str, T]
) -> Mapping[str, T]:
    """The English labels of the contract's values and the code lists (the API's own words, not
    the council's data): read like any pick list, decided and audited."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REFERENCE_DATA, "labels")
        uc.commit()
        return labels
