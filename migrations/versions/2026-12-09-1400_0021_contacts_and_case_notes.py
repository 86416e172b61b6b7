"""contacts and case notes

Revision ID: 0021
Revises: 0025
Create Date: 2026-12-09 14:00:00

Issue 19 §2. `contacts` holds each contact with a family on an episode as first recorded (its
free text is never updated); `contact_amendments` holds the corrections appended to it, each with
the text it replaced. The index on (episode_id, happened_on, id) serves the paged list and each
episode's latest contact (caseload, worklist).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0025"
branch_labels = None
depends_on = None

_KINDS = ("home_visit", "office", "school", "phone", "video", "message", "attempted_visit")
_FIELDS = ("note", "child_voice", "what_was_done")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("happened_at", sa.Time(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("seen_person_ids", sa.JSON(), nullable=False),
        sa.Column("children_seen_alone", sa.JSON(), nullable=False),
        sa.Column("child_voice", sa.Text(), nullable=True),
        sa.Column("what_was_done", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("named_practitioner_ids", sa.JSON(), nullable=False),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of("kind", _KINDS), name=op.f("ck_contacts_kind")),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_contacts_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_contacts_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["practitioners.id"],
            name=op.f("fk_contacts_recorded_by_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_episode_id_happened_on_id",
            ["episode_id", "happened_on", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_contacts_family_id"), ["family_id"], unique=False)

    op.create_table(
        "contact_amendments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("previous_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amended_by", sa.Uuid(), nullable=False),
        sa.Column("amended_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("field", _FIELDS), name=op.f("ck_contact_amendments_field")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_amendments_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["amended_by"],
            ["practitioners.id"],
            name=op.f("fk_contact_amendments_amended_by_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_amendments")),
        sa.UniqueConstraint(
            "contact_id", "number", name=op.f("uq_contact_amendments_contact_id_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("contact_amendments")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_family_id"))
        batch_op.drop_index("ix_contacts_episode_id_happened_on_id")
    op.drop_table("contacts")
