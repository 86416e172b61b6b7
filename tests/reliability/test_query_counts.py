"""Reading an episode, a caseload page or an overdue page costs a fixed number of SQL statements.

Counted, not timed: every statement the request sends (the token's practitioner, the access
rules, the audit trail's append and the read itself) is caught on the test's connection, once
with a little data and once with six times as much. The counts must be equal; a count that grows
with the rows is an N+1 waiting for a county-sized caseload. Runs on both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.domain.episodes import Episode, MeetingDecision, RequestSource, open_episode
from app.domain.families import Address, Family, MemberRole, Membership, Person
from app.domain.family_help import (
    Allocation,
    AllocationRole,
    CensusDates,
    ChildProtection,
    ChildProtectionPlan,
    EpisodeType,
    FamilyHelpRecord,
    S47Enquiry,
    StatutoryBasis,
    Transition,
    TransitionKind,
)
from app.domain.practitioners import Practitioner
from app.domain.taf import ChildVoice, TafMeeting, TafMember, TafMemberKind
from tests.builders import ReferenceData, Staff, Statements, as_user, bearer
from tests.conftest import TEST_NOW
from tests.integration.test_timeliness_queries import (
    LEVELS,
    Step,
    approved,
    assessing,
    d,
    met,
    submitted,
)

API = "/api/v1"
NewUow = Callable[[], SqlUnitOfWork]

# A sane ceiling per request, whatever the data: auth, access rules, audit append, the read.
MOST_STATEMENTS = 30
FULL_SYNC_MOST_STATEMENTS = 48
"""A first sync reads each of its twelve kinds of record twice: their versions, then the records."""


def assert_fixed_cost(
    what: str, with_few: int, with_many: int, *, most: int = MOST_STATEMENTS
) -> None:
    """The same statements for few rows as for many, and not an unbounded number of them."""
    assert with_few == with_many, f"{what}: {with_few} vs {with_many} statements"
    assert with_few <= most


def given_case(
    new_uow: NewUow,
    *,
    hub_id: uuid.UUID,
    lead_id: uuid.UUID,
    children: int = 1,
    meetings: int = 0,
) -> Episode:
    """A household with `children` children, its episode approved and `meetings` TAF meetings held."""
    steps: list[Step] = [assessing(d(1, 6)), submitted(d(1, 20)), approved(d(1, 22))]
    # Weekly from 23 January: the first agrees the plan, each later one is an early review.
    steps += [met(date.fromordinal(d(1, 23).toordinal() + 7 * i)) for i in range(meetings)]
    with new_uow() as uow:
        family = Family(
            id=uuid.uuid4(),
            reference=f"QC-{uuid.uuid4().hex[:8].upper()}",
            address=Address.create(line1="12 Cedar Road", postcode="FY1 3HT"),
            hub_id=hub_id,
        )
        child_ids = []
        for n in range(children):
            child = Person(
                id=uuid.uuid4(),
                given_name=f"Child{n}",
                family_name="Hughes",
                date_of_birth=date(2015, 1, 1 + n % 28),
            )
            uow.people.add(child, at=TEST_NOW)
            family.add_member(
                Membership(
                    id=uuid.uuid4(),
                    family_id=family.id,
                    person_id=child.id,
                    role=MemberRole.CHILD,
                    joined_on=date(2024, 1, 1),
                )
            )
            child_ids.append(child.id)
        uow.families.add(family, at=TEST_NOW)
        episode = open_episode(
            id=uuid.uuid4(),
            family_id=family.id,
            hub_id=hub_id,
            source=RequestSource.SCHOOL,
            level_of_need="2",
            allowed_levels=LEVELS,
            lead_practitioner_id=lead_id,
            child_person_ids=tuple(child_ids),
            requested_on=d(1, 6),
        )
        uow.episodes.add(episode, at=TEST_NOW)
        for step in steps:
            step(episode)
            uow.episodes.save(episode, at=TEST_NOW)
        uow.commit()
    return episode


def given_cases(
    new_uow: NewUow, reference: ReferenceData, lead_id: uuid.UUID, n: int, **kwargs: Any
) -> list[Episode]:
    return [
        given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=lead_id, **kwargs)
        for _ in range(n)
    ]


class TestReadingAnEpisode:
    def test_costs_the_same_with_twelve_children_and_meetings_as_with_two(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        small = given_case(
            new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=2, meetings=2
        )
        large = given_case(
            new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=12, meetings=5
        )
        readers = {"lead": staff.lead, "link worker": staff.link_worker, "manager": staff.manager}
        for role, reader in readers.items():
            with as_user(client, reader):
                client.get(f"{API}/episodes/{small.id}")  # warm: caches, policy
                with_small = statements.during(lambda: client.get(f"{API}/episodes/{small.id}"))
                with_large = statements.during(lambda: client.get(f"{API}/episodes/{large.id}"))
            assert_fixed_cost(f"GET episode as {role}", with_small, with_large)


EPISODE_READ = [
    "the access facts: the family, its episodes and their practitioners' TAF seats",
    "the access facts: the family's consents",
    "the episode",
    "its children and its clocks",
    "its plans, for the one in force (issue 18 §2: the view shows it, on any day asked)",
    "its lead and its QA officers",
    "the timeliness policy history",
    "the audit entry",
]
"""What one episode read sends, in its one transaction (bench/RESULTS.md: it sent 10, where the
ceiling, bench/ceiling.py, sends 2; 11 with the plan in force, before the seats and the children
rode on other statements)."""


def statements_of_the_request(seen: list[str]) -> list[str]:
    """The statements of the request's own transaction: from its first SAVEPOINT to its first
    RELEASE (the seal that follows is the sealing thread's work in a served worker)."""
    start = next(i for i, s in enumerate(seen) if s.startswith("SAVEPOINT"))
    end = next(i for i, s in enumerate(seen) if s.startswith("RELEASE"))
    return seen[start + 1 : end]


class TestStatementsOfAnEpisodeRead:
    def test_an_episode_read_sends_eight_statements(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        case = given_case(
            new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=3, meetings=2
        )
        client.get(f"{API}/episodes/{case.id}")  # warm: the principal, prepared statements
        statements.during(lambda: client.get(f"{API}/episodes/{case.id}"))
        sent = statements_of_the_request(statements.seen)
        assert len(sent) == len(EPISODE_READ), "\n".join(s[:120] for s in sent)
        assert sent[-1].startswith("INSERT INTO audit_entries")
        assert sum("taf_members" in s for s in sent) == 1  # the seats ride on the access facts

    def test_its_answer_has_every_child_clock_and_officer(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        """The children, the clocks, the lead and the QA officers now come from shared statements
        (an officer's name when on record: tests/api/test_episodes.py)."""
        case = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=3)
        body = client.get(f"{API}/episodes/{case.id}").json()
        assert sorted(body["child_person_ids"]) == sorted(str(c) for c in case.child_person_ids)
        assert {d["kind"] for d in body["deadlines"]} == {
            d.kind.value for d in case.current_deadlines()
        }
        assert (body["lead"]["practitioner_id"], bool(body["lead"]["name"])) == (
            str(staff.lead),
            True,
        )
        # This case's QA officer was never registered: no name, and not the lead's either.
        assert [q["officer_name"] for q in body["qa_decisions"]] == [None]


class TestTheCaseOnOneScreen:
    def test_costs_the_same_with_twelve_children_and_meetings_as_with_two(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        small = given_case(
            new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=2, meetings=2
        )
        large = given_case(
            new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=12, meetings=5
        )
        client.get(f"{API}/episodes/{small.id}/case")  # warm: caches, policy
        with_small = statements.during(lambda: client.get(f"{API}/episodes/{small.id}/case"))
        with_large = statements.during(lambda: client.get(f"{API}/episodes/{large.id}/case"))
        assert_fixed_cost("GET episode case", with_small, with_large)


def transaction_boundaries(seen: list[str]) -> list[str]:
    """The statements that open and end the request's transactions (savepoints on the test's
    connection), with the audit append marked where it falls between them."""
    marks = []
    for statement in seen:
        words = statement.split()
        if words[0] in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
            marks.append(words[0])
        elif words[:3] == ["INSERT", "INTO", "audit_entries"]:
            marks.append("audit append")
        elif words[:3] == ["INSERT", "INTO", "audit_seals"]:
            marks.append("seal")
    return marks


ONE_TRANSACTION_WITH_ITS_AUDIT = ["SAVEPOINT", "audit append", "RELEASE"]
"""A request is one use case: access, work and audit entries in one transaction, one commit."""
SEALED_AFTERWARDS = ["SAVEPOINT", "seal", "RELEASE"]
"""The entries' seal in the chain: in the tests right after the commit, in the request's thread;
a served worker leaves it to its sealing thread (app/db/audit_sealer.py: BackgroundSealing)."""


class TestTransactionsOfARead:
    """The access check, the read and the audit entry share one transaction, committed before
    the answer goes out."""

    def test_an_episode_read_is_checked_and_read_in_one_transaction_then_audited(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        case = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead)
        client.get(f"{API}/episodes/{case.id}")  # warm: caches, policy
        statements.during(lambda: client.get(f"{API}/episodes/{case.id}"))
        assert transaction_boundaries(statements.seen) == [
            *ONE_TRANSACTION_WITH_ITS_AUDIT,
            *SEALED_AFTERWARDS,
        ]
        # Plan actions assigned to TAF members matter only to an update of one of them.
        assert not [s for s in statements.seen if "plan_actions" in s]

    def test_a_refused_read_is_audited_and_reads_nothing_more(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        case = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead)
        with as_user(client, staff.school_worker):
            statements.seen.clear()
            assert client.get(f"{API}/episodes/{case.id}").status_code == 404
        episode_reads = [s for s in statements.seen if s.split()[:2] == ["SELECT", "episodes.id,"]]
        assert episode_reads == []  # the access facts read it under their own labels, nothing else
        # (First the signed-in user is looked up: not remembered yet.) The refusal is kept: the
        # (empty) work rolls back and the entry commits on its own.
        assert transaction_boundaries(statements.seen)[-8:] == [
            "SAVEPOINT",
            "ROLLBACK",
            "SAVEPOINT",
            "audit append",
            "RELEASE",
            *SEALED_AFTERWARDS,
        ]


class TestTransactionsOfAListPage:
    """A page, the access check of the records on it and their audit entries share one
    transaction."""

    @staticmethod
    def assert_read_then_audited(seen: list[str]) -> None:
        # The principal is cached and the signed-in check opens nothing.
        assert transaction_boundaries(seen) == [*ONE_TRANSACTION_WITH_ITS_AUDIT, *SEALED_AFTERWARDS]

    @pytest.mark.parametrize("page", ["caseload", "worklist"])
    def test_my_page_is_read_and_checked_in_one_transaction_then_audited(
        self,
        page: str,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        given_cases(new_uow, reference, staff.lead, 3, children=2)
        client.get(f"{API}/me/{page}")  # warm: caches, policy
        statements.during(lambda: client.get(f"{API}/me/{page}"))
        self.assert_read_then_audited(statements.seen)

    def test_a_delta_sync_judges_and_saves_its_cursor_in_one_transaction_then_audits(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        given_cases(new_uow, reference, staff.lead, 3, children=2)
        cursor = client.get(f"{API}/me/changes").json()["cursor"]
        given_cases(new_uow, reference, staff.lead, 1, children=1)
        statements.during(lambda: client.get(f"{API}/me/changes", params={"since": cursor}))
        # The families sent were judged as the scope was built: not looked up again to audit them.
        assert transaction_boundaries(statements.seen) == [
            *ONE_TRANSACTION_WITH_ITS_AUDIT,
            *SEALED_AFTERWARDS,
        ]


class TestCaseloadPage:
    def test_costs_the_same_for_twelve_episodes_as_for_two(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        given_cases(new_uow, reference, staff.lead, 2, children=2, meetings=1)
        client.get(f"{API}/me/caseload")
        with_two = statements.during(lambda: client.get(f"{API}/me/caseload"))
        given_cases(new_uow, reference, staff.lead, 10, children=3, meetings=2)
        page = client.get(f"{API}/me/caseload")
        assert len(page.json()["items"]) == 12
        with_twelve = statements.during(lambda: client.get(f"{API}/me/caseload"))
        assert_fixed_cost("GET caseload", with_two, with_twelve)

    def test_the_next_page_costs_the_same_as_the_first(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        given_cases(new_uow, reference, staff.lead, 12, children=2)
        first = client.get(f"{API}/me/caseload", params={"limit": 5})
        cursor = first.json()["next_cursor"]
        assert cursor
        on_first = statements.during(lambda: client.get(f"{API}/me/caseload", params={"limit": 5}))
        on_next = statements.during(
            lambda: client.get(f"{API}/me/caseload", params={"limit": 5, "cursor": cursor})
        )
        assert_fixed_cost("GET caseload, first and next page", on_first, on_next)


class TestOverduePage:
    def test_costs_the_same_for_twelve_overdue_episodes_as_for_two(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        # Approved on 22 January and never met: each first-TAF clock is overdue on 3 March.
        given_cases(new_uow, reference, staff.lead, 2, children=2)
        with as_user(client, staff.link_worker):
            client.get(f"{API}/timeliness/overdue")
            with_two = statements.during(lambda: client.get(f"{API}/timeliness/overdue"))
            given_cases(new_uow, reference, staff.other_lead, 10, children=3)
            page = client.get(f"{API}/timeliness/overdue")
            assert len(page.json()["items"]) == 12
            with_twelve = statements.during(lambda: client.get(f"{API}/timeliness/overdue"))
        assert_fixed_cost("GET overdue", with_two, with_twelve)


class TestDeltaSync:
    def test_with_nothing_changed_costs_the_same_for_twelve_families_and_loads_no_whole_record(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        def unchanged_delta() -> int:
            cursor = client.get(f"{API}/me/changes").json()["cursor"]
            answers: list[Any] = []

            def delta_since_cursor() -> Any:
                answers.append(client.get(f"{API}/me/changes", params={"since": cursor}))
                return answers[-1]

            count = statements.during(delta_since_cursor)
            delta = answers[-1].json()
            assert (delta["families"], delta["episodes"], delta["removed"]) == ([], [], [])
            assert not any("episodes.source" in s for s in statements.seen), (
                "an unchanged delta sync hydrated whole episodes"
            )
            return count

        given_cases(new_uow, reference, staff.lead, 2, children=2, meetings=1)
        with_two = unchanged_delta()
        given_cases(new_uow, reference, staff.lead, 10, children=3, meetings=2)
        with_twelve = unchanged_delta()
        assert_fixed_cost("delta sync", with_two, with_twelve)

    def test_a_full_sync_of_the_familys_own_records_costs_one_statement_per_kind(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        kinds = (
            "network_members",
            "fgdm_offers",
            "fgdm_meetings",
            "disclosures",
            "requests",
            "family_help",
        )

        def full_sync(families: int) -> int:
            answers: list[Any] = []

            def everything() -> Any:
                answers.append(client.get(f"{API}/me/changes"))
                return answers[-1]

            count = statements.during(everything)
            page = answers[-1].json()
            assert [len(page[kind]) for kind in kinds] == [families] * len(kinds)
            return count

        two = given_cases(new_uow, reference, staff.lead, 2, children=1)
        given_family_records(client, two)
        given_child_protection_records(new_uow, two, staff.lead)
        client.get(f"{API}/me/changes")  # warm: caches, policy
        with_two = full_sync(2)
        twelve = given_cases(new_uow, reference, staff.lead, 10, children=1)
        given_family_records(client, twelve)
        given_child_protection_records(new_uow, twelve, staff.lead)
        with_twelve = full_sync(12)
        # A full sync reads every kind of record twice (versions, then the records sent): twelve
        # kinds, each one statement however many rows, plus people, names, the rules and the audit.
        assert_fixed_cost(
            "full sync with network, FGDM, disclosures, requests and Family Help",
            with_two,
            with_twelve,
            most=FULL_SYNC_MOST_STATEMENTS,
        )


def given_family_records(client: TestClient, episodes: list[Episode]) -> None:
    """For each case: a grandmother in the child's network, an FGDM offer and a family-led
    meeting, an entry of the disclosure log, and a request for support its lead made."""
    for episode in episodes:
        family = f"{API}/families/{episode.family_id}"
        child = str(episode.child_person_ids[0])
        today = TEST_NOW.date().isoformat()
        posts: list[tuple[str, dict[str, Any]]] = [
            (
                f"{family}/network-members",
                {
                    "person": {
                        "given_name": "Margaret",
                        "family_name": "Hughes",
                        "date_of_birth": "1958-04-02",
                    },
                    "child_person_ids": [child],
                    "relationship": "grandparent",
                    "parental_responsibility": False,
                },
            ),
            (
                f"{family}/fgdm-offers",
                {
                    "status": "awaiting_answer",
                    "decided_on": today,
                    "offered_to_person_ids": [child],
                },
            ),
            (
                f"{family}/fgdm-meetings",
                {
                    "held_on": today,
                    "meeting_type": "family_network_meeting",
                    "coordinator_name": "Jo Baines",
                    "coordinator_independent": True,
                    "private_family_time": False,
                    "attendee_person_ids": [child],
                },
            ),
            (
                f"{family}/disclosures",
                {
                    "decision": "shared",
                    "decided_on": today,
                    "recipient_name": "Pat Police",
                    "recipient_type": "police",
                    "information": "The assessment",
                    "purpose": "A s.47 enquiry",
                    "lawful_basis": "ca2004_s16la",
                },
            ),
            (
                f"{API}/requests",
                {
                    "referrer": {"kind": "agency", "agency_code": "SCHOOL"},
                    "family_id": str(episode.family_id),
                    "child_person_ids": [child],
                    "asked_for": "Help with routines.",
                    "reason": "Attendance 80%.",
                    "family_agreed": True,
                },
            ),
        ]
        for url, body in posts:
            response = client.post(url, json=body)
            assert response.status_code == 201, response.text


def given_child_protection_records(
    new_uow: NewUow, episodes: list[Episode], lead_id: uuid.UUID
) -> None:
    """Each episode stepped across to s.47 by its lead, who stays on as co-worker beside a lead
    child protection practitioner: a Family Help record naming practitioners."""
    with new_uow() as uow:
        for episode in episodes:
            cp_lead = Practitioner(
                id=uuid.uuid4(),
                name="Chris Protection",
                email=f"{uuid.uuid4().hex[:12]}@council.example",
                agency_code="COUNCIL_EH",
                roles=frozenset({Role.PRACTITIONER}),
                registered_social_worker=True,
            )
            uow.practitioners.add(cp_lead, at=TEST_NOW)
            stepped_on = TEST_NOW.date()
            record = FamilyHelpRecord(
                episode_id=episode.id,
                episode_type=EpisodeType.FAMILY_HELP,
                statutory_basis=StatutoryBasis.S47,
                transitions=[
                    Transition(
                        id=uuid.uuid4(),
                        kind=TransitionKind.STEP_ACROSS,
                        from_type=EpisodeType.EARLY_HELP,
                        to_type=EpisodeType.FAMILY_HELP,
                        from_basis=StatutoryBasis.NONE,
                        to_basis=StatutoryBasis.S47,
                        effective_on=stepped_on,
                        decided_by=cp_lead.id,
                        reason="Strategy discussion: s47 enquiry",
                        threshold_document_version="2026-04",
                    )
                ],
                allocations=[
                    Allocation(uuid.uuid4(), lead_id, AllocationRole.CO_WORKER, stepped_on),
                    Allocation(
                        uuid.uuid4(),
                        cp_lead.id,
                        AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
                        stepped_on,
                    ),
                ],
                census=CensusDates(referral_on=stepped_on),
            )
            uow.family_help.add(record, at=TEST_NOW)
        uow.commit()


def given_taf(new_uow: NewUow, episode: Episode, kind: TafMemberKind) -> list[uuid.UUID]:
    """Every child of the episode in its TAF, or as many practitioners, and one meeting that all
    of them attended; the members' ids."""
    with new_uow() as uow:
        members = []
        for n, child_id in enumerate(episode.child_person_ids):
            practitioner_id = None
            if kind is TafMemberKind.PRACTITIONER:
                practitioner = Practitioner(
                    id=uuid.uuid4(),
                    name=f"Worker {n}",
                    email=f"worker{n}.{uuid.uuid4().hex[:6]}@school.example",
                    agency_code="SCHOOL",
                    roles=frozenset({Role.PRACTITIONER}),
                )
                uow.practitioners.add(practitioner, at=TEST_NOW)
                practitioner_id = practitioner.id
            member = TafMember(
                id=uuid.uuid4(),
                episode_id=episode.id,
                kind=kind,
                practitioner_id=practitioner_id,
                agency_code="SCHOOL" if practitioner_id else None,
                role=f"Member {n}",
                person_id=None if practitioner_id else child_id,
                joined_on=d(1, 6),
            )
            uow.taf.add_member(member, at=TEST_NOW)
            members.append(member.id)
        uow.taf.add_meeting(
            TafMeeting(
                id=uuid.uuid4(),
                episode_id=episode.id,
                held_on=d(1, 23),
                is_first=True,
                attendee_member_ids=tuple(members),
                family_present=True,
                child_voice=ChildVoice.SHARED,
                progress=(),
                decision=MeetingDecision.CONTINUE_PLAN,
                next_review_on=None,
                notes=None,
            ),
            at=TEST_NOW,
        )
        uow.commit()
    return members


class TestListingTheTafByName:
    """The TAF's lists name every member and attendee in the same statements for one as for ten."""

    @pytest.mark.parametrize("kind", [TafMemberKind.FAMILY_MEMBER, TafMemberKind.PRACTITIONER])
    @pytest.mark.parametrize("listing", ["taf-members", "meetings"])
    def test_ten_members_by_name_cost_what_one_costs(
        self,
        kind: TafMemberKind,
        listing: str,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        one, ten = (
            given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead, children=n)
            for n in (1, 10)
        )
        for case in (one, ten):
            given_taf(new_uow, case, kind)
        answers: dict[uuid.UUID, Any] = {}

        def listed(case: Episode) -> Callable[[], Any]:
            def get() -> Any:
                answers[case.id] = client.get(f"{API}/episodes/{case.id}/{listing}")
                return answers[case.id]

            return get

        client.get(f"{API}/episodes/{one.id}/{listing}")  # warm: caches, policy
        with_one = statements.during(listed(one))
        with_ten = statements.during(listed(ten))
        assert_fixed_cost(f"GET {listing} of {kind.value}s", with_one, with_ten)
        named = answers[ten.id].json()
        rows = named if listing == "taf-members" else named[0]["attendees"]
        expected = (
            f"Worker {n}" if kind is TafMemberKind.PRACTITIONER else f"Child{n} Hughes"
            for n in range(10)
        )
        assert sorted(r["name"] for r in rows) == sorted(expected)


class TestListingContacts:
    def test_costs_the_same_for_twelve_amended_and_sensitive_contacts_as_for_two(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        small = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead)
        large = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=staff.lead)
        for case, n in ((small, 2), (large, 12)):
            url = f"{API}/episodes/{case.id}/contacts"
            for i in range(n):
                made = client.post(
                    url, json={"kind": "phone", "note": f"Call {i}", "sensitive": i % 2 == 0}
                )
                assert made.status_code == 201, made.text
                amended = client.post(
                    f"{url}/{made.json()['id']}/amendments",
                    headers={"If-Match": '"1"'},
                    json={"field": "note", "text": f"Call {i}, returned", "reason": "Completed"},
                )
                assert amended.status_code == 200, amended.text
        for reader in (staff.lead, staff.manager, staff.link_worker):
            with as_user(client, reader):
                client.get(f"{API}/episodes/{small.id}/contacts")  # warm: caches, policy
                with_small = statements.during(
                    lambda: client.get(f"{API}/episodes/{small.id}/contacts")
                )
                with_large = statements.during(
                    lambda: client.get(f"{API}/episodes/{large.id}/contacts")
                )
            assert_fixed_cost("GET contacts", with_small, with_large)


class TestSigningInByEmail:
    def test_a_subject_not_remembered_is_looked_up_with_its_hubs_in_one_statement(
        self, client: TestClient, new_uow: NewUow, staff: Staff, statements: Statements
    ) -> None:
        """Local tokens name the practitioner by email; a worker that has not seen the subject in
        the last few seconds looks them up (bench/RESULTS.md: 6 % of a review's time)."""
        with new_uow() as uow:
            link_worker = uow.practitioners.get(staff.link_worker)
        assert link_worker is not None
        assert link_worker.hub_ids
        cache = client.app.state.principal_cache  # type: ignore[attr-defined]
        cache.forget_all()
        client.headers["Authorization"] = bearer(staff.link_worker, subject=link_worker.email)
        statements.during(lambda: client.get(f"{API}/timeliness/overdue"))
        seen = statements.seen
        assert seen[0].startswith("SAVEPOINT")  # the lookup's own short transaction
        end = next(i for i, s in enumerate(seen) if s.split()[0] in {"RELEASE", "ROLLBACK"})
        lookup = seen[1:end]
        assert [("practitioners.email" in s, "practitioner_hubs" in s) for s in lookup] == [
            (True, True)
        ]
        remembered = cache.get(link_worker.email)
        assert (remembered.practitioner_id, remembered.hub_ids) == (
            link_worker.id,
            link_worker.hub_ids,
        )


def given_child_protection_case(
    new_uow: NewUow, reference: ReferenceData, lead_id: uuid.UUID
) -> None:
    """An s.47 episode of two children with an enquiry and a reviewed plan, in the CIN census."""
    episode = given_case(new_uow, hub_id=reference.hubs["NORTH"], lead_id=lead_id, children=2)
    record = FamilyHelpRecord(
        episode_id=episode.id,
        episode_type=EpisodeType.FAMILY_HELP,
        statutory_basis=StatutoryBasis.S47,
        census=CensusDates(referral_on=d(1, 6), primary_need_code="N1"),
        child_protection=ChildProtection(
            s47_enquiries=(S47Enquiry(started_on=d(1, 8), icpc_on=d(1, 20)),),
            plans=(
                ChildProtectionPlan(
                    started_on=d(1, 20), initial_category_code="NEG", review_dates=(d(2, 17),)
                ),
            ),
        ),
    )
    with new_uow() as uow:
        uow.family_help.add(record, at=TEST_NOW)
        uow.commit()


class TestTheCinCensusExtract:
    def test_costs_the_same_for_six_child_protection_episodes_as_for_one(
        self,
        client: TestClient,
        new_uow: NewUow,
        reference: ReferenceData,
        staff: Staff,
        statements: Statements,
    ) -> None:
        params = {"from": "2024-04-01", "to": TEST_NOW.date().isoformat()}
        given_child_protection_case(new_uow, reference, staff.lead)
        with as_user(client, staff.manager):
            client.get(f"{API}/reports/cin-census", params=params)  # warm
            with_one = statements.during(
                lambda: client.get(f"{API}/reports/cin-census", params=params)
            )
            for _ in range(5):
                given_child_protection_case(new_uow, reference, staff.lead)
            response = client.get(f"{API}/reports/cin-census", params=params)
            with_six = statements.during(
                lambda: client.get(f"{API}/reports/cin-census", params=params)
            )
        assert response.text.count("NEG") == 12, "each child of each episode, with its plan"
        assert_fixed_cost("GET cin-census", with_one, with_six)
