"""Contacts and their amendments: a page of an episode's contacts in two statements, whatever its
length (the contacts, then every amendment of the page's contacts)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.id_lists import one_of
from app.db.models import ContactAmendmentRow, ContactRow
from app.db.repositories.versioned import row_to_save
from app.domain.contacts import Amendment, Contact, ContactKind, NoteField
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import ContactFilter

_AMENDMENTS_OF = (
    select(*ContactAmendmentRow.__table__.columns)
    .where(one_of(ContactAmendmentRow.contact_id, "contact_ids"))
    .order_by(ContactAmendmentRow.contact_id, ContactAmendmentRow.number)
)


def _ids(values: Sequence[uuid.UUID]) -> list[str]:
    return [str(v) for v in values]


def _amendment(row: Any) -> Amendment:
    return Amendment(
        id=row.id,
        number=row.number,
        field=NoteField(row.field),
        text=row.text,
        previous_text=row.previous_text,
        reason=row.reason,
        amended_by=row.amended_by,
        amended_at=row.amended_at,
    )


def _contact(row: Any, amendments: list[Amendment]) -> Contact:
    return Contact(
        id=row.id,
        episode_id=row.episode_id,
        family_id=row.family_id,
        happened_on=row.happened_on,
        happened_at=row.happened_at,
        kind=ContactKind(row.kind),
        seen_person_ids=tuple(uuid.UUID(p) for p in row.seen_person_ids),
        children_seen_alone=tuple(uuid.UUID(p) for p in row.children_seen_alone),
        child_voice=row.child_voice,
        what_was_done=row.what_was_done,
        note=row.note,
        sensitive=row.sensitive,
        named_practitioner_ids=tuple(uuid.UUID(p) for p in row.named_practitioner_ids),
        significant=row.significant,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        amendments=amendments,
        version=row.version,
    )


_TIMELINE_COLUMNS = (
    ContactRow.id,
    ContactRow.episode_id,
    ContactRow.family_id,
    ContactRow.happened_on,
    ContactRow.happened_at,
    ContactRow.kind,
    ContactRow.seen_person_ids,
    ContactRow.children_seen_alone,
    ContactRow.sensitive,
    ContactRow.significant,
    ContactRow.recorded_by,
    ContactRow.recorded_at,
    ContactRow.version,
)
"""What a chronology entry says of a contact: never its notes, corrections or named readers."""


def _timeline_contact(row: Any) -> Contact:
    """A contact as the timeline reads it: its free text (note, child's voice, what was done),
    corrections and named readers are not read at all, so they come back empty."""
    return Contact(
        id=row.id,
        episode_id=row.episode_id,
        family_id=row.family_id,
        happened_on=row.happened_on,
        happened_at=row.happened_at,
        kind=ContactKind(row.kind),
        seen_person_ids=tuple(uuid.UUID(p) for p in row.seen_person_ids),
        children_seen_alone=tuple(uuid.UUID(p) for p in row.children_seen_alone),
        note="",
        sensitive=row.sensitive,
        significant=row.significant,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        version=row.version,
    )


class SqlContactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _hydrate(self, rows: Sequence[Any]) -> list[Contact]:
        """Contacts from rows of their columns, with every amendment in one statement."""
        if not rows:
            return []
        by_contact: dict[uuid.UUID, list[Amendment]] = {r.id: [] for r in rows}
        for row in self._session.connection().execute(
            _AMENDMENTS_OF, {"contact_ids": list(by_contact)}
        ):
            by_contact[row.contact_id].append(_amendment(row))
        return [_contact(r, by_contact[r.id]) for r in rows]

    def get(self, contact_id: uuid.UUID) -> Contact | None:
        row = (
            self._session.connection()
            .execute(select(*ContactRow.__table__.columns).where(ContactRow.id == contact_id))
            .first()
        )
        return self._hydrate([row])[0] if row is not None else None

    def add(self, contact: Contact, *, at: datetime) -> None:
        self._session.add(
            ContactRow(
                id=contact.id,
                episode_id=contact.episode_id,
                family_id=contact.family_id,
                happened_on=contact.happened_on,
                happened_at=contact.happened_at,
                kind=contact.kind.value,
                seen_person_ids=_ids(contact.seen_person_ids),
                children_seen_alone=_ids(contact.children_seen_alone),
                child_voice=contact.child_voice,
                what_was_done=contact.what_was_done,
                note=contact.note,
                sensitive=contact.sensitive,
                named_practitioner_ids=_ids(contact.named_practitioner_ids),
                significant=contact.significant,
                recorded_by=contact.recorded_by,
                recorded_at=contact.recorded_at,
                updated_at=at,
                version=contact.version,
            )
        )
        self._add_amendments(contact, stored=0)
        self._session.flush()

    def save(self, contact: Contact, *, at: datetime) -> None:
        """Only amendments are ever added: the contact's own columns are never rewritten."""
        row = row_to_save(self._session, ContactRow, contact.id, contact.version)
        stored = self._session.scalar(
            select(func.count())
            .select_from(ContactAmendmentRow)
            .where(ContactAmendmentRow.contact_id == contact.id)
        )
        self._add_amendments(contact, stored=stored or 0)
        row.updated_at = at
        # An amendment changes none of the contact's own columns: mark the row changed so the
        # mapper bumps its version even when `at` equals the time it was recorded (an import's
        # steps share one instant).
        flag_modified(row, "updated_at")
        self._session.flush()
        contact.version = row.version

    def _add_amendments(self, contact: Contact, *, stored: int) -> None:
        for a in contact.amendments[stored:]:
            self._session.add(
                ContactAmendmentRow(
                    id=a.id,
                    contact_id=contact.id,
                    number=a.number,
                    field=a.field.value,
                    text=a.text,
                    previous_text=a.previous_text,
                    reason=a.reason,
                    amended_by=a.amended_by,
                    amended_at=a.amended_at,
                )
            )

    def for_episode(
        self, episode_id: uuid.UUID, flt: ContactFilter, page: PageRequest
    ) -> Page[Contact]:
        after = page.after_key(date.fromisoformat, uuid.UUID)
        stmt = (
            select(*ContactRow.__table__.columns)
            .where(ContactRow.episode_id == episode_id)
            .order_by(ContactRow.happened_on, ContactRow.id)
            .limit(page.limit + 1)
        )
        if flt.kinds:
            stmt = stmt.where(ContactRow.kind.in_(sorted(k.value for k in flt.kinds)))
        if flt.happened_from is not None:
            stmt = stmt.where(ContactRow.happened_on >= flt.happened_from)
        if flt.happened_to is not None:
            stmt = stmt.where(ContactRow.happened_on <= flt.happened_to)
        if after is not None:
            day, last_id = after
            stmt = stmt.where(
                or_(
                    ContactRow.happened_on > day,
                    (ContactRow.happened_on == day) & (ContactRow.id > last_id),
                )
            )
        rows = list(self._session.connection().execute(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = (
            encode_cursor((rows[-1].happened_on.isoformat(), str(rows[-1].id))) if more else None
        )
        return Page(items=self._hydrate(rows), next_cursor=cursor)

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Contact]:
        if not episode_ids:
            return []
        rows = list(
            self._session.connection().execute(
                select(*ContactRow.__table__.columns)
                .where(ContactRow.episode_id.in_(list(episode_ids)))
                .order_by(ContactRow.happened_on, ContactRow.id)
            )
        )
        return self._hydrate(rows)

    def significant_for_episodes(
        self,
        episode_ids: Sequence[uuid.UUID],
        *,
        from_day: date | None = None,
        later_limit: int | None = None,
    ) -> list[Contact]:
        if not episode_ids:
            return []
        significant = select(*_TIMELINE_COLUMNS).where(
            ContactRow.episode_id.in_(list(episode_ids)), ContactRow.significant.is_(True)
        )
        order = (ContactRow.happened_on, ContactRow.id)
        later = significant.order_by(*order).limit(later_limit)
        rows: list[Any] = []
        if from_day is not None:
            # The cursor's day whole (its entries may sort either side of the cursor), then the
            # first `later_limit` after it.
            on_the_day = significant.where(ContactRow.happened_on == from_day).order_by(*order)
            rows = list(self._session.connection().execute(on_the_day))
            later = later.where(ContactRow.happened_on > from_day)
        rows += self._session.connection().execute(later)
        return [_timeline_contact(r) for r in rows]

    def get_many(self, contact_ids: Sequence[uuid.UUID]) -> list[Contact]:
        """Contacts by id, in the order lists show them (the offline sync's changed ones)."""
        if not contact_ids:
            return []
        rows = list(
            self._session.connection().execute(
                select(*ContactRow.__table__.columns)
                .where(ContactRow.id.in_(list(contact_ids)))
                .order_by(ContactRow.happened_on, ContactRow.id)
            )
        )
        return self._hydrate(rows)

    def last_contact_on(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date]:
        return last_contact_on(self._session, episode_ids)


def last_contact_on(session: Session, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date]:
    """Each episode's latest contact date, in one statement (the index's leading columns). An
    attempted visit is on the record but is not contact with the family: it does not count."""
    if not episode_ids:
        return {}
    rows = session.connection().execute(
        select(ContactRow.episode_id, func.max(ContactRow.happened_on))
        .where(
            ContactRow.episode_id.in_(list(dict.fromkeys(episode_ids))),
            ContactRow.kind != ContactKind.ATTEMPTED_VISIT.value,
        )
        .group_by(ContactRow.episode_id)
    )
    return {row[0]: row[1] for row in rows}
