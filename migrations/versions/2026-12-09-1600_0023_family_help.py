"""family help: episode type and statutory basis, allocations, CIN census dates; practitioners'
profession and social work registration

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-09 16:00:00

Issue 20 §1-§2 (shared/domain/families-first.md §3.1 items 1-3, §3.2 items 7-9). One row per
episode in `episode_family_help`, written the first time anything Family Help happens to it (or at
opening on a council that runs Family Help); an episode without a row is early help with no
statutory basis, led by its lead professional, which is what every episode before this revision
was, so nothing is backfilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0018"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("practitioners") as batch:
        batch.add_column(sa.Column("profession", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column(
                "registered_social_worker",
                sa.Boolean(),
                nullable=False,
                server_default=sa.text("false"),
            )
        )
        batch.add_column(
            sa.Column("social_work_registration_number", sa.String(16), nullable=True)
        )
    op.create_table(
        "episode_family_help",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("episode_type", sa.String(16), nullable=False),
        sa.Column("statutory_basis", sa.String(8), nullable=False),
        sa.Column("transitions", sa.JSON(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("census_referral_on", sa.Date(), nullable=True),
        sa.Column("census_referral_source", sa.String(8), nullable=True),
        sa.Column("census_primary_need", sa.String(8), nullable=True),
        sa.Column("census_assessment_started_on", sa.Date(), nullable=True),
        sa.Column("census_assessment_authorised_on", sa.Date(), nullable=True),
        sa.Column("census_plan_started_on", sa.Date(), nullable=True),
        sa.Column("census_plan_ended_on", sa.Date(), nullable=True),
        sa.Column("census_closed_on", sa.Date(), nullable=True),
        sa.Column("census_closure_reason", sa.String(8), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.CheckConstraint(
            "episode_type IN ('early_help', 'family_help')",
            name=op.f("ck_episode_family_help_episode_type"),
        ),
        sa.CheckConstraint(
            "statutory_basis IN ('none', 's17', 's47')",
            name=op.f("ck_episode_family_help_statutory_basis"),
        ),
        sa.CheckConstraint(
            "episode_type = 'family_help' OR statutory_basis = 'none'",
            name=op.f("ck_episode_family_help_early_help_no_basis"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_episode_family_help_episode_id_episodes"),
        ),
        sa.PrimaryKeyConstraint("episode_id", name=op.f("pk_episode_family_help")),
    )
    op.create_index(
        "ix_episode_family_help_census",
        "episode_family_help",
        ["census_referral_on", "census_closed_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_episode_family_help_census", table_name="episode_family_help")
    op.drop_table("episode_family_help")
    with op.batch_alter_table("practitioners") as batch:
        batch.drop_column("social_work_registration_number")
        batch.drop_column("registered_social_worker")
        batch.drop_column("profession")
