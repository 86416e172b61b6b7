"""Contacts and case notes on the in-memory unit of work: recorded by the lead and TAF members in
one commit with their audit entry, a sensitive note's text withheld from readers the access rules
do not let read it, corrections appended only with the version they were based on."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.domain.contacts import ContactKind, NoteField
from app.domain.errors import Forbidden, NotFound, PreconditionRequired, StaleVersion
from app.domain.paging import PageRequest
from app.services import contacts
from app.services.ports import ContactFilter
from tests.unit.services.builders import (
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)


@pytest.fixture
def world() -> World:
    return given_world()


def visit(journey: Journey, who: str = "lead", **overrides: object) -> contacts.ContactView:
    fields: dict[str, object] = {
        "kind": ContactKind.HOME_VISIT,
        "note": "Mornings calmer.",
        "seen_person_ids": (journey.parent_id, journey.child_id),
        "children_seen_alone": (journey.child_id,),
    }
    fields.update(overrides)
    view = contacts.record_contact(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        journey.episode_id,
        contacts.NewContact(**fields),  # type: ignore[arg-type]
    )
    assert isinstance(view, contacts.ContactView)
    return view


def listed(journey: Journey, who: str, **flt: object) -> list[contacts.ContactView]:
    page = contacts.list_contacts(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        journey.episode_id,
        ContactFilter(**flt),  # type: ignore[arg-type]
        PageRequest(limit=50),
    )
    return page.items


class TestRecordingAContact:
    def test_the_lead_records_a_visit_in_one_commit_with_its_audit_entry(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept:
            view = visit(journey)
        stored = world.uow.committed.contacts[view.contact.id]
        assert (stored.happened_on, stored.recorded_by) == (world.today, world.people["lead"].id)
        assert stored.recorded_at == world.clock.now()
        assert outcomes(kept) == [("record_contact", "allowed", None)]
        assert kept[0].resource_id == str(view.contact.id)
        assert view.names[world.people["lead"].id] == "Lena Lead"
        assert [(c.seen, c.seen_alone) for c in view.children] == [(True, True)]

    def test_a_taf_member_records_and_a_stranger_is_refused_and_audited(self, world: World) -> None:
        journey = given_journey(world).open()
        journey.join("school")
        assert visit(journey, "school", kind=ContactKind.SCHOOL).contact.kind is ContactKind.SCHOOL
        with one_use_case(world) as kept, pytest.raises(NotFound):
            visit(journey, "stranger")
        assert outcomes(kept) == [("record_contact", "denied", None)]
        assert len(world.uow.committed.contacts) == 1


class TestSensitiveNotes:
    def test_an_unnamed_taf_member_sees_the_visit_without_its_words(self, world: World) -> None:
        journey = given_journey(world).open()
        journey.join("school")
        secret = visit(journey, note="Disclosed in confidence.", sensitive=True)
        plain = visit(
            journey,
            note="Routine call.",
            kind=ContactKind.PHONE,
            seen_person_ids=(),
            children_seen_alone=(),
        )
        seen = {v.contact.id: v.note_shown for v in listed(journey, "school")}
        assert seen == {secret.contact.id: False, plain.contact.id: True}
        assert {v.contact.id: v.note_shown for v in listed(journey, "manager")} == {
            secret.contact.id: True,
            plain.contact.id: True,
        }

    def test_a_named_taf_member_reads_it(self, world: World) -> None:
        journey = given_journey(world).open()
        journey.join("school")
        named = visit(journey, sensitive=True, named_practitioner_ids=(world.people["school"].id,))
        view = contacts.get_contact(
            world.uow, world.clock, journey.as_("school"), journey.episode_id, named.contact.id
        )
        assert view.note_shown


class TestListing:
    def test_filtered_by_kind_and_dates_in_day_order(self, world: World) -> None:
        journey = given_journey(world).open()
        world.later(7)
        late = visit(journey, kind=ContactKind.PHONE, seen_person_ids=(), children_seen_alone=())
        early = visit(journey, happened_on=world.today - timedelta(days=5))
        assert [v.contact.id for v in listed(journey, "lead")] == [
            early.contact.id,
            late.contact.id,
        ]
        phone = listed(journey, "lead", kinds=frozenset({ContactKind.PHONE}))
        assert [v.contact.id for v in phone] == [late.contact.id]
        recent = listed(journey, "lead", happened_from=world.today - timedelta(days=1))
        assert [v.contact.id for v in recent] == [late.contact.id]

    def test_another_episodes_contact_is_an_unknown_id(self, world: World) -> None:
        journey = given_journey(world).open()
        other = given_journey(world).open()
        theirs = visit(other)
        with pytest.raises(NotFound):
            contacts.get_contact(
                world.uow, world.clock, journey.as_("lead"), journey.episode_id, theirs.contact.id
            )


class TestAmendments:
    def amend(
        self, journey: Journey, contact_id: uuid.UUID, who: str, version: int | None
    ) -> contacts.ContactView:
        return contacts.amend_contact(
            journey.world.uow,
            journey.world.clock,
            journey.as_(who),
            journey.episode_id,
            contact_id,
            contacts.Correction(NoteField.NOTE, "Mornings much calmer.", "Her own words"),
            expected_version=version,
        )

    def test_a_correction_needs_the_version_it_was_based_on(self, world: World) -> None:
        journey = given_journey(world).open()
        saved = visit(journey)
        with pytest.raises(PreconditionRequired):
            self.amend(journey, saved.contact.id, "lead", None)
        with pytest.raises(StaleVersion):
            self.amend(journey, saved.contact.id, "lead", 7)
        with one_use_case(world) as kept:
            amended = self.amend(journey, saved.contact.id, "lead", 1)
        assert amended.contact.version == 2
        assert amended.contact.note == "Mornings calmer."
        assert amended.contact.amendments[0].previous_text == "Mornings calmer."
        assert outcomes(kept) == [("record_contact", "allowed", None)]

    def test_another_taf_member_is_refused_and_it_is_kept_as_refused(self, world: World) -> None:
        journey = given_journey(world).open()
        journey.join("school")
        saved = visit(journey)
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            self.amend(journey, saved.contact.id, "school", 1)
        assert outcomes(kept) == [("record_contact", "refused", "contact_amendment_not_yours")]
        assert world.uow.committed.contacts[saved.contact.id].amendments == []
