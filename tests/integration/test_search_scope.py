"""The SQL search scope is exactly the access rules: a list pages only within what `decide` reads.

Hypothesis builds small worlds straight into the tables (families in two hubs, open and closed
episodes, TAF seats that start, end or never count, consents given and withdrawn around today,
Family Help statutory bases on which a seat needs no consent, allocations in every Family Help
role that start, end or never count, plans awaiting quality assurance) and a user with any mix of roles; for every family and episode
the SQL scope (`app/db/repositories/scope.py`) must include it exactly when `decide` lets the user
read it. Runs on both databases; each example in a savepoint of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, select

from app.db.models import (
    ConsentAgencyRow,
    ConsentRow,
    EpisodeAllocationRow,
    EpisodeFamilyHelpRow,
    EpisodeRow,
    FamilyPlanRow,
    FamilyRow,
    PersonRow,
    TafMemberRow,
)
from app.db.repositories.access import SqlAccessFacts
from app.db.repositories.scope import episode_in_scope, family_in_scope
from app.domain.access import Action, Principal, Role, decide, search_scope
from app.domain.family_help import AllocationRole
from tests.builders import ReferenceData, Staff

TODAY = date(2025, 3, 3)
AT = datetime(2025, 3, 3, 10, tzinfo=UTC)
ME = "me"
OTHER = "other"
ROLES = [Role.PRACTITIONER, Role.LINK_WORKER, Role.QUALITY_ASSURANCE, Role.MANAGER, Role.REPORTING]

days = st.integers(-5, 5)


@dataclass(frozen=True)
class SeatPlan:
    who: str
    agency: str
    joined: int
    left: int | None


@dataclass(frozen=True)
class AllocationPlan:
    who: str
    role: str
    started: int
    ended: int | None


@dataclass(frozen=True)
class EpisodePlan:
    hub: str
    lead: str
    open: bool
    plan_submitted: bool
    seats: tuple[SeatPlan, ...]
    basis: str | None = None
    """A Family Help statutory basis (s17, s47, none), or no Family Help record at all."""
    allocations: tuple[AllocationPlan, ...] = ()
    """Allocations, written as the Family Help repository writes them (the record's JSON and
    `episode_allocations`); an episode with some and no basis gets a record on basis none."""


@dataclass(frozen=True)
class ConsentPlan:
    all_taf: bool
    agencies: tuple[str, ...]
    given: int
    withdrawn: int | None


@dataclass(frozen=True)
class FamilyPlanned:
    hub: str
    registrar: str | None
    episodes: tuple[EpisodePlan, ...]
    consents: tuple[ConsentPlan, ...]


seats = st.builds(
    SeatPlan,
    who=st.sampled_from([ME, OTHER]),
    agency=st.sampled_from(["SCHOOL", "POLICE"]),
    joined=days,
    left=st.none() | days,
)
allocations = st.builds(
    AllocationPlan,
    who=st.sampled_from([ME, OTHER]),
    role=st.sampled_from([r.value for r in AllocationRole]),
    started=days,
    ended=st.none() | days,
)
episodes = st.builds(
    EpisodePlan,
    hub=st.sampled_from(["NORTH", "SOUTH"]),
    lead=st.sampled_from([ME, OTHER]),
    open=st.booleans(),
    plan_submitted=st.booleans(),
    seats=st.lists(seats, max_size=2).map(tuple),
    basis=st.sampled_from([None, "none", "s17", "s47"]),
    allocations=st.lists(allocations, max_size=2).map(tuple),
)
consents = st.builds(
    ConsentPlan,
    all_taf=st.booleans(),
    agencies=st.lists(st.sampled_from(["SCHOOL", "POLICE"]), max_size=2, unique=True).map(tuple),
    given=days,
    withdrawn=st.none() | days,
)
families = st.builds(
    FamilyPlanned,
    hub=st.sampled_from(["NORTH", "SOUTH"]),
    registrar=st.sampled_from([ME, OTHER, None]),
    # At most one open episode per family (the database holds it to that).
    episodes=st.lists(episodes, max_size=2)
    .filter(lambda es: sum(e.open for e in es) <= 1)
    .map(tuple),
    consents=st.lists(consents, max_size=2).map(tuple),
)
users = st.tuples(
    st.sets(st.sampled_from(ROLES), min_size=1),
    st.sets(st.sampled_from(["NORTH", "SOUTH"])),
    st.booleans(),
)


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def _build(
    connection: Connection,
    world: list[FamilyPlanned],
    practitioners: dict[str, uuid.UUID],
    hubs: dict[str, uuid.UUID],
) -> None:
    stamp = {"created_at": AT, "updated_at": AT, "version": 1}
    carer = uuid.uuid4()
    connection.execute(
        insert(PersonRow),
        [
            {
                "id": carer,
                "given_name": "Sam",
                "family_name": "Doe",
                "given_name_key": "sam",
                "family_name_key": "doe",
                "given_name_soundex": "S500",
                "family_name_soundex": "D000",
                "send": False,
                "contact_restricted": False,
                "restriction_visible_to": [],
                **stamp,
            }
        ],
    )
    for planned in world:
        family_id = uuid.uuid4()
        connection.execute(
            insert(FamilyRow),
            [
                {
                    "id": family_id,
                    "reference": f"FH-{family_id.hex[:8].upper()}",
                    "address_line1": "1 Test Street",
                    "postcode": "FY1 1AA",
                    "hub_id": hubs[planned.hub],
                    "created_by_practitioner_id": practitioners[planned.registrar]
                    if planned.registrar
                    else None,
                    **stamp,
                }
            ],
        )
        for consent in planned.consents:
            withdrawn = None if consent.withdrawn is None else max(consent.withdrawn, consent.given)
            consent_id = uuid.uuid4()
            connection.execute(
                insert(ConsentRow),
                [
                    {
                        "id": consent_id,
                        "family_id": family_id,
                        "purpose": "information_sharing",
                        "given_by_person_id": carer,
                        "on_behalf_of_person_ids": [],
                        "sharing_scope": "all_taf_members" if consent.all_taf else "named_agencies",
                        "method": "written",
                        "given_on": _day(consent.given),
                        "withdrawn_on": None if withdrawn is None else _day(withdrawn),
                        **stamp,
                    }
                ],
            )
            for agency in consent.agencies:
                connection.execute(
                    insert(ConsentAgencyRow), [{"consent_id": consent_id, "agency_code": agency}]
                )
        for episode in planned.episodes:
            episode_id = uuid.uuid4()
            connection.execute(
                insert(EpisodeRow),
                [
                    {
                        "id": episode_id,
                        "family_id": family_id,
                        "hub_id": hubs[episode.hub],
                        "source": "school",
                        "level_of_need": "2",
                        "lead_practitioner_id": practitioners[episode.lead],
                        "requested_on": _day(-30),
                        "stage": "assessing" if episode.open else "closed",
                        "closed_on": None if episode.open else _day(-1),
                        "meetings_held": 0,
                        "qa_decisions": [],
                        "level_history": [],
                        "lead_history": [],
                        "child_person_ids": [],
                        **stamp,
                    }
                ],
            )
            if episode.basis is not None or episode.allocations:
                allocated: list[dict[str, Any]] = [
                    {
                        "id": uuid.uuid4(),
                        "practitioner_id": practitioners[a.who],
                        "role": a.role,
                        "started_on": _day(a.started),
                        "ended_on": None if a.ended is None else _day(max(a.ended, a.started)),
                    }
                    for a in episode.allocations
                ]
                connection.execute(
                    insert(EpisodeFamilyHelpRow),
                    [
                        {
                            "episode_id": episode_id,
                            "episode_type": "family_help",
                            "statutory_basis": episode.basis or "none",
                            "transitions": [],
                            "allocations": [
                                {
                                    **a,
                                    "id": str(a["id"]),
                                    "practitioner_id": str(a["practitioner_id"]),
                                    "started_on": a["started_on"].isoformat(),
                                    "ended_on": a["ended_on"] and a["ended_on"].isoformat(),
                                }
                                for a in allocated
                            ],
                            "version": 1,
                            **stamp,
                        }
                    ],
                )
                if allocated:
                    connection.execute(
                        insert(EpisodeAllocationRow),
                        [{**a, "episode_id": episode_id} for a in allocated],
                    )
            if episode.plan_submitted:
                connection.execute(
                    insert(FamilyPlanRow),
                    [
                        {
                            "id": uuid.uuid4(),
                            "episode_id": episode_id,
                            "number": 1,
                            "status": "submitted",
                            "outcomes": [],
                            "qa_decisions": [],
                            **stamp,
                        }
                    ],
                )
            for seat in episode.seats:
                left = None if seat.left is None else max(seat.left, seat.joined)
                connection.execute(
                    insert(TafMemberRow),
                    [
                        {
                            "id": uuid.uuid4(),
                            "episode_id": episode_id,
                            "kind": "practitioner",
                            "practitioner_id": practitioners[seat.who],
                            "agency_code": seat.agency,
                            "role": "Member",
                            "joined_on": _day(seat.joined),
                            "left_on": None if left is None else _day(left),
                            **stamp,
                        }
                    ],
                )


def _check(
    connection: Connection, principal: Principal, family_ids: list[uuid.UUID]
) -> tuple[Any, Any]:
    scope = search_scope(principal, today=TODAY)
    in_sql = set(
        connection.scalars(
            select(FamilyRow.id).where(FamilyRow.id.in_(family_ids), family_in_scope(scope))
        )
    )
    episodes_in_sql = set(
        connection.scalars(
            select(EpisodeRow.id).where(
                EpisodeRow.family_id.in_(family_ids), episode_in_scope(scope)
            )
        )
    )
    from sqlalchemy.orm import Session

    # A savepoint of its own, so closing the session leaves the example's savepoint to the test
    # (each example then starts from an empty world).
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        facts = SqlAccessFacts(session).for_families(family_ids, TODAY)
    by_rules = {
        fid
        for fid, f in facts.items()
        if decide(principal, Action.READ_FAMILY, f, today=TODAY).allowed
    }
    episodes_by_rules = {
        e.episode_id
        for f in facts.values()
        for e in f.episodes
        if decide(principal, Action.READ_EPISODE, f, today=TODAY, episode_id=e.episode_id).allowed
    }
    return (in_sql, by_rules), (episodes_in_sql, episodes_by_rules)


def _agree(
    connection: Connection,
    reference: ReferenceData,
    staff: Staff,
    world: list[FamilyPlanned],
    user: tuple[set[Role], set[str], bool],
) -> None:
    roles, hubs, active = user
    practitioners = {ME: staff.lead, OTHER: staff.other_lead}
    principal = Principal(
        practitioner_id=staff.lead,
        agency_code="SCHOOL",
        roles=frozenset(roles),
        hub_ids=frozenset(reference.hubs[h] for h in hubs),
        active=active,
    )
    savepoint = connection.begin_nested()
    try:
        _build(connection, world, practitioners, reference.hubs)
        family_ids = list(
            connection.scalars(select(FamilyRow.id).where(FamilyRow.reference.like("FH-%")))
        )
        (in_sql, by_rules), (episodes_in_sql, episodes_by_rules) = _check(
            connection, principal, family_ids
        )
    finally:
        savepoint.rollback()
    assert in_sql == by_rules
    assert episodes_in_sql == episodes_by_rules


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=st.lists(families, min_size=1, max_size=4), user=users)
def test_the_sql_scope_holds_exactly_the_records_the_rules_let_the_user_read(
    connection: Connection,
    reference: ReferenceData,
    staff: Staff,
    world: list[FamilyPlanned],
    user: tuple[set[Role], set[str], bool],
) -> None:
    _agree(connection, reference, staff, world, user)


@settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=st.lists(families, min_size=1, max_size=4))
def test_the_sql_scope_holds_exactly_what_a_practitioner_s_allocations_and_seats_let_them_read(
    connection: Connection,
    reference: ReferenceData,
    staff: Staff,
    world: list[FamilyPlanned],
) -> None:
    """The same, for the user whose relationships are the subtle ones: a practitioner with no
    oversight role, whose every family comes from leading, registering, a seat or an allocation
    (issue 20 §2) and whose allocations start, end and come in every role."""
    _agree(connection, reference, staff, world, ({Role.PRACTITIONER}, set(), True))


def test_another_familys_consent_never_opens_a_family_to_a_taf_member_without_its_own(
    connection: Connection, reference: ReferenceData, staff: Staff
) -> None:
    """A security finding: the scope's consent test was not tied to the family (nor its agency
    test to the seat), so one family's consent to share with all TAF members let a TAF member
    find every family where they held a seat without consent."""
    practitioners = {ME: staff.lead, OTHER: staff.other_lead}
    seat_without_consent = FamilyPlanned(
        hub="NORTH",
        registrar=OTHER,
        episodes=(
            EpisodePlan(
                hub="NORTH",
                lead=OTHER,
                open=True,
                plan_submitted=False,
                seats=(SeatPlan(who=ME, agency="POLICE", joined=-3, left=None),),
            ),
        ),
        consents=(),
    )
    consent_to_all_taf_elsewhere = FamilyPlanned(
        hub="NORTH",
        registrar=OTHER,
        episodes=(EpisodePlan(hub="NORTH", lead=OTHER, open=True, plan_submitted=False, seats=()),),
        consents=(ConsentPlan(all_taf=True, agencies=("POLICE",), given=-5, withdrawn=None),),
    )
    principal = Principal(
        practitioner_id=staff.lead,
        agency_code="POLICE",
        roles=frozenset({Role.PRACTITIONER}),
        hub_ids=frozenset(),
        active=True,
    )
    savepoint = connection.begin_nested()
    try:
        _build(
            connection,
            [seat_without_consent, consent_to_all_taf_elsewhere],
            practitioners,
            reference.hubs,
        )
        family_ids = list(
            connection.scalars(select(FamilyRow.id).where(FamilyRow.reference.like("FH-%")))
        )
        (in_sql, by_rules), (episodes_in_sql, episodes_by_rules) = _check(
            connection, principal, family_ids
        )
    finally:
        savepoint.rollback()
    assert by_rules == set()
    assert episodes_by_rules == set()
    assert in_sql == set(), "a family was in scope through another family's consent"
    assert episodes_in_sql == set(), "an episode was in scope through another family's consent"


@pytest.mark.parametrize(("basis", "reads"), [("s17", True), ("s47", True), ("none", False)])
def test_a_seat_on_a_statutory_basis_finds_the_family_without_consent_in_sql_as_by_the_rules(
    connection: Connection, reference: ReferenceData, staff: Staff, basis: str, reads: bool
) -> None:
    """Issue 20 §5: on s.17 or s.47 a TAF seat reads without consent; lists and searches (the
    SQL scope) must find exactly what the rules let it read."""
    practitioners = {ME: staff.lead, OTHER: staff.other_lead}
    seat_on_statutory_episode = FamilyPlanned(
        hub="NORTH",
        registrar=OTHER,
        episodes=(
            EpisodePlan(
                hub="NORTH",
                lead=OTHER,
                open=True,
                plan_submitted=False,
                seats=(SeatPlan(who=ME, agency="POLICE", joined=-3, left=None),),
                basis=basis,
            ),
        ),
        consents=(),
    )
    principal = Principal(
        practitioner_id=staff.lead,
        agency_code="POLICE",
        roles=frozenset({Role.PRACTITIONER}),
        hub_ids=frozenset(),
        active=True,
    )
    savepoint = connection.begin_nested()
    try:
        _build(connection, [seat_on_statutory_episode], practitioners, reference.hubs)
        family_ids = list(
            connection.scalars(select(FamilyRow.id).where(FamilyRow.reference.like("FH-%")))
        )
        (in_sql, by_rules), (episodes_in_sql, episodes_by_rules) = _check(
            connection, principal, family_ids
        )
    finally:
        savepoint.rollback()
    assert (bool(by_rules), bool(episodes_by_rules)) == (reads, reads)
    assert in_sql == by_rules
    assert episodes_in_sql == episodes_by_rules


@pytest.mark.parametrize(
    ("role", "started", "ended", "reads"),
    [
        ("lead_child_protection_practitioner", -3, None, True),
        ("co_worker", -3, None, True),
        ("co_worker", -3, 0, False),
        ("co_worker", 1, None, False),
        ("practice_supervisor", -3, None, False),
    ],
)
def test_an_allocation_finds_the_family_in_sql_exactly_while_the_rules_let_it_read(
    connection: Connection,
    reference: ReferenceData,
    staff: Staff,
    role: str,
    started: int,
    ended: int | None,
    reads: bool,
) -> None:
    """Issue 20 §2: the lead child protection practitioner and a co-worker find the s.47 family
    in lists and searches while allocated; from the allocation's end date they do not."""
    practitioners = {ME: staff.lead, OTHER: staff.other_lead}
    allocated_on_s47 = FamilyPlanned(
        hub="NORTH",
        registrar=OTHER,
        episodes=(
            EpisodePlan(
                hub="NORTH",
                lead=OTHER,
                open=True,
                plan_submitted=False,
                seats=(),
                basis="s47",
                allocations=(AllocationPlan(who=ME, role=role, started=started, ended=ended),),
            ),
        ),
        consents=(),
    )
    principal = Principal(
        practitioner_id=staff.lead,
        agency_code="SCHOOL",
        roles=frozenset({Role.PRACTITIONER}),
        hub_ids=frozenset(),
        active=True,
    )
    savepoint = connection.begin_nested()
    try:
        _build(connection, [allocated_on_s47], practitioners, reference.hubs)
        family_ids = list(
            connection.scalars(select(FamilyRow.id).where(FamilyRow.reference.like("FH-%")))
        )
        (in_sql, by_rules), (episodes_in_sql, episodes_by_rules) = _check(
            connection, principal, family_ids
        )
    finally:
        savepoint.rollback()
    assert (bool(by_rules), bool(episodes_by_rules)) == (reads, reads)
    assert in_sql == by_rules
    assert episodes_in_sql == episodes_by_rules
