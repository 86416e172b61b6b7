"""Shapes of contacts and case notes on an episode, and of the amendments that correct them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from pydantic import ConfigDict, Field, StrictBool

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, LongText, PageOf, ReadSchema, Schema, ShortText
from app.domain.contacts import Amendment, ContactKind, NoteField
from app.services.contacts import ContactView, Correction, NewContact

CONTACT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
AMENDMENT = "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e"

CONTACT_IN = {
    "happened_on": "2026-02-10",
    "happened_at": "16:30:00",
    "kind": "home_visit",
    "seen_person_ids": [ex.SARAH, ex.AVA],
    "children_seen_alone": [ex.AVA],
    "child_voice": "I like it when mum walks me to school.",
    "what_was_done": "Went through the morning routine chart with Sarah.",
    "note": "Home calm and tidy. Sarah says mornings are easier since the chart.",
    "sensitive": False,
    "significant": False,
}


class CaseContactCreate(Schema):
    """A contact with the family: when, how, who was seen, the child's voice, what was done."""

    model_config = ConfigDict(json_schema_extra=ex.examples(CONTACT_IN))

    happened_on: CaseDate | None = Field(
        default=None,
        description="The day it happened; today when left out. Not after today, nor before the"
        " episode was requested.",
    )
    happened_at: time | None = Field(
        default=None, description="The time it happened, when it matters (local time)."
    )
    kind: ContactKind = Field(description="How the practitioner and the family were in touch.")
    seen_person_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="Members of the household seen (none for an attempted visit).",
    )
    children_seen_alone: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="Children of the episode seen on their own (each also among those seen).",
    )
    child_voice: LongText | None = Field(
        default=None, description="What the child said, in their own words."
    )
    what_was_done: LongText | None = Field(default=None, description="What was done or agreed.")
    note: LongText = Field(min_length=1, description="The case note.")
    sensitive: StrictBool = Field(
        default=False,
        description="Only managers, the lead professional and the practitioners named read the"
        " text; others see that the contact happened.",
    )
    named_practitioner_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="For a sensitive note: who else reads it (the recorder always does).",
    )
    significant: StrictBool = Field(
        default=False, description="Shown in the family's chronology as a significant event."
    )

    def to_service(self) -> NewContact:
        return NewContact(
            kind=self.kind,
            note=self.note,
            happened_on=self.happened_on,
            happened_at=self.happened_at,
            seen_person_ids=tuple(self.seen_person_ids),
            children_seen_alone=tuple(self.children_seen_alone),
            child_voice=self.child_voice or None,
            what_was_done=self.what_was_done or None,
            sensitive=self.sensitive,
            named_practitioner_ids=tuple(dict.fromkeys(self.named_practitioner_ids)),
            significant=self.significant,
        )


