"""Contacts and case notes (issue 19 §2): who records them, who reads a sensitive note, the dates
and people a contact may name, and corrections that never overwrite the original."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import Action, Visibility, decide, may_read_sensitive
from app.domain.calendar import WorkingCalendar
from app.domain.contacts import (
    MAX_NAMED_PRACTITIONERS,
    Contact,
    ContactKind,
    NoteField,
    check_may_amend,
    check_named_practitioners_known,
    children_seen,
    no_contact_due_on,
    record_contact,
)
from app.domain.errors import Forbidden, IllegalTransition, InvalidValue
from tests.unit.domain.test_access import EPISODE, ME, RELATIONSHIPS, TODAY

A, F, H = Visibility.ALLOWED, Visibility.FORBIDDEN, Visibility.HIDDEN
REQUESTED = date(2025, 2, 3)
PARENT, CHILD, OTHER_CHILD = uuid.UUID(int=101), uuid.UUID(int=102), uuid.UUID(int=103)
LEAD, AUTHOR, SOMEONE = uuid.UUID(int=201), uuid.UUID(int=202), uuid.UUID(int=203)
AT = datetime(2025, 3, 3, 10, tzinfo=UTC)


def contact(**overrides: object) -> Contact:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "episode_id": EPISODE,
        "family_id": uuid.UUID(int=10),
        "happened_on": TODAY,
        "kind": ContactKind.HOME_VISIT,
        "note": "Home calm.",
        "recorded_by": AUTHOR,
        "recorded_at": AT,
        "seen_person_ids": (PARENT, CHILD),
        "children_seen_alone": (CHILD,),
    }
    fields.update(overrides)
    return Contact(**fields)  # type: ignore[arg-type]


def recorded(c: Contact, *, episode_open: bool = True) -> Contact:
    return record_contact(
        c,
        today=TODAY,
        requested_on=REQUESTED,
        episode_open=episode_open,
        member_ids={PARENT, CHILD, OTHER_CHILD},
        child_ids={CHILD, OTHER_CHILD},
    )


# Who may record a contact: the lead and a practitioner allocated today as lead child protection
# practitioner or co-worker (open or closed, the process refusing the closed one with a 409), a
# TAF member under consent while the episode is open; everyone else who reads is refused.
RECORD_CONTACT = {
    "lead_of_open_episode": A,
    "lead_of_closed_episode": A,
    "taf_member_with_agency_consent": A,
    "taf_member_with_all_taf_consent": A,
    "taf_member_consent_withdrawn": H,
    "taf_member_left": H,
    "lcpp_allocated": A,
    "co_worker": A,
    "co_worker_of_closed_episode": A,
    "co_worker_ended_today": H,
    "co_worker_from_tomorrow": H,
    "practice_supervisor_allocated": H,
    "co_worker_not_practitioner": H,
    "link_worker_in_hub": F,
    "link_worker_other_hub": H,
    "qa_with_plan_awaiting": F,
    "qa_without": H,
    "manager": F,
    "reporting": H,
    "admin": H,
    "auditor": H,
    "stranger_practitioner": H,
    "inactive_user": H,
}

# Who reads a sensitive note's text, named or not (the recorder is always named).
SENSITIVE_NOT_NAMED = {
    "lead_of_open_episode": True,
    "lead_of_closed_episode": True,
    "lcpp_allocated": True,
    "co_worker": True,
    "co_worker_of_closed_episode": True,
    "manager": True,
}
SENSITIVE_NAMED = {
    **SENSITIVE_NOT_NAMED,
    "taf_member_with_agency_consent": True,
    "taf_member_with_all_taf_consent": True,
    "link_worker_in_hub": True,
    "qa_with_plan_awaiting": True,
}


class TestWhoRecordsContacts:
    def test_every_relationship_is_covered(self) -> None:
        assert set(RECORD_CONTACT) == set(RELATIONSHIPS)

    @pytest.mark.parametrize("relationship", sorted(RELATIONSHIPS))
    def test_the_lead_and_taf_members_under_consent_record(self, relationship: str) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        found = decide(who, Action.RECORD_CONTACT, facts, today=TODAY, episode_id=EPISODE)
        assert found.visibility is RECORD_CONTACT[relationship]

    def test_a_taf_member_of_a_closed_episode_records_nothing(self) -> None:
        who, facts = RELATIONSHIPS["taf_member_with_agency_consent"]()
        closed = replace(facts, episodes=(replace(facts.episodes[0], is_open=False),))
        found = decide(who, Action.RECORD_CONTACT, closed, today=TODAY, episode_id=EPISODE)
        assert found.visibility is F

    def test_break_glass_never_records(self) -> None:
        who, facts = RELATIONSHIPS["stranger_practitioner"]()
        found = decide(
            who,
            Action.RECORD_CONTACT,
            facts,
            today=TODAY,
            episode_id=EPISODE,
            break_glass_reason="Urgent safeguarding call about this family",
        )
        assert not found.allowed


class TestWhoReadsASensitiveNote:
    @pytest.mark.parametrize("relationship", sorted(RELATIONSHIPS))
    def test_only_managers_the_lead_and_named_readers_of_the_episode(
        self, relationship: str
    ) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        named, unnamed = (
            may_read_sensitive(
                who, facts, episode_id=EPISODE, named_practitioner_ids=ids, today=TODAY
            )
            for ids in (frozenset({ME}), frozenset({SOMEONE}))
        )
        assert unnamed is SENSITIVE_NOT_NAMED.get(relationship, False)
        assert named is SENSITIVE_NAMED.get(relationship, False)

    def test_a_name_on_another_episode_grants_nothing(self) -> None:
        who, facts = RELATIONSHIPS["taf_member_with_agency_consent"]()
        assert not may_read_sensitive(
            who,
            facts,
            episode_id=uuid.UUID(int=999),
            named_practitioner_ids=frozenset({ME}),
            today=TODAY,
        )


class TestRecordingAContact:
    def test_a_sensitive_note_always_names_its_recorder(self) -> None:
        kept = recorded(contact(sensitive=True, named_practitioner_ids=(SOMEONE, SOMEONE)))
        assert kept.named_practitioner_ids == (SOMEONE, AUTHOR)

    def test_named_readers_need_a_sensitive_note_and_are_few(self) -> None:
        with pytest.raises(InvalidValue) as plain:
            recorded(contact(named_practitioner_ids=(SOMEONE,)))
        assert plain.value.code == "contact_named_readers_without_sensitive"
        many = tuple(uuid.uuid4() for _ in range(MAX_NAMED_PRACTITIONERS + 1))
        with pytest.raises(InvalidValue) as crowd:
            recorded(contact(sensitive=True, named_practitioner_ids=many))
        assert crowd.value.field == "named_practitioner_ids"

    def test_named_readers_must_be_in_the_directory(self) -> None:
        with pytest.raises(InvalidValue) as unknown:
            check_named_practitioners_known((SOMEONE, LEAD), {SOMEONE})
        assert unknown.value.field == "named_practitioner_ids[1]"

    def test_who_was_seen_belongs_to_the_household_and_seen_alone_are_seen_children(
        self,
    ) -> None:
        cases = {
            "contact_person_not_in_household": contact(seen_person_ids=(uuid.uuid4(),)),
            "contact_seen_alone_not_a_child": contact(children_seen_alone=(PARENT,)),
            "contact_seen_alone_not_seen": contact(children_seen_alone=(OTHER_CHILD,)),
            "attempted_visit_saw_nobody": contact(kind=ContactKind.ATTEMPTED_VISIT),
            "contact_note_required": contact(note="   "),
        }
        for code, c in cases.items():
            with pytest.raises(InvalidValue) as refused:
                recorded(c)
            assert refused.value.code == code

    def test_a_closed_episode_takes_no_new_contact(self) -> None:
        with pytest.raises(IllegalTransition) as closed:
            recorded(contact(), episode_open=False)
        assert closed.value.code == "episode_closed"

    def test_each_child_of_the_episode_is_seen_or_not_and_alone_or_not(self) -> None:
        seen = children_seen(recorded(contact()), [CHILD, OTHER_CHILD])
        assert [(s.person_id, s.seen, s.seen_alone) for s in seen] == [
            (CHILD, True, True),
            (OTHER_CHILD, False, False),
        ]

    @given(offset=st.integers(min_value=-400, max_value=400))
    def test_dated_between_the_request_and_today(self, offset: int) -> None:
        on = TODAY + timedelta(days=offset)
        if REQUESTED <= on <= TODAY:
            assert recorded(contact(happened_on=on)).happened_on == on
        else:
            with pytest.raises(InvalidValue) as refused:
                recorded(contact(happened_on=on))
            assert refused.value.field == "happened_on"
            expected = "step_date_in_future" if on > TODAY else "step_date_before_request"
            assert refused.value.code == expected


class TestAmendments:
    def test_a_correction_keeps_the_original_and_says_what_it_replaced(self) -> None:
        c = recorded(contact(note="First words."))
        c.amend(
            which=NoteField.NOTE,
            text="Second",
            reason="typo",
            by=LEAD,
            at=AT,
            amendment_id=uuid.uuid4(),
        )
        third = c.amend(
            which=NoteField.NOTE,
            text="Third",
            reason="more",
            by=AUTHOR,
            at=AT,
            amendment_id=uuid.uuid4(),
        )
        assert (c.note, c.current(NoteField.NOTE)) == ("First words.", "Third")
        assert (third.number, third.previous_text) == (2, "Second")
        voice = c.amend(
            which=NoteField.CHILD_VOICE,
            text="Her words",
            reason="added",
            by=LEAD,
            at=AT,
            amendment_id=uuid.uuid4(),
        )
        assert voice.previous_text is None
        assert c.current(NoteField.CHILD_VOICE) == "Her words"

    def test_a_correction_changes_something_and_says_why(self) -> None:
        c = recorded(contact(note="Same"))
        for text, reason, code in (
            ("Same", "because", "amendment_changes_nothing"),
            ("New", "  ", "amendment_reason_required"),
            ("", "because", "contact_note_required"),
        ):
            with pytest.raises(InvalidValue) as refused:
                c.amend(
                    which=NoteField.NOTE,
                    text=text,
                    reason=reason,
                    by=LEAD,
                    at=AT,
                    amendment_id=uuid.uuid4(),
                )
            assert refused.value.code == code
        assert c.amendments == []

    def test_only_the_recorder_or_the_lead_corrects(self) -> None:
        c = recorded(contact())
        check_may_amend(c, practitioner_id=AUTHOR, lead_id=LEAD)
        check_may_amend(c, practitioner_id=LEAD, lead_id=LEAD)
        with pytest.raises(Forbidden) as refused:
            check_may_amend(c, practitioner_id=SOMEONE, lead_id=LEAD)
        assert refused.value.code == "contact_amendment_not_yours"


class TestNoContactFlag:
    CALENDAR = WorkingCalendar(frozenset())

    def test_counted_from_the_last_contact_or_else_the_request(self) -> None:
        monday = date(2025, 3, 3)
        assert no_contact_due_on(None, monday, days=5, calendar=self.CALENDAR) == date(2025, 3, 10)
        assert no_contact_due_on(date(2025, 3, 5), monday, days=5, calendar=self.CALENDAR) == date(
            2025, 3, 12
        )

    @given(
        last=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 1, 1)),
        days=st.integers(min_value=1, max_value=60),
    )
    def test_never_due_before_the_last_contact_nor_the_request(self, last: date, days: int) -> None:
        due = no_contact_due_on(last, REQUESTED, days=days, calendar=self.CALENDAR)
        assert due > max(last, REQUESTED)
