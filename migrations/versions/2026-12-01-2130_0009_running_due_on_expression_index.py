"""running clocks found through an expression index, which PostgreSQL keeps statistics on

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:30:00

Migration 0007 gave the running clocks a partial index on (due_on, id). PostgreSQL keeps no
statistics for a partial index, so it judged "running and due within five days" from the whole
table's due dates: 9,557 rows expected, 1,441 found in the benchmark's county. With that guess it
read all 62,000 episodes to join them (about 100 ms for the council's timeliness summary). An index
on the expression "due_on while the clock runs, else NULL" answers the same question and brings
its own statistics (1,574 expected), and the planner then looks the episodes up by key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RUNNING = "met_on IS NULL AND stopped_on IS NULL"
RUNNING_DUE_ON = f"(CASE WHEN {RUNNING} THEN due_on END)"


def upgrade() -> None:
    op.drop_index("ix_episode_deadlines_running_due_on_id", table_name="episode_deadlines")
    op.create_index(
        "ix_episode_deadlines_running_due_on_id",
        "episode_deadlines",
        [sa.text(RUNNING_DUE_ON), "id"],
        unique=False,
    )
    bind = op.get_bind()
    has_clocks = bind.execute(sa.text("SELECT EXISTS (SELECT 1 FROM episode_deadlines)")).scalar()
    if bind.dialect.name == "postgresql" and has_clocks:
        # The statistics are the point of the index: gather them now, not at the next autovacuum.
        # Not on an empty table: statistics of nothing misled the planner while the benchmark's
        # generator filled a new database (its lookups by episode ran at a third of the speed).
        op.execute("ANALYZE episode_deadlines")


def downgrade() -> None:
    op.drop_index("ix_episode_deadlines_running_due_on_id", table_name="episode_deadlines")
    op.create_index(
        "ix_episode_deadlines_running_due_on_id",
        "episode_deadlines",
        ["due_on", "id"],
        unique=False,
        sqlite_where=sa.text(RUNNING),
        postgresql_where=sa.text(RUNNING),
    )
