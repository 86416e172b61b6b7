"""a contact restriction remembers the household it was set in

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 13:00:00

A restriction (a domestic-abuse victim's refuge address) used to be judged against whichever
household the person was seen through, so leading an episode in a household made for the purpose
showed the details. The restriction now belongs to the person and remembers where it was set: its
open episodes' leads see the details. Existing restrictions are anchored to the household the
person joined first among those they still belong to (else the first they ever joined).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("restriction_family_id", sa.Uuid(), nullable=True))
    op.execute(
        """
        UPDATE people SET restriction_family_id = (
            SELECT m.family_id FROM memberships m
            WHERE m.person_id = people.id
            ORDER BY (CASE WHEN m.left_on IS NULL THEN 0 ELSE 1 END), m.joined_on, m.id
            LIMIT 1
        )
        WHERE contact_restricted
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("restriction_family_id")
