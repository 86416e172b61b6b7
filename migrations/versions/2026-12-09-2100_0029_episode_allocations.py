"""episode allocations as rows, for the access scope

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-09 21:00:00

Issue 20 §2: a lead child protection practitioner or co-worker allocated to an episode reads and
works it. Lists and searches are scoped in SQL, which cannot portably look inside the JSON list of
`episode_family_help.allocations`; `episode_allocations` holds one row per allocation (who, role,
from, until), written by the Family Help repository with the record. Existing allocations are
copied across.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "episode_allocations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_family_help.episode_id"],
            name=op.f("fk_episode_allocations_episode_id_episode_family_help"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_episode_allocations_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_allocations")),
    )
    assert table is not None
    op.create_index("ix_episode_allocations_episode_id", "episode_allocations", ["episode_id"])
    op.create_index(
        "ix_episode_allocations_practitioner_id_episode_id",
        "episode_allocations",
        ["practitioner_id", "episode_id"],
    )
    family_help = sa.table(
        "episode_family_help",
        sa.column("episode_id", sa.Uuid()),
        sa.column("allocations", sa.JSON()),
    )
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.UUID(a["id"]),
            "episode_id": episode_id,
            "practitioner_id": uuid.UUID(a["practitioner_id"]),
            "role": a["role"],
            "started_on": date.fromisoformat(a["started_on"]),
            "ended_on": date.fromisoformat(a["ended_on"]) if a.get("ended_on") else None,
        }
        for episode_id, allocations in op.get_bind().execute(
            sa.select(family_help.c.episode_id, family_help.c.allocations)
        )
        for a in allocations or []
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_episode_allocations_practitioner_id_episode_id", "episode_allocations")
    op.drop_index("ix_episode_allocations_episode_id", "episode_allocations")
    op.drop_table("episode_allocations")
