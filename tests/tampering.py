"""What an attacker holding the database's superuser (or the SQLite file) can do to the audit
tables that the application's role cannot: change them past their insert-only triggers.

Done inside the test's transaction, so the rollback at the end of the test undoes it all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

AUDIT_TABLES = ("audit_entries", "audit_seals")


@contextmanager
def past_the_audit_triggers(connection: Connection) -> Iterator[None]:
    """PostgreSQL: triggers (and foreign keys) off for this session, as replication does.
    SQLite: the triggers dropped and foreign keys checked only at a commit that never comes."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name IN ('audit_entries', 'audit_seals')"
        )
    ).all()
    assert triggers, "the audit tables have no triggers to get past"
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    connection.execute(text("PRAGMA defer_foreign_keys = ON"))
    try:
        yield
    finally:
        for _name, sql in triggers:
            connection.execute(text(sql))


def entry_id_at(connection: Connection, sequence: int) -> int:
    """The id of the entry sealed at chain position `sequence`."""
    entry_id = connection.scalar(
        text("SELECT entry_id FROM audit_seals WHERE sequence = :s"), {"s": sequence}
    )
    assert entry_id is not None, f"nothing is sealed at {sequence}"
    return int(entry_id)


def cut_off_after(connection: Connection, sequence: int) -> None:
    """Delete every seal after `sequence` and the entries they sealed, and move the head back to
    `sequence`: what the old unkeyed chain could not notice at all."""
    mac = connection.scalar(
        text("SELECT mac FROM audit_seals WHERE sequence = :s"), {"s": sequence}
    )
    assert mac is not None
    with past_the_audit_triggers(connection):
        cut = (
            connection.execute(
                text("SELECT entry_id FROM audit_seals WHERE sequence > :s"), {"s": sequence}
            )
            .scalars()
            .all()
        )
        connection.execute(text("DELETE FROM audit_seals WHERE sequence > :s"), {"s": sequence})
        for entry_id in cut:
            connection.execute(text("DELETE FROM audit_entries WHERE id = :i"), {"i": entry_id})
    connection.execute(
        text("UPDATE audit_head SET sequence = :s, mac = :m WHERE id = 1"),
        {"s": sequence, "m": mac},
    )
