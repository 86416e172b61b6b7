"""sf policy recorded_on: the council's day each Supporting Families policy version was recorded

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-09 10:00:00

Issue 18 §5. A policy version dated back (`effective_from` in the past) changed the verdicts of
periods judged before it existed. A period is now judged by the versions known by its end, so
each version keeps the day it was recorded. Backfill: the UTC date of `created_at` (the only
record of when it was made; at most an hour off the council's day, in British Summer Time).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sf_policies", sa.Column("recorded_on", sa.Date(), nullable=True))
    policies = sa.table(
        "sf_policies",
        sa.column("version", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("recorded_on", sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(policies.c.version, policies.c.created_at)).all()
    for version, created_at in rows:
        made: datetime = created_at
        day = (made.astimezone(UTC) if made.tzinfo else made).date()
        connection.execute(
            policies.update().where(policies.c.version == version).values(recorded_on=day)
        )
    with op.batch_alter_table("sf_policies") as batch:
        batch.alter_column("recorded_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("sf_policies") as batch:
        batch.drop_column("recorded_on")
