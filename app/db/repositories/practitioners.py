"""The practitioner directory."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, cast, delete, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.id_lists import one_of
from app.db.models import PractitionerHubRow, PractitionerRow
from app.db.repositories.versioned import row_to_save
from app.domain.access import Role
from app.domain.paging import Page, PageRequest, encode_cursor
from app.domain.practitioners import Practitioner
from app.services.ports import PractitionerFilter

_HUBS_OF = select(PractitionerHubRow.practitioner_id, PractitionerHubRow.hub_id).where(
    one_of(PractitionerHubRow.practitioner_id, "practitioner_ids")
)
"""Built once: the hubs of a page of practitioners (`search`)."""
_ONE_WITH_HUBS = (
    select(PractitionerRow, PractitionerHubRow.hub_id)
    .outerjoin(PractitionerHubRow, PractitionerHubRow.practitioner_id == PractitionerRow.id)
    .where(PractitionerRow.id == bindparam("practitioner_id"))
)
"""One practitioner and their hubs in one statement, a row per hub: every sign-in that misses the
cache asks for one."""
_MANY_WITH_HUBS = (
    select(*PractitionerRow.__table__.columns, PractitionerHubRow.hub_id.label("hub_id_of"))
    .outerjoin(PractitionerHubRow, PractitionerHubRow.practitioner_id == PractitionerRow.id)
    .where(one_of(PractitionerRow.id, "practitioner_ids"))
)
"""Several practitioners and their hubs in one statement, a row per hub, read as columns (no ORM
rows: these are only read): every episode read asks for its lead and its QA officers."""
_BY_EMAIL_WITH_HUBS = (
    select(*PractitionerRow.__table__.columns, PractitionerHubRow.hub_id.label("hub_id_of"))
    .outerjoin(PractitionerHubRow, PractitionerHubRow.practitioner_id == PractitionerRow.id)
    .where(PractitionerRow.email == bindparam("email"))
)
"""The same for a token whose subject is an email."""


class SqlPractitionerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _hubs(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
        found: dict[uuid.UUID, set[uuid.UUID]] = {i: set() for i in ids}
        if ids:
            for pid, hub in self._session.execute(_HUBS_OF, {"practitioner_ids": list(ids)}):
                found[pid].add(hub)
        return {k: frozenset(v) for k, v in found.items()}

    @staticmethod
    def _domain(row: Any, hubs: frozenset[uuid.UUID]) -> Practitioner:
        return Practitioner(
            id=row.id,
            name=row.name,
            email=row.email,
            agency_code=row.agency_code,
            roles=frozenset(Role(r) for r in row.roles),
            hub_ids=hubs,
            active=row.active,
            version=row.version,
            profession=row.profession,
            registered_social_worker=row.registered_social_worker,
            social_work_registration_number=row.social_work_registration_number,
        )

    def _many(self, rows: list[PractitionerRow]) -> list[Practitioner]:
        hubs = self._hubs([r.id for r in rows])
        return [self._domain(r, hubs[r.id]) for r in rows]

    def get(self, practitioner_id: uuid.UUID) -> Practitioner | None:
        found: PractitionerRow | None = None
        hubs: set[uuid.UUID] = set()
        for row, hub_id in self._session.execute(
            _ONE_WITH_HUBS, {"practitioner_id": practitioner_id}
        ):
            found = row
            if hub_id is not None:
                hubs.add(hub_id)
        return self._domain(found, frozenset(hubs)) if found is not None else None

    def get_by_email(self, email: str) -> Practitioner | None:
        """One statement with the hubs: a sign-in whose subject is an email and that misses the
        principal cache asks for it."""
        found = self._with_hubs(
            self._session.connection().execute(
                _BY_EMAIL_WITH_HUBS, {"email": email.strip().lower()}
            )
        )
        return next(iter(found.values()), None)

    def _with_hubs(self, rows: Any) -> dict[uuid.UUID, Practitioner]:
        """Practitioners from rows of their columns and one hub each (`hub_id_of`)."""
        found: dict[uuid.UUID, Any] = {}
        hubs: dict[uuid.UUID, set[uuid.UUID]] = {}
        for row in rows:
            found.setdefault(row.id, row)
            of = hubs.setdefault(row.id, set())
            if row.hub_id_of is not None:
                of.add(row.hub_id_of)
        return {i: self._domain(r, frozenset(hubs[i])) for i, r in found.items()}

    def get_many(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Practitioner]:
        if not practitioner_ids:
            return {}
        return self._with_hubs(
            self._session.connection().execute(
                _MANY_WITH_HUBS, {"practitioner_ids": list(dict.fromkeys(practitioner_ids))}
            )
        )

    def names(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Just the names, in one statement: what a report needs beside ids."""
        if not practitioner_ids:
            return {}
        rows = self._session.execute(
            select(PractitionerRow.id, PractitionerRow.name).where(
                PractitionerRow.id.in_(set(practitioner_ids))
            )
        )
        return dict(rows.all())

    def add(self, practitioner: Practitioner, *, at: datetime) -> None:
        row = PractitionerRow(id=practitioner.id, created_at=at, updated_at=at)
        self._apply(row, practitioner)
        self._session.add(row)
        self._session.flush()
        self._set_hubs(practitioner)
        practitioner.version = row.version

    def save(self, practitioner: Practitioner, *, at: datetime) -> None:
        row = row_to_save(self._session, PractitionerRow, practitioner.id, practitioner.version)
        self._apply(row, practitioner)
        row.updated_at = at
        flag_modified(row, "updated_at")
        self._session.flush()
        self._set_hubs(practitioner)
        self._session.flush()
        practitioner.version = row.version

    @staticmethod
    def _apply(row: PractitionerRow, p: Practitioner) -> None:
        row.name = p.name
        row.email = p.email
        row.agency_code = p.agency_code
        row.roles = sorted(r.value for r in p.roles)
        row.active = p.active
        row.profession = p.profession
        row.registered_social_worker = p.registered_social_worker
        row.social_work_registration_number = p.social_work_registration_number

    def _set_hubs(self, p: Practitioner) -> None:
        self._session.execute(
            delete(PractitionerHubRow).where(PractitionerHubRow.practitioner_id == p.id)
        )
        for hub in sorted(p.hub_ids):
            self._session.add(PractitionerHubRow(practitioner_id=p.id, hub_id=hub))
        self._session.flush()

    def search(self, flt: PractitionerFilter, page: PageRequest) -> Page[Practitioner]:
        stmt = (
            select(PractitionerRow)
            .order_by(PractitionerRow.name, PractitionerRow.id)
            .limit(page.limit + 1)
        )
        if not flt.include_inactive:
            stmt = stmt.where(PractitionerRow.active.is_(True))
        if flt.agency_code:
            stmt = stmt.where(PractitionerRow.agency_code == flt.agency_code)
        if flt.name:
            stmt = stmt.where(func.lower(PractitionerRow.name).contains(flt.name.lower()))
        if flt.hub_id:
            stmt = stmt.where(
                exists().where(
                    PractitionerHubRow.practitioner_id == PractitionerRow.id,
                    PractitionerHubRow.hub_id == flt.hub_id,
                )
            )
        after = page.after_key(str, uuid.UUID)
        if after is not None:
            name, pid = after
            stmt = stmt.where(
                (PractitionerRow.name > name)
                | ((PractitionerRow.name == name) & (PractitionerRow.id > pid))
            )
        if flt.role:
            # Roles are a short JSON list of quoted words; matching the quoted word works on both databases.
            stmt = stmt.where(cast(PractitionerRow.roles, String).like(f'%"{flt.role}"%'))
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        items = self._many(rows)
        return Page(
            items=items, next_cursor=encode_cursor((rows[-1].name, rows[-1].id)) if more else None
        )
