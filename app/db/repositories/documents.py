"""Documents and their content in chunks: a chunk is written and read by a statement of its own,
so no statement, session or ORM identity map ever holds a whole file."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db.engine import bound_page_cache_for_content
from app.db.models import DocumentChunkRow, DocumentRow
from app.db.repositories.versioned import row_to_save
from app.domain.documents import Content, Document, DocumentType, Erasure, OwnerKind
from app.domain.errors import Conflict, StaleVersion
from app.domain.paging import Page, PageRequest, encode_cursor

_INSERT_CHUNK = insert(DocumentChunkRow)


def _domain(row: DocumentRow) -> Document:
    erasure = None
    if row.erased_at is not None:
        assert row.erased_by is not None
        assert row.erasure_reason is not None
        erasure = Erasure(
            erased_at=row.erased_at, erased_by=row.erased_by, reason=row.erasure_reason
        )
    return Document(
        id=row.id,
        family_id=row.family_id,
        episode_id=row.episode_id,
        owner_kind=OwnerKind(row.owner_kind),
        owner_id=row.owner_id,
        title=row.title,
        description=row.description,
        filename=row.filename,
        content=Content(
            doc_type=DocumentType(row.doc_type),
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            chunk_count=row.chunk_count,
        ),
        sensitive=row.sensitive,
        visible_to=frozenset(uuid.UUID(p) for p in row.visible_to),
        dated_on=row.dated_on,
        uploaded_at=row.uploaded_at,
        uploaded_by=row.uploaded_by,
        erasure=erasure,
        version=row.version,
    )


class SqlDocumentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, document_id: uuid.UUID) -> Document | None:
        row = self._session.get(DocumentRow, document_id)
        return None if row is None else _domain(row)

    def for_owner(
        self, owner_kind: OwnerKind, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        """Latest dated first, then latest uploaded, then id (ix_documents_owner_dated)."""
        stmt = (
            select(DocumentRow)
            .where(DocumentRow.owner_kind == owner_kind.value, DocumentRow.owner_id == owner_id)
            .order_by(
                DocumentRow.dated_on.desc(), DocumentRow.uploaded_at.desc(), DocumentRow.id.desc()
            )
            .limit(page.limit + 1)
        )
        after = page.after_key(date.fromisoformat, datetime.fromisoformat, uuid.UUID)
        if after is not None:
            on, at, did = after
            stmt = stmt.where(
                (DocumentRow.dated_on < on)
                | ((DocumentRow.dated_on == on) & (DocumentRow.uploaded_at < at))
                | (
                    (DocumentRow.dated_on == on)
                    & (DocumentRow.uploaded_at == at)
                    & (DocumentRow.id < did)
                )
            )
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = (
            encode_cursor(
                (rows[-1].dated_on.isoformat(), rows[-1].uploaded_at.isoformat(), rows[-1].id)
            )
            if more
            else None
        )
        return Page(items=[_domain(r) for r in rows], next_cursor=cursor)

    def every_for_family(self, family_id: uuid.UUID) -> list[Document]:
        """Every document of the family's record, erased ones included (for its chronology)."""
        rows = self._session.scalars(
            select(DocumentRow)
            .where(DocumentRow.family_id == family_id)
            .order_by(DocumentRow.dated_on, DocumentRow.id)
        )
        return [_domain(r) for r in rows]

    def for_owners(self, owner_kind: OwnerKind, owner_ids: list[uuid.UUID]) -> list[Document]:
        """Every document of these records, erased ones included (ix_documents_owner_dated)."""
        if not owner_ids:
            return []
        rows = self._session.scalars(
            select(DocumentRow)
            .where(DocumentRow.owner_kind == owner_kind.value, DocumentRow.owner_id.in_(owner_ids))
            .order_by(DocumentRow.dated_on, DocumentRow.id)
        )
        return [_domain(r) for r in rows]

    def add_chunk(self, document_id: uuid.UUID, seq: int, data: bytes) -> None:
        bound_page_cache_for_content(self._session)
        self._session.execute(_INSERT_CHUNK, {"document_id": document_id, "seq": seq, "data": data})

    def add(self, document: Document, *, at: datetime) -> None:  # noqa: ARG002
        row = DocumentRow(
            id=document.id,
            family_id=document.family_id,
            episode_id=document.episode_id,
            owner_kind=document.owner_kind.value,
            owner_id=document.owner_id,
            title=document.title,
            description=document.description,
            filename=document.filename,
            doc_type=document.content.doc_type.value,
            size_bytes=document.content.size_bytes,
            sha256=document.content.sha256,
            chunk_count=document.content.chunk_count,
            sensitive=document.sensitive,
            visible_to=sorted(str(p) for p in document.visible_to),
            dated_on=document.dated_on,
            uploaded_at=document.uploaded_at,
            uploaded_by=document.uploaded_by,
        )
        self._session.add(row)
        self._session.flush()
        document.version = row.version

    def chunk(self, document_id: uuid.UUID, seq: int) -> bytes | None:
        bound_page_cache_for_content(self._session)
        data: bytes | None = self._session.scalar(
            select(DocumentChunkRow.data).where(
                DocumentChunkRow.document_id == document_id, DocumentChunkRow.seq == seq
            )
        )
        return data

    def erase(self, document: Document, *, at: datetime) -> None:  # noqa: ARG002
        """Record the erasure, then delete the content. Two managers erasing at once: the
        second's compare-and-swap fails, and it is told the document was already erased."""
        assert document.erasure is not None
        try:
            row = row_to_save(self._session, DocumentRow, document.id, document.version)
            row.erased_at = document.erasure.erased_at
            row.erased_by = document.erasure.erased_by
            row.erasure_reason = document.erasure.reason
            self._session.flush()
        except (StaleVersion, StaleDataError) as exc:
            raise Conflict(
                "This document was already erased.", code="document_already_erased"
            ) from exc
        self._session.execute(
            delete(DocumentChunkRow).where(DocumentChunkRow.document_id == document.id)
        )
        document.version = row.version
