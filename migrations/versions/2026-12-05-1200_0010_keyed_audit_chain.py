"""keyed audit chain: insert-only entries, HMAC seals, and triggers refusing changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:00:00

Each audit entry carried an unkeyed SHA-256 of the one before, which anyone with write access
could recompute after changing an entry. From here entries are insert-only rows with an
autoincrement id, and a sealer links them into a chain of HMACs made with a key the database
never holds (audit_seals); audit_head keeps the last sealed position and its MAC.

Entries already written keep their unkeyed links (previous_hash and entry_hash, now nullable):
their id is their old sequence, they are still checked by the old rule, and the head's hash
becomes the link the first keyed seal covers, so rewriting them breaks that seal.

Triggers refuse UPDATE and DELETE of audit entries and seals (and TRUNCATE on PostgreSQL). On
SQLite a later batch migration that rebuilds either table drops its triggers with it: recreate
them there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

AUDIT_TABLES = ("audit_entries", "audit_seals")
PG_FUNCTION = "audit_trail_is_insert_only"


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_family_id_sequence")
        batch_op.drop_index("ix_audit_entries_actor_id_sequence")
        batch_op.alter_column(
            "sequence", new_column_name="id", existing_type=sa.Integer()
        )
        batch_op.alter_column("previous_hash", existing_type=sa.String(64), nullable=True)
        batch_op.alter_column("entry_hash", existing_type=sa.String(64), nullable=True)
    if postgres:
        # What SERIAL would have made, numbering on from the entries already stored.
        op.execute("CREATE SEQUENCE audit_entries_id_seq OWNED BY audit_entries.id")
        op.execute(
            "ALTER TABLE audit_entries ALTER COLUMN id SET DEFAULT nextval('audit_entries_id_seq')"
        )
        op.execute(
            "SELECT setval('audit_entries_id_seq', COALESCE(MAX(id), 0) + 1, false)"
            " FROM audit_entries"
        )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_family_id_id", ["family_id", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_actor_id_id", ["actor_id", "id"], unique=False)

    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.alter_column("entry_hash", new_column_name="mac", existing_type=sa.String(64))

    op.create_table(
        "audit_seals",
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["audit_entries.id"],
            name=op.f("fk_audit_seals_entry_id_audit_entries"),
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_seals_entry_id")),
    )

    if postgres:
        op.execute(
            f"""
            CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit trail is insert-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in AUDIT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_update_or_delete BEFORE UPDATE OR DELETE ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
    else:
        for table in AUDIT_TABLES:
            for change in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table}"
                    f" BEGIN SELECT RAISE(ABORT, 'the audit trail is insert-only: {change} on"
                    f" {table} refused'); END"
                )


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    keyed = bind.execute(
        sa.text(
            "SELECT EXISTS (SELECT 1 FROM audit_entries WHERE entry_hash IS NULL)"
            " OR EXISTS (SELECT 1 FROM audit_seals)"
        )
    ).scalar()
    if keyed:
        # The unkeyed format cannot hold them without rewriting the trail: restore a backup.
        raise RuntimeError(
            "audit entries written since revision 0010 have no unkeyed hashes; downgrading"
            " would have to rewrite the audit trail, so it is refused"
        )
    if postgres:
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_update_or_delete ON {table}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    else:
        for table in AUDIT_TABLES:
            for change in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{change}")

    op.drop_table("audit_seals")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.alter_column("mac", new_column_name="entry_hash", existing_type=sa.String(64))

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_actor_id_id")
        batch_op.drop_index("ix_audit_entries_family_id_id")
    if postgres:
        op.execute("ALTER TABLE audit_entries ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE audit_entries_id_seq")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("entry_hash", existing_type=sa.String(64), nullable=False)
        batch_op.alter_column("previous_hash", existing_type=sa.String(64), nullable=False)
        batch_op.alter_column(
            "id", new_column_name="sequence", existing_type=sa.Integer()
        )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entries_family_id_sequence", ["family_id", "sequence"], unique=False
        )
        batch_op.create_index(
            "ix_audit_entries_actor_id_sequence", ["actor_id", "sequence"], unique=False
        )
