"""the disclosure log: information shared and decisions not to share, with their lawful basis

Revision ID: 0024
Revises: 0015
Create Date: 2026-12-09 17:00:00

Families First §3.4 item 20 (issue 20 §5): since CA 2004 s.16LA, consent is not the only lawful
basis for sharing, so each disclosure records its basis, and a decision not to share its reason.
A new table; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_type", sa.String(length=32), nullable=False),
        sa.Column("recipient_agency_code", sa.String(length=64), nullable=True),
        sa.Column("information", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("person_ids", sa.JSON(), nullable=False),
        sa.Column("lawful_basis", sa.String(length=32), nullable=True),
        sa.Column("lawful_basis_detail", sa.Text(), nullable=True),
        sa.Column("not_sharing_reason", sa.String(length=40), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("decided_by_practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('shared', 'not_shared')", name=op.f("ck_disclosures_decision")
        ),
        sa.CheckConstraint(
            "(decision = 'shared' AND lawful_basis IS NOT NULL AND not_sharing_reason IS NULL)"
            " OR (decision = 'not_shared' AND lawful_basis IS NULL"
            " AND not_sharing_reason IS NOT NULL)",
            name=op.f("ck_disclosures_basis_or_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_disclosures_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_disclosures_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_agency_code"],
            ["agencies.code"],
            name=op.f("fk_disclosures_recipient_agency_code_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_disclosures_decided_by_practitioner_id_practitioners"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_disclosures_recorded_by_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    op.create_index(
        "ix_disclosures_family_id_decided_on_id",
        "disclosures",
        ["family_id", "decided_on", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_disclosures_family_id_decided_on_id", table_name="disclosures")
    op.drop_table("disclosures")