class ContactAmendmentCreate(Schema):
    """A correction of a saved contact: the original stays on the record."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "field": "note",
                "text": "Home calm and tidy. Sarah says mornings are easier since the chart.",
                "reason": "The first note named the wrong child.",
            }
        )
    )

    field: NoteField = Field(description="The part corrected: note, child_voice, what_was_done.")
    text: LongText = Field(description="What it should read.")
    reason: ShortText = Field(description="Why it is corrected.")

    def to_service(self) -> Correction:
        return Correction(field=self.field, text=self.text, reason=self.reason)


class ContactAmendmentRead(ReadSchema):
    """A correction appended to a contact."""

    id: uuid.UUID = Field(description="The amendment's id.")
    number: int = Field(description="1, 2, ... in the order they were made.")
    field: NoteField = Field(description="The part corrected.")
    text: str = Field(description="What it reads from this amendment on.")
    previous_text: str | None = Field(
        description="What it read before (the original, for the first amendment of a part)."
    )
    reason: str = Field(description="Why it was corrected.")
    amended_by: uuid.UUID = Field(description="Who corrected it.")
    amended_by_name: str | None = Field(description="Their name in the directory.")
    amended_at: datetime = Field(description="When the correction was recorded.")

    @classmethod
    def from_domain(cls, a: Amendment, names: dict[uuid.UUID, str]) -> ContactAmendmentRead:
        return cls(
            id=a.id,
            number=a.number,
            field=a.field,
            text=a.text,
            previous_text=a.previous_text,
            reason=a.reason,
            amended_by=a.amended_by,
            amended_by_name=names.get(a.amended_by),
            amended_at=a.amended_at,
        )


class ChildSeenRead(ReadSchema):
    """Whether a child of the episode was seen at the contact, and seen alone."""

    person_id: uuid.UUID = Field(description="The child.")
    seen: bool = Field(description="Seen at this contact.")
    seen_alone: bool = Field(description="Seen on their own.")


CONTACT_READ = {
    "id": CONTACT,
    "episode_id": ex.EPISODE,
    "family_id": ex.FAMILY,
    "happened_on": "2026-02-10",
    "happened_at": "16:30:00",
    "kind": "home_visit",
    "seen_person_ids": [ex.SARAH, ex.AVA],
    "children": [{"person_id": ex.AVA, "seen": True, "seen_alone": True}],
    "sensitive": False,
    "significant": False,
    "withheld": False,
    "child_voice": "I like it when mum walks me to school.",
    "what_was_done": "Went through the morning routine chart with Sarah.",
    "note": "Home calm and tidy. Sarah says mornings are easier since the chart.",
    "named_practitioner_ids": [],
    "amendments": [
        {
            "id": AMENDMENT,
            "number": 1,
            "field": "note",
            "text": "Home calm and tidy. Sarah says mornings are easier since the chart.",
            "previous_text": "Home calm and tidy. Sarah says mornings are easier.",
            "reason": "Added what Sarah credited.",
            "amended_by": ex.LEAD,
            "amended_by_name": "Lena Lead",
            "amended_at": "2026-02-10T18:02:00Z",
        }
    ],
    "recorded_by": ex.LEAD,
    "recorded_by_name": "Lena Lead",
    "recorded_at": "2026-02-10T17:45:00Z",
    "version": 2,
}


class CaseContactRead(ReadSchema):
    """A contact as the reader may see it: a sensitive note's text is withheld (`withheld`) from
    everyone but managers, the lead professional and the practitioners it names."""

    model_config = ConfigDict(json_schema_extra=ex.examples(CONTACT_READ))

    id: uuid.UUID = Field(description="The contact's id.")
    episode_id: uuid.UUID = Field(description="The episode it was recorded on.")
    family_id: uuid.UUID = Field(description="The household.")
    happened_on: date = Field(description="The day it happened.")
    happened_at: time | None = Field(description="The time it happened, if recorded.")
    kind: ContactKind = Field(description="How the practitioner and the family were in touch.")
    seen_person_ids: list[uuid.UUID] = Field(description="Members of the household seen.")
    children: list[ChildSeenRead] = Field(
        description="Each child of the episode: seen, and seen alone."
    )
    sensitive: bool = Field(description="Whether the note is sensitive.")
    significant: bool = Field(description="Whether it is significant for the chronology.")
    withheld: bool = Field(
        description="True when the note is sensitive and this reader may not read its text: the"
        " note, child's voice, what was done, named readers and amendments are then null or empty."
    )
    child_voice: str | None = Field(description="What the child said, as it reads now.")
    what_was_done: str | None = Field(description="What was done, as it reads now.")
    note: str | None = Field(description="The case note as it reads now (null when withheld).")
    named_practitioner_ids: list[uuid.UUID] = Field(
        description="Who besides managers and the lead reads a sensitive note."
    )
    amendments: list[ContactAmendmentRead] = Field(
        description="Every correction, oldest first, each with the text it replaced."
    )
    recorded_by: uuid.UUID = Field(description="Who recorded it.")
    recorded_by_name: str | None = Field(description="Their name in the directory.")
    recorded_at: datetime = Field(description="When it was recorded.")
    version: int = Field(description="Its version: send it in If-Match to amend it.")

    @classmethod
    def from_domain(cls, view: ContactView) -> CaseContactRead:
        c = view.contact
        shown = view.note_shown
        return cls(
            id=c.id,
            episode_id=c.episode_id,
            family_id=c.family_id,
            happened_on=c.happened_on,
            happened_at=c.happened_at,
            kind=c.kind,
            seen_person_ids=list(c.seen_person_ids),
            children=[
                ChildSeenRead(person_id=s.person_id, seen=s.seen, seen_alone=s.seen_alone)
                for s in view.children
            ],
            sensitive=c.sensitive,
            significant=c.significant,
            withheld=not shown,
            child_voice=c.current(NoteField.CHILD_VOICE) if shown else None,
            what_was_done=c.current(NoteField.WHAT_WAS_DONE) if shown else None,
            note=c.current(NoteField.NOTE) if shown else None,
            named_practitioner_ids=list(c.named_practitioner_ids) if shown else [],
            amendments=[ContactAmendmentRead.from_domain(a, view.names) for a in c.amendments]
            if shown
            else [],
            recorded_by=c.recorded_by,
            recorded_by_name=view.names.get(c.recorded_by),
            recorded_at=c.recorded_at,
            version=c.version,
        )


class CaseContactPage(PageOf[CaseContactRead]):
    """A page of an episode's contacts, by the day they happened, then id."""
