"""external refs: the source system's id of each imported record

Revision ID: 0019
Revises: 0023
Create Date: 2026-12-09 12:00:00

Issue 18 §3. An import keeps, beside each record it creates (household, person, consent,
episode, TAF member), the id the old system gave it, unique per kind: running the same file
again finds the household and creates nothing twice, and an export names records by it.
A table of its own rather than a column on each: no existing row changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_refs",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("internal_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "external_ref", name=op.f("pk_external_refs")),
        sa.UniqueConstraint("kind", "internal_id", name=op.f("uq_external_refs_kind_internal_id")),
    )


def downgrade() -> None:
    op.drop_table("external_refs")
