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
