"""Contacts and case notes: what happened between meetings, recorded on the episode.

Issue 19 §2. The lead professional and the Team Around the Family record each contact with the
family (a home visit, a call, a message, an attempted visit ...): when it happened, who was seen,
whether each child of the episode was seen and seen alone, the child's voice in their own words,
what was done, and a note. A note may be sensitive (who reads it is an access decision:
`app.domain.access.may_read_sensitive`) and may be marked significant for the family's
chronology.

A saved note is never changed silently: a correction appends an `Amendment` naming the field, the
new text, the text it replaces, who made it, when and why. The contact keeps its original text;
what it says now is the last amendment of each field (`current`).

Nothing here reads the clock: "today" and the instant of recording are the caller's.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from app.domain.calendar import WorkingCalendar
from app.domain.errors import Forbidden, IllegalTransition, InvalidValue
from app.domain.step_dates import check_step_date

MAX_NAMED_PRACTITIONERS = 20
"""Practitioners a sensitive note may name besides the lead: a handful, never a team list."""


class ContactKind(StrEnum):
    """How the practitioner and the family were in touch (issue 19 §2)."""

    HOME_VISIT = "home_visit"
    OFFICE = "office"
    SCHOOL = "school"
    PHONE = "phone"
    VIDEO = "video"
    MESSAGE = "message"
    ATTEMPTED_VISIT = "attempted_visit"
    """Nobody answered: a contact that saw no one, recorded so the attempt is on the record."""


class NoteField(StrEnum):
    """The free-text parts of a contact an amendment may correct."""

    NOTE = "note"
    CHILD_VOICE = "child_voice"
    WHAT_WAS_DONE = "what_was_done"


@dataclass(frozen=True)
class Amendment:
    """A correction appended to a saved contact: the original stays on the record."""

    id: uuid.UUID
    number: int
    """1, 2, ... in the order they were made."""
    field: NoteField
    text: str
    previous_text: str | None
    """What the field said before this amendment (the original, for the first of a field)."""
    reason: str
    amended_by: uuid.UUID
    amended_at: datetime


@dataclass
class Contact:
    """One contact with the family on an episode, as first recorded, with its amendments."""

    id: uuid.UUID
    episode_id: uuid.UUID
    family_id: uuid.UUID
    happened_on: date
    kind: ContactKind
    note: str
    recorded_by: uuid.UUID
    recorded_at: datetime
    happened_at: time | None = None
    seen_person_ids: tuple[uuid.UUID, ...] = ()
    children_seen_alone: tuple[uuid.UUID, ...] = ()
    child_voice: str | None = None
    what_was_done: str | None = None
    sensitive: bool = False
    named_practitioner_ids: tuple[uuid.UUID, ...] = ()
    """Besides the lead and managers, who reads a sensitive note (the recorder always does)."""
    significant: bool = False
    amendments: list[Amendment] = field(default_factory=list)
    version: int = 1

    def original(self, which: NoteField) -> str | None:
        """The field as first recorded."""
        if which is NoteField.NOTE:
            return self.note
        if which is NoteField.CHILD_VOICE:
            return self.child_voice
        return self.what_was_done

    def current(self, which: NoteField) -> str | None:
        """The field as it reads now: the text of its last amendment, else the original."""
        latest = next((a for a in reversed(self.amendments) if a.field is which), None)
        return latest.text if latest is not None else self.original(which)

    def amend(
        self,
        *,
        which: NoteField,
        text: str,
        reason: str,
        by: uuid.UUID,
        at: datetime,
        amendment_id: uuid.UUID,
    ) -> Amendment:
        """Append a correction; refuse one that changes nothing or gives no reason."""
        text = text.strip()
        reason = reason.strip()
        if which is NoteField.NOTE and not text:
            raise InvalidValue(
                "A note cannot be amended to nothing; say what it should read.",
                field="text",
                code="contact_note_required",
            )
        if not reason:
            raise InvalidValue(
                "Say why the record is corrected.", field="reason", code="amendment_reason_required"
            )
        previous = self.current(which)
        if (previous or "") == text:
            raise InvalidValue(
                f"The amendment leaves the {which.value} as it is.",
                field="text",
                code="amendment_changes_nothing",
            )
        amendment = Amendment(
            id=amendment_id,
            number=len(self.amendments) + 1,
            field=which,
            text=text,
            previous_text=previous,
            reason=reason,
            amended_by=by,
            amended_at=at,
        )
        self.amendments.append(amendment)
        return amendment


def record_contact(
    contact: Contact,
    *,
    today: date,
    requested_on: date,
    episode_open: bool,
    member_ids: Collection[uuid.UUID],
    child_ids: Collection[uuid.UUID],
) -> Contact:
    """Check a new contact against the rules of the record, and return it as it is kept.

    - Dated like every step (issue 18 §1): not after today, not before the episode was requested.
    - Only on an open episode: a closed one is never reopened (its notes may still be corrected).
    - Who was seen are members of the household (`member_ids`); seen alone are children of the
      episode (`child_ids`) who were seen; an attempted visit saw nobody.
    - A note is always written; a sensitive note names at most `MAX_NAMED_PRACTITIONERS`, and
      its recorder is always among them, so nobody writes a note they could not read back.
      Naming readers is meaningless for a note that is not sensitive, so it is refused.
    """
    if not episode_open:
        raise IllegalTransition(
            "A contact cannot be recorded on a closed episode; closed episodes are never "
            "reopened, so open a new episode linked to this one.",
            code="episode_closed",
        )
    check_step_date(
        contact.happened_on, today=today, field="happened_on", requested_on=requested_on
    )
    if not contact.note.strip():
        raise InvalidValue(
            "Write a note of the contact.", field="note", code="contact_note_required"
        )
    _check_people(contact, member_ids, child_ids)
    named = tuple(dict.fromkeys(contact.named_practitioner_ids))
    if named and not contact.sensitive:
        raise InvalidValue(
            "Only a sensitive note names who may read it.",
            field="named_practitioner_ids",
            code="contact_named_readers_without_sensitive",
        )
    if len(named) > MAX_NAMED_PRACTITIONERS:
        raise InvalidValue(
            f"A sensitive note names at most {MAX_NAMED_PRACTITIONERS} practitioners.",
            field="named_practitioner_ids",
            code="contact_too_many_named_readers",
        )
    if contact.sensitive and contact.recorded_by not in named:
        named = (*named, contact.recorded_by)
    contact.named_practitioner_ids = named
    contact.seen_person_ids = tuple(dict.fromkeys(contact.seen_person_ids))
    contact.children_seen_alone = tuple(dict.fromkeys(contact.children_seen_alone))
    return contact


def _check_people(
    contact: Contact, member_ids: Collection[uuid.UUID], child_ids: Collection[uuid.UUID]
) -> None:
    if contact.kind is ContactKind.ATTEMPTED_VISIT and contact.seen_person_ids:
        raise InvalidValue(
            "An attempted visit saw nobody: record who was seen on a contact that happened.",
            field="seen_person_ids",
            code="attempted_visit_saw_nobody",
        )
    for index, person_id in enumerate(contact.seen_person_ids):
        if person_id not in member_ids:
            raise InvalidValue(
                "Who was seen must be members of the household.",
                field=f"seen_person_ids[{index}]",
                code="contact_person_not_in_household",
            )
    seen = set(contact.seen_person_ids)
    for index, person_id in enumerate(contact.children_seen_alone):
        if person_id not in child_ids:
            raise InvalidValue(
                "Only a child of the episode is recorded as seen alone.",
                field=f"children_seen_alone[{index}]",
                code="contact_seen_alone_not_a_child",
            )
        if person_id not in seen:
            raise InvalidValue(
                "A child seen alone was seen: name them among who was seen too.",
                field=f"children_seen_alone[{index}]",
                code="contact_seen_alone_not_seen",
            )


@dataclass(frozen=True)
class ChildSeen:
    """Whether a child of the episode was seen at a contact, and seen alone."""

    person_id: uuid.UUID
    seen: bool
    seen_alone: bool


def children_seen(contact: Contact, child_ids: Sequence[uuid.UUID]) -> list[ChildSeen]:
    """For each child of the episode: seen, and seen alone, at this contact."""
    seen, alone = set(contact.seen_person_ids), set(contact.children_seen_alone)
    return [ChildSeen(c, c in seen, c in alone) for c in child_ids]


def check_may_amend(contact: Contact, *, practitioner_id: uuid.UUID, lead_id: uuid.UUID) -> None:
    """A note is corrected by whoever recorded it or by the episode's lead professional, who
    answers for the record; another TAF member asks one of them (the access rules have already
    let the user record contacts on the episode)."""
    if practitioner_id not in (contact.recorded_by, lead_id):
        raise Forbidden(
            "Only whoever recorded this contact, or the episode's lead professional, corrects it.",
            code="contact_amendment_not_yours",
        )


def no_contact_due_on(
    last_contact_on: date | None, requested_on: date, *, days: int, calendar: WorkingCalendar
) -> date:
    """The day an open episode with no contact since is flagged on the lead's worklist: `days`
    working days after the last contact, or after the request while there has been none
    (policy `no_contact_working_days`, default 20)."""
    start = requested_on if last_contact_on is None else max(last_contact_on, requested_on)
    return calendar.add_working_days(start, days)


def check_named_practitioners_known(
    named: Sequence[uuid.UUID], known: Collection[uuid.UUID]
) -> None:
    """A sensitive note names practitioners in the directory, not ids nobody holds."""
    for index, practitioner_id in enumerate(named):
        if practitioner_id not in known:
            raise InvalidValue(
                "Name practitioners from the directory (GET /api/v1/practitioners).",
                field=f"named_practitioner_ids[{index}]",
                code="contact_named_reader_unknown",
            )
