"""security events index: access changes and break-glass reads in the audit trail, by period

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00

The managers' security events report reads role grants and revocations, activation changes and
break-glass reads of a period, newest first. They are a handful among every access the council
makes, so a partial index holds only them, in the report's order (id) with the time the
period is judged on. The predicate is repeated word for word by the report's query: SQLite uses a
partial index only then. On PostgreSQL the index is built concurrently: every request appends to
this table, and a plain CREATE INDEX would hold the appends (and so every request) until it ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "ix_audit_entries_security_events"
ACCESS_CHANGE_ACTIONS = (
    "deactivate_practitioner",
    "grant_role:admin",
    "grant_role:auditor",
    "grant_role:link_worker",
    "grant_role:manager",
    "grant_role:practitioner",
    "grant_role:quality_assurance",
    "grant_role:reporting",
    "reactivate_practitioner",
    "revoke_role:admin",
    "revoke_role:auditor",
    "revoke_role:link_worker",
    "revoke_role:manager",
    "revoke_role:practitioner",
    "revoke_role:quality_assurance",
    "revoke_role:reporting",
)
SECURITY_EVENT = "action IN ({}) OR break_glass_reason IS NOT NULL".format(
    ", ".join(f"'{a}'" for a in ACCESS_CHANGE_ACTIONS)
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index(
                NAME,
                "audit_entries",
                ["id", "occurred_at"],
                unique=False,
                postgresql_where=sa.text(SECURITY_EVENT),
                postgresql_concurrently=True,
            )
    else:
        op.create_index(
            NAME,
            "audit_entries",
            ["id", "occurred_at"],
            unique=False,
            sqlite_where=sa.text(SECURITY_EVENT),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="audit_entries", postgresql_concurrently=True)
    else:
        op.drop_index(NAME, table_name="audit_entries")
