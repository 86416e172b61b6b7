"""a child's family network outside the household, and family group decision-making

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-09 18:00:00

Families First §3.3 items 13-14 (issue 20 §3): network members (the person is kept in `people`,
so the contact restriction rules of household members apply to them), offers of FGDM or the
reason none was made, and the meetings with the plan the family made. New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "family_network_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("child_person_ids", sa.JSON(), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.Column("parental_responsibility", sa.Boolean(), nullable=False),
        sa.Column("agreed_role", sa.Text(), nullable=True),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= added_on",
            name=op.f("ck_family_network_members_ended_after_added"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_family_network_members_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_family_network_members_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_network_members")),
    )
    op.create_index(
        "ix_family_network_members_family_id_added_on",
        "family_network_members",
        ["family_id", "added_on"],
    )
    op.create_table(
        "fgdm_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("offered_to_person_ids", sa.JSON(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("not_offered_reason", sa.String(length=40), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('awaiting_answer', 'accepted', 'declined', 'not_offered')",
            name=op.f("ck_fgdm_offers_status"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_fgdm_offers_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_fgdm_offers_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_fgdm_offers_decided_by_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fgdm_offers")),
    )
    op.create_index(
        "ix_fgdm_offers_family_id_decided_on", "fgdm_offers", ["family_id", "decided_on"]
    )
    op.create_table(
        "fgdm_meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("meeting_type", sa.String(length=32), nullable=False),
        sa.Column("coordinator_name", sa.String(length=200), nullable=False),
        sa.Column("coordinator_independent", sa.Boolean(), nullable=False),
        sa.Column("private_family_time", sa.Boolean(), nullable=False),
        sa.Column("attendee_person_ids", sa.JSON(), nullable=False),
        sa.Column("attendee_practitioner_ids", sa.JSON(), nullable=False),
        sa.Column("family_plan", sa.Text(), nullable=True),
        sa.Column("plan_agreed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_fgdm_meetings_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["fgdm_offers.id"], name=op.f("fk_fgdm_meetings_offer_id_fgdm_offers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fgdm_meetings")),
    )
    op.create_index(
        "ix_fgdm_meetings_family_id_held_on", "fgdm_meetings", ["family_id", "held_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_fgdm_meetings_family_id_held_on", table_name="fgdm_meetings")
    op.drop_table("fgdm_meetings")
    op.drop_index("ix_fgdm_offers_family_id_decided_on", table_name="fgdm_offers")
    op.drop_table("fgdm_offers")
    op.drop_index(
        "ix_family_network_members_family_id_added_on", table_name="family_network_members"
    )
    op.drop_table("family_network_members")
