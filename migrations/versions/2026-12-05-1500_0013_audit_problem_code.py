"""audit entries say why a request allowed by the access rules then failed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 15:00:00

A write refused after the access check (a stale version, a step out of turn, a value out of
range) used to be recorded as allowed. Its entry now has the outcome `refused` (or `failed`) and
the problem's code. Added in place (ALTER TABLE ... ADD COLUMN on both databases), so SQLite keeps
the table and its triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("problem_code", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_entries", "problem_code")
