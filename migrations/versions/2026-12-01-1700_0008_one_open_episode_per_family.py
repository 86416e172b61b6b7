"""one open episode per family, held by the database as well as the service

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:00:00

The service refuses a second open episode for a family and locks the household while it checks
(tests/reliability/test_concurrency.py); this partial unique index makes the rule hold whatever
writes to the database, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = "stage <> 'closed'"


def upgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_episodes_family_id_open",
            ["family_id"],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_episodes_family_id_open",
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
