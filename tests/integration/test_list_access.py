"""A list page shows, and records as read, only the records on it the user may read.

The page's own query narrows to what the user may read already (the SQL scope matches the rules,
tests/integration/test_search_scope.py); the use case still judges every row it shows. Here it
is handed one the rules refuse, and neither the answer nor the audit trail may show it. Runs on
both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from app.clock import FixedClock
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.episodes import Episode
from app.domain.paging import PageRequest
from app.services.use_case import Actor, UseCase
from tests.builders import ReferenceData, Staff
from tests.conftest import TEST_NOW
from tests.reliability.test_query_counts import given_case

NewUow = Callable[[], SqlUnitOfWork]


def actor_for(new_uow: NewUow, practitioner_id: uuid.UUID, request_id: str) -> Actor:
    with new_uow() as uow:
        practitioner = uow.practitioners.get(practitioner_id)
    assert practitioner is not None
    return Actor(principal=practitioner.as_principal(), request_id=request_id)


def recorded(new_uow: NewUow, family_id: uuid.UUID, request_id: str) -> list[tuple[str, str]]:
    """The (action, resource id) entries the request `request_id` left on the family's trail."""
    with new_uow() as uow:
        entries = uow.audit.for_family(family_id, PageRequest(limit=100)).items
    return [(e.action, str(e.resource_id)) for e in entries if e.request_id == request_id]


def both_cases(new_uow: NewUow, reference: ReferenceData, staff: Staff) -> tuple[Episode, Episode]:
    """One episode the lead leads, and one led by someone else with no tie to the lead."""
    hub = reference.hubs["NORTH"]
    return (
        given_case(new_uow, hub_id=hub, lead_id=staff.lead),
        given_case(new_uow, hub_id=hub, lead_id=staff.other_lead),
    )


def test_a_page_of_episodes_shows_and_records_only_those_the_user_may_read(
    new_uow: NewUow, reference: ReferenceData, staff: Staff
) -> None:
    mine, theirs = both_cases(new_uow, reference, staff)
    page = [(mine.id, mine.family_id), (theirs.id, theirs.family_id)]

    actor = actor_for(new_uow, staff.lead, "episodes-page")
    with UseCase(new_uow(), FixedClock(TEST_NOW), actor) as uc:
        shown = uc.readable_episodes(page)
        uc.commit()

    assert shown == {mine.id}
    assert recorded(new_uow, mine.family_id, "episodes-page") == [
        ("list_read_episode", str(mine.id))
    ]
    assert recorded(new_uow, theirs.family_id, "episodes-page") == []


def test_a_page_of_families_shows_and_records_only_those_the_user_may_read(
    new_uow: NewUow, reference: ReferenceData, staff: Staff
) -> None:
    mine, theirs = both_cases(new_uow, reference, staff)

    actor = actor_for(new_uow, staff.lead, "families-page")
    with UseCase(new_uow(), FixedClock(TEST_NOW), actor) as uc:
        shown = uc.readable_families([mine.family_id, theirs.family_id])
        uc.commit()

    assert set(shown) == {mine.family_id}
    assert recorded(new_uow, mine.family_id, "families-page") == [
        ("list_read_family", str(mine.family_id))
    ]
    assert recorded(new_uow, theirs.family_id, "families-page") == []
