"""The demo a council evaluates holds the daily record and Family Help: what docs/demo-data.md tells
a reader to look at is there, seen as the demo user the page names, through the same services the
API calls (so each check also proves the demo user may see it).

The demo is loaded once per database, as a council that switches Family Help on after its first
load does: `familyhub demo-data` with the setting off, then again with it on (which adds only the
Family Help families), then once more (which adds nothing). Everything is rolled back afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from app.clock import FixedClock
from app.db.repositories.census_codes import packaged_census_codes
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import RequestScope
from app.domain.caseload import WorkKind
from app.domain.chronology import ChronologyFilter, EntryKind
from app.domain.contacts import ContactKind
from app.domain.disclosures import DisclosureDecision, LawfulBasis
from app.domain.documents import DocumentType, OwnerKind
from app.domain.family_help import AllocationRole, EpisodeType, FamilyHelpPolicy, StatutoryBasis
from app.domain.family_network import FgdmOfferStatus
from app.domain.paging import PageRequest
from app.domain.requests import RequestStatus, ScreeningOutcome
from app.services import (
    caseload,
    chronology,
    contacts,
    disclosures,
    documents,
    family_help,
    family_network,
    requests,
)
from app.services.ports import ContactFilter, DisclosureFilter, RequestFilter
from app.services.use_case import Actor
from demo import load_demo_data
from tests.conftest import AUDIT_KEYS

# A Wednesday in term time: the demo's "today" for these tests.
DEMO_NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 4)
FAMILY_HELP_ON = FamilyHelpPolicy(enabled=True)
MANY = PageRequest(limit=200)


@dataclass
class Demo:
    new_uow: Callable[[], SqlUnitOfWork]
    clock: FixedClock
    loads: list[bool]
    """What each `demo-data` run answered: off, on, on again."""

    def actor(self, email: str) -> Actor:
        with self.new_uow() as uow:
            found = uow.practitioners.get_by_email(email)
        assert found is not None, email
        return Actor(principal=found.as_principal())


@pytest.fixture(scope="module")
def demo(engine: Engine) -> Iterator[Demo]:
    with engine.connect() as connection:
        transaction = connection.begin()
        factory = sessionmaker(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )

        def new_uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(factory, audit_keys=AUDIT_KEYS)

        clock = FixedClock(DEMO_NOW)
        codes = packaged_census_codes()
        loads = [
            load_demo_data(new_uow, clock),
            load_demo_data(new_uow, clock, family_help=FAMILY_HELP_ON, census_codes=codes),
            load_demo_data(new_uow, clock, family_help=FAMILY_HELP_ON, census_codes=codes),
        ]
        yield Demo(new_uow=new_uow, clock=clock, loads=loads)
        transaction.rollback()


def _requests(demo: Demo, *, overdue: bool = False) -> list[requests.RequestView]:
    return requests.list_requests(
        demo.new_uow(),
        demo.clock,
        demo.actor("fran.frontdoor@familyhub.example"),
        RequestFilter(scope=RequestScope()),
        MANY,
        overdue=overdue,
    ).items


def _caseload(
    demo: Demo, email: str = "lena.lead@familyhub.example"
) -> list[caseload.CaseloadEntry]:
    return caseload.caseload(
        demo.new_uow(), demo.clock, demo.actor(email), stage=None, hub_id=None, page=MANY
    ).items


def _entry(demo: Demo, reference: str) -> caseload.CaseloadEntry:
    return next(e for e in _caseload(demo) if e.family_reference == reference)


def test_switching_family_help_on_adds_its_families_once(demo: Demo) -> None:
    assert demo.loads == [True, True, False]


def test_the_front_door_officer_sees_one_request_overdue_against_its_working_day(
    demo: Demo,
) -> None:
    overdue = _requests(demo, overdue=True)
    assert len(overdue) == 1
    (late,) = overdue
    assert late.request.decision is None
    assert late.request.received_on == TODAY - timedelta(days=8)
    assert late.request.decision_due_on < TODAY


def test_the_front_door_holds_a_request_in_every_state(demo: Demo) -> None:
    found = [v.request for v in _requests(demo)]
    awaiting = [r for r in found if r.decision is None]
    decided = {r.decision.outcome: r.decision for r in found if r.decision is not None}
    assert len(awaiting) == 2
    assert all(r.status is RequestStatus.AWAITING_DECISION for r in awaiting)
    assert set(decided) == set(ScreeningOutcome)
    assert decided[ScreeningOutcome.STEP_UP].step_up_reference == "CSC-52817"
    assert decided[ScreeningOutcome.EARLY_HELP].episode_id is not None
    assert decided[ScreeningOutcome.ALREADY_OPEN].episode_id is not None


def test_the_lead_sees_the_attached_request_and_a_family_going_without_contact(
    demo: Demo,
) -> None:
    work = caseload.worklist(
        demo.new_uow(), demo.clock, demo.actor("lena.lead@familyhub.example"), as_of=None, page=MANY
    ).items
    by_kind = {
        kind: {row.family_reference for row in work if row.item.kind is kind} for kind in WorkKind
    }
    assert by_kind[WorkKind.READ_ATTACHED_REQUEST] == {"DEMO-022"}
    # A significant visit 27 days ago and an attempted visit since: 20 working days are nearly up.
    assert "DEMO-022" in by_kind[WorkKind.CONTACT_FAMILY]
    assert "DEMO-010" not in by_kind[WorkKind.CONTACT_FAMILY]


def test_the_caseload_shows_the_last_contact(demo: Demo) -> None:
    entries = _caseload(demo)
    last = {e.family_reference: e.last_contact_on for e in entries}
    assert last["DEMO-010"] == TODAY - timedelta(days=2)
    assert sum(1 for on in last.values() if on is not None) >= 3


def test_the_busy_familys_notes_show_the_childs_voice_an_amendment_and_a_sensitive_note(
    demo: Demo,
) -> None:
    entry = _entry(demo, "DEMO-010")
    seen = contacts.list_contacts(
        demo.new_uow(),
        demo.clock,
        demo.actor("lena.lead@familyhub.example"),
        entry.episode.id,
        ContactFilter(),
        MANY,
    ).items
    by_kind = {v.contact.kind: v for v in seen}
    visit = by_kind[ContactKind.HOME_VISIT]
    assert visit.contact.child_voice
    assert any(c.seen_alone for c in visit.children)
    assert len(visit.contact.amendments) == 1
    assert ContactKind.PHONE in by_kind
    sensitive = by_kind[ContactKind.OFFICE]
    assert sensitive.contact.sensitive
    assert sensitive.note_shown


def test_a_familys_chronology_has_contacts_and_documents(demo: Demo) -> None:
    entry = _entry(demo, "DEMO-010")
    page = chronology.family_chronology(
        demo.new_uow(),
        demo.clock,
        demo.actor("lena.lead@familyhub.example"),
        entry.episode.family_id,
        ChronologyFilter(),
        PageRequest(limit=200),
    )
    kinds = {e.kind for e in page.items}
    assert {EntryKind.CONTACT, EntryKind.DOCUMENT_ADDED} <= kinds
    drifting = _entry(demo, _significant_reference(demo))
    contact_entries = chronology.family_chronology(
        demo.new_uow(),
        demo.clock,
        demo.actor("lena.lead@familyhub.example"),
        drifting.episode.family_id,
        ChronologyFilter(kinds=frozenset({EntryKind.CONTACT})),
        PageRequest(limit=50),
    )
    assert [e.on for e in contact_entries.items] == [TODAY - timedelta(days=27)]


def _significant_reference(demo: Demo) -> str:
    """The family whose last contact was the significant home visit 27 days ago."""
    return next(
        e.family_reference
        for e in _caseload(demo)
        if e.last_contact_on == TODAY - timedelta(days=27)
    )


def test_documents_sit_on_a_family_an_episode_and_a_contact(demo: Demo) -> None:
    entry = _entry(demo, "DEMO-010")
    lena = demo.actor("lena.lead@familyhub.example")
    (visit,) = [
        v
        for v in contacts.list_contacts(
            demo.new_uow(), demo.clock, lena, entry.episode.id, ContactFilter(), MANY
        ).items
        if v.contact.kind is ContactKind.HOME_VISIT
    ]
    held = {
        kind: documents.list_documents(
            demo.new_uow(),
            demo.clock,
            lena,
            kind,
            owner,
            MANY,
            under_episode=entry.episode.id if kind is OwnerKind.CONTACT else None,
        ).items
        for kind, owner in [
            (OwnerKind.FAMILY, entry.episode.family_id),
            (OwnerKind.EPISODE, entry.episode.id),
            (OwnerKind.CONTACT, visit.contact.id),
        ]
    }
    assert [d.document.content.doc_type for d in held[OwnerKind.FAMILY]] == [DocumentType.TEXT]
    assert [d.document.content.doc_type for d in held[OwnerKind.EPISODE]] == [DocumentType.PDF]
    assert [d.document.content.doc_type for d in held[OwnerKind.CONTACT]] == [DocumentType.PNG]


def _family_help(demo: Demo, reference: str) -> family_help.FamilyHelpView:
    manager = demo.actor("mo.manager@familyhub.example")
    entry = next(
        e
        for email in ("lena.lead@familyhub.example", "harriet.hv@familyhub.example")
        for e in _caseload(demo, email)
        if e.family_reference == reference
    )
    return family_help.get_family_help(
        demo.new_uow(), demo.clock, manager, entry.episode.id, FAMILY_HELP_ON
    )


def test_the_s17_episode_has_its_lead_and_a_practice_supervisor(demo: Demo) -> None:
    record = _family_help(demo, "DEMO-FH1").record
    assert (record.episode_type, record.statutory_basis) == (
        EpisodeType.FAMILY_HELP,
        StatutoryBasis.S17,
    )
    assert record.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) == _id(
        demo, "lena.lead@familyhub.example"
    )
    assert record.holder(AllocationRole.PRACTICE_SUPERVISOR) == _id(
        demo, "pam.supervisor@familyhub.example"
    )
    assert record.census.plan_started_on == TODAY - timedelta(days=22)


def test_the_s47_episode_is_led_by_a_social_worker_with_the_old_lead_co_working(
    demo: Demo,
) -> None:
    view = _family_help(demo, "DEMO-FH2")
    record = view.record
    assert record.statutory_basis is StatutoryBasis.S47
    assert [t.to_basis for t in record.transitions] == [StatutoryBasis.S17, StatutoryBasis.S47]
    assert record.holder(AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER) == _id(
        demo, "sid.socialworker@familyhub.example"
    )
    co_workers = {a.practitioner_id for a in record.current(AllocationRole.CO_WORKER)}
    assert _id(demo, "harriet.hv@familyhub.example") in co_workers


def _id(demo: Demo, email: str) -> uuid.UUID:
    return demo.actor(email).principal.practitioner_id


def test_the_cin_census_extract_has_the_s17_child(demo: Demo) -> None:
    lines = family_help.cin_census(
        demo.new_uow(),
        demo.clock,
        demo.actor("reports@familyhub.example"),
        period_start=TODAY - timedelta(days=180),
        period_end=TODAY,
        codes=packaged_census_codes(),
    )
    s17 = _family_help(demo, "DEMO-FH1").record.episode_id
    mine = [line for line in lines if line.episode_id == s17]
    assert len(mine) == 2
    assert {line.dates.referral_source_code for line in mine} == {"5D"}
    assert {line.episode_id for line in lines} == {
        s17,
        _family_help(demo, "DEMO-FH2").record.episode_id,
    }


def test_the_s17_family_has_a_network_an_fgdm_and_a_sharing_log(demo: Demo) -> None:
    lena = demo.actor("lena.lead@familyhub.example")
    family_id = next(
        e.episode.family_id for e in _caseload(demo) if e.family_reference == "DEMO-FH1"
    )
    network = family_network.list_network(demo.new_uow(), demo.clock, lena, family_id, MANY)
    assert len(network.members) == 1
    offers = family_network.list_fgdm_offers(demo.new_uow(), demo.clock, lena, family_id, MANY)
    assert [o.status for o in offers.items] == [FgdmOfferStatus.ACCEPTED]
    meetings = family_network.list_fgdm_meetings(demo.new_uow(), demo.clock, lena, family_id, MANY)
    assert [m.plan_agreed for m in meetings.items] == [True]
    log = disclosures.list_disclosures(
        demo.new_uow(), demo.clock, lena, family_id, DisclosureFilter(), MANY
    ).items
    assert {(d.decision, d.lawful_basis) for d in log} == {
        (DisclosureDecision.SHARED, LawfulBasis.CA2004_S16LA),
        (DisclosureDecision.NOT_SHARED, None),
    }
