"""`one_of`: a column matched against a list, the same rows on both databases, one SQL text on
PostgreSQL whatever the list's length (so psycopg parses it once and can prepare it)."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, select

from app.db.id_lists import one_of
from app.db.models import HubRow
from tests.builders import ReferenceData, Statements

_HUBS_AMONG = select(HubRow.code).where(one_of(HubRow.id, "hub_ids")).order_by(HubRow.code)


def test_only_the_listed_rows_are_found_for_every_length_of_list(
    connection: Connection, reference: ReferenceData
) -> None:
    by_code = sorted(reference.hubs.items())
    for length in range(len(by_code) + 1):
        listed = by_code[:length]
        found = connection.execute(_HUBS_AMONG, {"hub_ids": [i for _, i in listed]}).scalars()
        assert list(found) == [code for code, _ in listed]
    unknown = connection.execute(_HUBS_AMONG, {"hub_ids": [uuid.uuid4()]}).scalars()
    assert list(unknown) == []


def test_postgresql_is_sent_one_text_for_lists_of_any_length(
    connection: Connection, reference: ReferenceData, statements: Statements
) -> None:
    ids = list(reference.hubs.values())
    statements.seen.clear()
    connection.execute(_HUBS_AMONG, {"hub_ids": ids[:1]})
    connection.execute(_HUBS_AMONG, {"hub_ids": ids})
    one, many = statements.seen
    if connection.dialect.name == "postgresql":
        assert one == many
        assert "= ANY" in one
    else:
        assert one != many  # SQLite has no arrays: IN with a placeholder per value
        assert " IN (" in one
