"""a person's identifiers by scheme, and why the consistent one is absent

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00

Families First §3.4 items 17-19: a collection of identifiers (NHS number, UPN, the council's own
child id, other) with verified flag, who verified it, source and when it was recorded, instead of
one hard-wired NHS number column; and a reason when the council's consistent identifier is absent.

Each existing `people.nhs_number` becomes the person's `nhs_number` entry (unverified, source
"migrated", recorded at the person's last update). An all-same-digit number ('0000000000') was a
placeholder the old check accepted: it is not carried over, and its person is marked
`pending_trace` instead. Downgrading copies the `nhs_number` entries back (placeholders are not
restored) and drops the rest.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_REASONS = (
    "identifier_absent_reason IS NULL OR identifier_absent_reason IN"
    " ('not_known_tracing_would_delay', 'withheld_more_detrimental_to_child',"
    " 'not_applicable', 'pending_trace')"
)


def upgrade() -> None:
    op.create_table(
        "person_identifiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('nhs_number', 'upn', 'la_child_id', 'other')",
            name=op.f("ck_person_identifiers_scheme"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_identifiers_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identifiers")),
        sa.UniqueConstraint(
            "person_id", "scheme", name=op.f("uq_person_identifiers_person_id_scheme")
        ),
    )
    op.create_index(
        "ix_person_identifiers_scheme_value", "person_identifiers", ["scheme", "value"]
    )
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("identifier_absent_reason", sa.String(64), nullable=True))
        batch.create_check_constraint("identifier_absent_reason", _REASONS)

    bind = op.get_bind()
    people = sa.table(
        "people",
        sa.column("id", sa.Uuid()),
        sa.column("nhs_number", sa.String()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("identifier_absent_reason", sa.String()),
    )
    identifiers = sa.table(
        "person_identifiers",
        sa.column("id", sa.Uuid()),
        sa.column("person_id", sa.Uuid()),
        sa.column("scheme", sa.String()),
        sa.column("value", sa.String()),
        sa.column("verified", sa.Boolean()),
        sa.column("source", sa.String()),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(people.c.id, people.c.nhs_number, people.c.updated_at).where(
            people.c.nhs_number.is_not(None)
        )
    ).all()
    carried = []
    placeholders = []
    for person_id, number, updated_at in rows:
        digits = "".join(ch for ch in number if ch.isdigit())
        if len(set(digits)) <= 1:
            placeholders.append(person_id)
            continue
        carried.append(
            {
                "id": uuid.uuid4(),
                "person_id": person_id,
                "scheme": "nhs_number",
                "value": digits,
                "verified": False,
                "source": "migrated",
                "recorded_at": updated_at,
            }
        )
    if carried:
        bind.execute(identifiers.insert(), carried)
    if placeholders:
        bind.execute(
            people.update()
            .where(people.c.id.in_(placeholders))
            .values(identifier_absent_reason="pending_trace")
        )
    with op.batch_alter_table("people") as batch:
        batch.drop_column("nhs_number")


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("nhs_number", sa.String(10), nullable=True))
    op.execute(
        """
        UPDATE people SET nhs_number = (
            SELECT i.value FROM person_identifiers i
            WHERE i.person_id = people.id AND i.scheme = 'nhs_number'
        )
        """
    )
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("identifier_absent_reason", type_="check")
        batch.drop_column("identifier_absent_reason")
    op.drop_index("ix_person_identifiers_scheme_value", table_name="person_identifiers")
    op.drop_table("person_identifiers")
