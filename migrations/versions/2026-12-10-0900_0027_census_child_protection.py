"""CIN census: s.47 enquiries and child protection plans of the child in need period

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-10 09:00:00

Issue 20 §1 (families-first.md R31): the CIN census reports a child's s.47 enquiries (start, whether
an initial conference was needed, its date) and child protection plans (start, end, categories of
abuse, review dates). They are kept on the episode's Family Help record, as its transitions and
allocations are; records stored before have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episode_family_help") as batch:
        batch.add_column(
            sa.Column(
                "census_s47_enquiries", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )
        batch.add_column(
            sa.Column("census_cp_plans", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("episode_family_help") as batch:
        batch.alter_column("census_s47_enquiries", server_default=None)
        batch.alter_column("census_cp_plans", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("episode_family_help") as batch:
        batch.drop_column("census_cp_plans")
        batch.drop_column("census_s47_enquiries")
