"""documents attached to a contact

Revision ID: 0026
Revises: 0017
Create Date: 2026-12-09 19:00:00

Issue 19 §4: a document may be attached to a contact (a photo of a signed form taken on a home
visit), following the rules of the contact's episode. The owner kind's check gains `contact`.
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0017"
branch_labels = None
depends_on = None

_NAME = "ck_documents_owner_kind"


def _owner_kinds(kinds: str) -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f(_NAME), type_="check")
        batch.create_check_constraint(op.f(_NAME), f"owner_kind IN ({kinds})")


def upgrade() -> None:
    _owner_kinds("'family', 'episode', 'contact'")


def downgrade() -> None:
    op.execute("DELETE FROM document_chunks WHERE document_id IN "
               "(SELECT id FROM documents WHERE owner_kind = 'contact')")
    op.execute("DELETE FROM documents WHERE owner_kind = 'contact'")
    _owner_kinds("'family', 'episode'")
