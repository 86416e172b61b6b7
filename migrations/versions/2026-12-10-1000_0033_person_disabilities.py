"""People: CIN census disabilities

Revision ID: 0033
Revises: 0028
Create Date: 2026-12-10 10:00:00

Issue 20 §1: the CIN census reports each child's disabilities as codes (NONE, MOB, HAND ... DDA);
the register held only a SEND yes/no. People stored before have none recorded (an empty list), which
the extract leaves blank rather than guessing NONE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("disabilities", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("people") as batch:
        batch.alter_column("disabilities", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("disabilities")
