"""Migration 0014: each person's NHS number moves into their identifiers, and back on downgrade."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command

from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import alembic_config
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.identifiers import IdentifierAbsence, IdentifierScheme
from tests.integration.test_migrations import empty_database  # noqa: F401 (fixture)

BEFORE = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


_TEXT = (
    "given_name",
    "family_name",
    "given_name_key",
    "family_name_key",
    "given_name_soundex",
    "family_name_soundex",
    "nhs_number",
)
_PEOPLE_0013 = sa.table(
    "people",
    sa.column("id", sa.Uuid()),
    *(sa.column(name, sa.String()) for name in _TEXT),
    sa.column("date_of_birth", sa.Date()),
    sa.column("send", sa.Boolean()),
    sa.column("contact_restricted", sa.Boolean()),
    sa.column("restriction_visible_to", sa.JSON()),
    sa.column("version", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
"""The people table as migration 0013 left it (with its `nhs_number` column)."""


def _person(connection: sa.Connection, given: str, nhs_number: str | None) -> uuid.UUID:
    person_id = uuid.uuid4()
    connection.execute(
        _PEOPLE_0013.insert().values(
            id=person_id,
            given_name=given,
            family_name="Hughes",
            given_name_key=given.lower(),
            family_name_key="hughes",
            given_name_soundex="A100",
            family_name_soundex="H220",
            date_of_birth=date(2017, 6, 1),
            send=False,
            nhs_number=nhs_number,
            contact_restricted=False,
            restriction_visible_to=[],
            version=1,
            created_at=BEFORE,
            updated_at=BEFORE,
        )
    )
    return person_id


def test_existing_nhs_numbers_become_identifiers_and_placeholders_a_pending_trace(
    empty_database: str,  # noqa: F811
) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0013")
    engine = make_engine(empty_database)
    with engine.begin() as connection:
        ava = _person(connection, "Ava", "9434765919")
        zero = _person(connection, "Zoe", "0000000000")
        none = _person(connection, "Noah", None)
    command.upgrade(config, "head")

    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        people = uow.people.get_many([ava, zero, none])
    [identifier] = people[ava].identifiers
    assert (identifier.scheme, identifier.value, identifier.verified, identifier.source) == (
        IdentifierScheme.NHS_NUMBER,
        "9434765919",
        False,
        "migrated",
    )
    assert identifier.recorded_at == BEFORE
    assert people[ava].identifier_absent_reason is None
    assert people[zero].identifiers == ()
    assert people[zero].identifier_absent_reason is IdentifierAbsence.PENDING_TRACE
    assert (people[none].identifiers, people[none].identifier_absent_reason) == ((), None)

    command.downgrade(config, "0013")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT given_name, nhs_number FROM people"))
        back: dict[str, str | None] = dict(rows.tuples().all())
    engine.dispose()
    assert back == {"Ava": "9434765919", "Zoe": None, "Noah": None}
