"""dated steps: when each step happened, and when it was recorded

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00

Issue 18 §1. Assessment start and completion, plan submission, the QA decision and closure take
the date they happened from the request, and the server keeps when each was recorded beside it.
The happened dates were already columns (`assessments.started_on`, `completed_on`,
`family_plans.submitted_on`, `episodes.plan_submitted_on`, `closed_on`, `decided_on` in the QA
decisions); the episode now also keeps the day its assessment started, so that no later step is
dated before it.

Backfill, from what the rows tell exactly:
- `episodes.assessment_started_on`: the first assessment's `started_on`;
- `assessments.started_recorded_at`: the row's `created_at` (the draft is made when the start
  is recorded); `completed_recorded_at`: its `updated_at` once completed (a completed
  assessment never changes again);
- `episodes.closed_recorded_at`: a closed episode's `updated_at` (nothing changes it after).
Plan submissions and QA decisions recorded before this revision stay without a recorded
timestamp (null): the rows changed again after them, so their time is not known.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("episodes", sa.Column("assessment_started_on", sa.Date(), nullable=True))
    op.add_column("episodes", sa.Column("plan_submitted_recorded_at", _INSTANT, nullable=True))
    op.add_column("episodes", sa.Column("closed_recorded_at", _INSTANT, nullable=True))
    op.add_column("assessments", sa.Column("started_recorded_at", _INSTANT, nullable=True))
    op.add_column("assessments", sa.Column("completed_recorded_at", _INSTANT, nullable=True))
    op.add_column("family_plans", sa.Column("submitted_recorded_at", _INSTANT, nullable=True))

    op.execute(
        "UPDATE episodes SET assessment_started_on = (SELECT a.started_on FROM assessments a "
        "WHERE a.episode_id = episodes.id AND a.number = 1)"
    )
    op.execute("UPDATE assessments SET started_recorded_at = created_at")
    op.execute(
        "UPDATE assessments SET completed_recorded_at = updated_at WHERE completed_on IS NOT NULL"
    )
    op.execute("UPDATE episodes SET closed_recorded_at = updated_at WHERE closed_on IS NOT NULL")


def downgrade() -> None:
    op.drop_column("family_plans", "submitted_recorded_at")
    op.drop_column("assessments", "completed_recorded_at")
    op.drop_column("assessments", "started_recorded_at")
    op.drop_column("episodes", "closed_recorded_at")
    op.drop_column("episodes", "plan_submitted_recorded_at")
    op.drop_column("episodes", "assessment_started_on")
