"""documents attached to a request for support

Revision ID: 0028
Revises: 0029
Create Date: 2026-12-10 01:00:00

Issue 19 §4: a document may be attached to a request for support (the referral letter), following
the request's own rules. Such a document is filed under no family (the request's household may be
registered only when it is screened), so `family_id` may be null, for a request's document only;
the owner kind's check gains `request`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0029"
branch_labels = None
depends_on = None

_OWNER_KIND = "ck_documents_owner_kind"
_FAMILY_UNLESS_REQUEST = "ck_documents_family_unless_request"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("family_id", existing_type=sa.Uuid(), nullable=True)
        batch.drop_constraint(op.f(_OWNER_KIND), type_="check")
        batch.create_check_constraint(
            op.f(_OWNER_KIND), "owner_kind IN ('family', 'episode', 'contact', 'request')"
        )
        batch.create_check_constraint(
            op.f(_FAMILY_UNLESS_REQUEST), "(owner_kind = 'request') = (family_id IS NULL)"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM document_chunks WHERE document_id IN "
        "(SELECT id FROM documents WHERE owner_kind = 'request')"
    )
    op.execute("DELETE FROM documents WHERE owner_kind = 'request'")
    if op.get_bind().dialect.name == "postgresql":
        # The chunks' foreign key is checked at commit; its pending checks would forbid altering
        # the table in this transaction: run them now.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f(_FAMILY_UNLESS_REQUEST), type_="check")
        batch.drop_constraint(op.f(_OWNER_KIND), type_="check")
        batch.create_check_constraint(
            op.f(_OWNER_KIND), "owner_kind IN ('family', 'episode', 'contact')"
        )
        batch.alter_column("family_id", existing_type=sa.Uuid(), nullable=False)
