"""bench indexes: running clocks, and clocks met or stopped after a day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:00:00

Measured with the county-sized benchmark (bench/RESULTS.md): the overdue list for one hub walked
the (due_on, id) index over every clock ever started (365,000 of 375,000 rows read and thrown
away, ~150 ms). The running clocks are a few per cent of the table, so they get a partial index in
the list's order; the clocks met or stopped after the day asked about (only for past days) are
found through partial indexes on met_on and stopped_on (partial, so that "still running" is
answered by the first index and not by these).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RUNNING = "met_on IS NULL AND stopped_on IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("episode_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_episode_deadlines_running_due_on_id",
            ["due_on", "id"],
            unique=False,
            sqlite_where=sa.text(RUNNING),
            postgresql_where=sa.text(RUNNING),
        )
        for column in ("met_on", "stopped_on"):
            batch_op.create_index(
                f"ix_episode_deadlines_{column}",
                [column],
                unique=False,
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
            )


def downgrade() -> None:
    with op.batch_alter_table("episode_deadlines", schema=None) as batch_op:
        for column in ("stopped_on", "met_on"):
            batch_op.drop_index(
                f"ix_episode_deadlines_{column}",
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
            )
        batch_op.drop_index(
            "ix_episode_deadlines_running_due_on_id",
            sqlite_where=sa.text(RUNNING),
            postgresql_where=sa.text(RUNNING),
        )
