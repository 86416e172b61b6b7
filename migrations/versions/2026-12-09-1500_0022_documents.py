"""documents: files on a family's record, their content in chunks

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 15:00:00

Issue 19 §4. A document is attached to a record (`owner_kind`, `owner_id`: a family or an episode
for now) and follows the access rules of the family and episode it belongs to (`family_id`,
`episode_id`). Its content is kept in `document_chunks`, 256 KB a row, written and read a chunk at
a time; the chunks' foreign key is checked at commit, since the document's row (type, size and
SHA-256) is written after its last chunk. An erased document keeps its row (who, when, why) and
loses its chunks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("visible_to", sa.JSON(), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("uploaded_at", _INSTANT, nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("erased_at", _INSTANT, nullable=True),
        sa.Column("erased_by", sa.Uuid(), nullable=True),
        sa.Column("erasure_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "owner_kind IN ('family', 'episode')", name=op.f("ck_documents_owner_kind")
        ),
        sa.CheckConstraint(
            "doc_type IN ('pdf', 'png', 'jpeg', 'docx', 'odt', 'text')",
            name=op.f("ck_documents_doc_type"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_documents_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_documents_episode_id_episodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        "ix_documents_owner_dated",
        "documents",
        ["owner_kind", "owner_id", "dated_on", "uploaded_at", "id"],
    )
    op.create_index("ix_documents_family_id_dated_on", "documents", ["family_id", "dated_on"])
    op.create_index(op.f("ix_documents_episode_id"), "documents", ["episode_id"])
    op.create_table(
        "document_chunks",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_chunks_document_id_documents"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("document_id", "seq", name=op.f("pk_document_chunks")),
    )


def downgrade() -> None:
    op.drop_table("document_chunks")
    op.drop_index(op.f("ix_documents_episode_id"), table_name="documents")
    op.drop_index("ix_documents_family_id_dated_on", table_name="documents")
    op.drop_index("ix_documents_owner_dated", table_name="documents")
    op.drop_table("documents")
