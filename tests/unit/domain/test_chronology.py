"""The chronology's order and filters as properties: every event of the record appears once, in
day order; a filter keeps exactly the entries it describes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.chronology import ChronologyFilter, EntryKind, FamilyRecord, chronology
from app.domain.consents import Withdrawal
from app.domain.errors import InvalidValue
from app.domain.family_help import (
    ChildProtection,
    ChildProtectionPlan,
    FamilyHelpRecord,
    S47Enquiry,
)
from tests.unit.domain.test_consents import CHILD, GIVER, make_consent

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def consent_histories(draw: st.DrawFn) -> FamilyRecord:
    consents = []
    for _ in range(draw(st.integers(0, 6))):
        given_on = draw(dates)
        withdrawn = draw(st.one_of(st.none(), dates.filter(lambda d: d >= given_on)))  # noqa: B023
        consents.append(
            make_consent(
                given_on=given_on,
                on_behalf_of_person_ids=draw(st.sampled_from([(), (CHILD,)])),
                withdrawal=Withdrawal(withdrawn, "changed their mind") if withdrawn else None,
            )
        )
    return FamilyRecord(consents=consents)


@given(record=consent_histories())
def test_every_event_appears_once_in_day_order(record: FamilyRecord) -> None:
    entries = chronology(record, ChronologyFilter())
    expected = sum(1 + (c.withdrawal is not None) for c in record.consents)
    assert len(entries) == expected
    assert [e.sort_key for e in entries] == sorted(e.sort_key for e in entries)
    assert [e.on for e in entries] == sorted(e.on for e in entries)


@given(
    record=consent_histories(),
    kinds=st.frozensets(st.sampled_from([EntryKind.CONSENT_GIVEN, EntryKind.CONSENT_WITHDRAWN])),
    start=st.one_of(st.none(), dates),
    person=st.sampled_from([None, CHILD, GIVER, uuid.uuid4()]),
)
def test_a_filter_keeps_exactly_what_it_describes(
    record: FamilyRecord, kinds: frozenset[EntryKind], start: date | None, person: uuid.UUID | None
) -> None:
    everything = chronology(record, ChronologyFilter())
    flt = ChronologyFilter(kinds=kinds, on_or_after=start, person_id=person)
    assert chronology(record, flt) == [
        e
        for e in everything
        if (not kinds or e.kind in kinds)
        and (start is None or e.on >= start)
        and (person is None or person in e.person_ids)
    ]


def test_a_withdrawal_on_the_day_of_giving_comes_after_the_giving() -> None:
    day = date(2025, 3, 3)
    consent = make_consent(given_on=day, withdrawal=Withdrawal(day, "A mistake"))
    entries = chronology(FamilyRecord(consents=[consent]), ChronologyFilter())
    assert [e.kind for e in entries] == [EntryKind.CONSENT_GIVEN, EntryKind.CONSENT_WITHDRAWN]


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        ChronologyFilter(on_or_after=date(2025, 2, 1), on_or_before=date(2025, 1, 1))
    assert refused.value.field == "from"


def test_an_erasure_just_after_midnight_in_summer_falls_on_the_councils_day() -> None:
    """23:30 UTC on 30 June is 00:30 on 1 July in England: the day the manager knows it by."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from app.domain.documents import Content, Document, DocumentType, Erasure, OwnerKind

    erased_at = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    document = Document(
        id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        owner_kind=OwnerKind.FAMILY,
        owner_id=uuid.uuid4(),
        title="Letter",
        description=None,
        filename="letter.txt",
        content=Content(DocumentType.TEXT, 10, "0" * 64, 1),
        sensitive=False,
        dated_on=date(2025, 6, 1),
        uploaded_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        uploaded_by=uuid.uuid4(),
        erasure=Erasure(
            erased_at=erased_at, erased_by=uuid.uuid4(), reason="Wrong family's letter"
        ),
    )
    record = FamilyRecord(documents=[document], zone=ZoneInfo("Europe/London"))
    erased = chronology(record, ChronologyFilter(kinds=frozenset({EntryKind.DOCUMENT_ERASED})))
    assert [e.on for e in erased] == [date(2025, 7, 1)]


@st.composite
def child_protection_histories(draw: st.DrawFn) -> FamilyHelpRecord:
    """An episode's s.47 enquiries (some conferenced) and plans (some reviewed, some ended)."""
    days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
    enquiries = draw(
        st.lists(
            st.builds(S47Enquiry, started_on=days, icpc_on=st.none() | days),
            max_size=3,
        )
    )
    plans = draw(
        st.lists(
            st.builds(
                ChildProtectionPlan,
                started_on=days,
                initial_category_code=st.sampled_from(["NEG", "PHY", "SAB", "EMO", "MUL"]),
                ended_on=st.none() | days,
                review_dates=st.lists(days, max_size=3).map(tuple),
            ),
            max_size=3,
        )
    )
    return FamilyHelpRecord(
        episode_id=uuid.uuid4(),
        child_protection=ChildProtection(tuple(enquiries), tuple(plans)),
    )


@given(child_protection_histories())
def test_each_child_protection_event_is_one_entry_on_its_own_date(
    record: FamilyHelpRecord,
) -> None:
    cp = record.child_protection
    expected = sorted(
        [(e.started_on, EntryKind.S47_ENQUIRY_STARTED) for e in cp.s47_enquiries]
        + [(e.icpc_on, EntryKind.INITIAL_CP_CONFERENCE) for e in cp.s47_enquiries if e.icpc_on]
        + [(p.started_on, EntryKind.CP_PLAN_STARTED) for p in cp.plans]
        + [(r, EntryKind.CP_PLAN_REVIEWED) for p in cp.plans for r in p.review_dates]
        + [(p.ended_on, EntryKind.CP_PLAN_ENDED) for p in cp.plans if p.ended_on]
    )
    entries = chronology(FamilyRecord(family_help=[record]), ChronologyFilter())
    assert sorted((e.on, e.kind) for e in entries) == expected
    assert len({e.sort_key for e in entries}) == len(entries), "every entry has its own place"
    assert {(e.record_type, e.episode_id) for e in entries} <= {("family_help", record.episode_id)}
