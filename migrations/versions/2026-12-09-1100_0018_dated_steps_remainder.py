"""dated steps, the rest, and views as they stood: recorded times of every step and clock

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-09 11:00:00

Issue 18 §1 (the remainder) and §2. The server keeps when each step was recorded beside when it
happened: a TAF member's leaving, a consent's withdrawal and a need's outcome get a column (a
joining, a consent given, a meeting and support delivered are rows made when they are recorded:
their `created_at` is that time). Each clock keeps when the step that started it was recorded and
when the one that met or stopped it was, so a report "known at" an earlier instant can be
reproduced. The episode keeps the day of every submission of its plan to QA, so its stage on any
past day can be told.

Backfill, from what the rows tell exactly:
- `episodes.plan_submissions`: the start days of its QA clocks and its latest submission day (a
  council that switched the QA turnaround off has only the latest);
- `taf_members.left_recorded_at`, `consents.withdrawn_recorded_at`: the row's `updated_at` once
  left or withdrawn (neither changes again after);
- clocks and outcomes recorded before this revision stay without recorded times (null): they
  count as known at every instant.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(
            sa.Column("plan_submissions", sa.JSON(), nullable=False, server_default="[]")
        )
    op.add_column("episode_deadlines", sa.Column("recorded_at", _INSTANT, nullable=True))
    op.add_column("episode_deadlines", sa.Column("ended_recorded_at", _INSTANT, nullable=True))
    op.add_column("taf_members", sa.Column("left_recorded_at", _INSTANT, nullable=True))
    op.add_column("consents", sa.Column("withdrawn_recorded_at", _INSTANT, nullable=True))
    op.add_column("family_needs", sa.Column("outcome_recorded_at", _INSTANT, nullable=True))

    op.execute("UPDATE taf_members SET left_recorded_at = updated_at WHERE left_on IS NOT NULL")
    op.execute(
        "UPDATE consents SET withdrawn_recorded_at = updated_at WHERE withdrawn_on IS NOT NULL"
    )
    _backfill_plan_submissions()
    with op.batch_alter_table("episodes") as batch:
        batch.alter_column("plan_submissions", server_default=None)


def _backfill_plan_submissions() -> None:
    bind = op.get_bind()
    submitted = {
        row.id: {_day(row.plan_submitted_on)}
        for row in bind.execute(
            sa.text("SELECT id, plan_submitted_on FROM episodes WHERE plan_submitted_on IS NOT NULL")
        )
    }
    clocks = bind.execute(
        sa.text(
            "SELECT episode_id, started_on FROM episode_deadlines "
            "WHERE kind = 'quality_assurance'"
        )
    )
    for row in clocks:
        submitted.setdefault(row.episode_id, set()).add(_day(row.started_on))
    episodes = sa.table("episodes", sa.column("id", sa.Uuid()), sa.column("plan_submissions", sa.JSON()))
    for episode_id, days in submitted.items():
        bind.execute(
            episodes.update()
            .where(episodes.c.id == sa.bindparam("episode_id", type_=sa.Uuid()))
            .values(plan_submissions=sa.bindparam("days", type_=sa.JSON())),
            {"episode_id": _uuid(episode_id), "days": sorted(days)},
        )


def _day(value: object) -> str:
    """An ISO day from a plain text query (SQLite answers text, PostgreSQL a date)."""
    return str(value)[:10]


def _uuid(value: object) -> object:
    """SQLite hands a Uuid column back as text through a plain text query."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def downgrade() -> None:
    op.drop_column("family_needs", "outcome_recorded_at")
    op.drop_column("consents", "withdrawn_recorded_at")
    op.drop_column("taf_members", "left_recorded_at")
    op.drop_column("episode_deadlines", "ended_recorded_at")
    op.drop_column("episode_deadlines", "recorded_at")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("plan_submissions")

