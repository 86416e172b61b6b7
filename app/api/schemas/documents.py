"""Documents on a family's record: their details as a user may see them, and an erasure."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import PageOf, ReadSchema, Schema
from app.domain.documents import MIN_ERASURE_REASON, DocumentType, OwnerKind
from app.services.documents import DocumentView

DOCUMENT = "a9c8e7d6-5b4a-4c3d-9e2f-1a0b9c8d7e6f"

DOCUMENT_READ = {
    "id": DOCUMENT,
    "owner_kind": "episode",
    "owner_id": ex.EPISODE,
    "family_id": ex.FAMILY,
    "episode_id": ex.EPISODE,
    "title": "Signed consent form",
    "description": "Scanned after the first home visit.",
    "filename": "consent-form.pdf",
    "doc_type": "pdf",
    "media_type": "application/pdf",
    "size_bytes": 184_220,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "sensitive": False,
    "withheld": False,
    "visible_to": [],
    "dated_on": "2026-03-02",
    "uploaded_at": "2026-03-03T09:14:00Z",
    "uploaded_by": ex.LEAD,
    "erased": False,
    "erased_at": None,
    "erased_by": None,
    "erasure_reason": None,
    "content_url": f"/api/v1/documents/{DOCUMENT}/content",
    "version": 1,
}
WITHHELD_READ = {
    **DOCUMENT_READ,
    "title": None,
    "description": None,
    "filename": None,
    "doc_type": None,
    "media_type": None,
    "size_bytes": None,
    "sha256": None,
    "sensitive": True,
    "withheld": True,
    "content_url": None,
}


class DocumentRead(ReadSchema):
    """A document's details. For a sensitive document the user may not open (`withheld`), what
    would tell its content (title, description, name, type, size, hash, named readers, erasure
    reason) is null: the user sees that it exists, who uploaded it and when it is dated."""

    model_config = ConfigDict(json_schema_extra=ex.examples(DOCUMENT_READ, WITHHELD_READ))

    id: uuid.UUID = Field(description="The document's id.")
    owner_kind: OwnerKind = Field(description="The kind of record it is attached to.")
    owner_id: uuid.UUID = Field(description="The id of the record it is attached to.")
    family_id: uuid.UUID | None = Field(
        description="The family whose record it is part of; null for a request for support's"
        " (it follows the request's rules, whatever the request became)."
    )
    episode_id: uuid.UUID | None = Field(description="The episode it belongs to, if any.")
    title: str | None = Field(description="Its title; null when withheld.")
    description: str | None = Field(description="What it is; null when none or withheld.")
    filename: str | None = Field(
        description="The safe name it downloads as (its extension follows the judged type)."
    )
    doc_type: DocumentType | None = Field(description="The type judged from its content.")
    media_type: str | None = Field(description="The Content-Type its content is sent with.")
    size_bytes: int | None = Field(description="Its size in bytes.")
    sha256: str | None = Field(description="The SHA-256 of its content, in hex.")
    sensitive: bool = Field(
        description="Only the lead professional, managers and named practitioners open it."
    )
    withheld: bool = Field(description="True when this user may not open this sensitive document.")
    visible_to: list[uuid.UUID] = Field(
        description="For a sensitive document: the practitioners named as its readers."
    )
    dated_on: date = Field(description="The date the document is dated (a letter's date).")
    uploaded_at: datetime = Field(description="When it was uploaded.")
    uploaded_by: uuid.UUID = Field(description="The practitioner who uploaded it.")
    erased: bool = Field(description="True once a manager has erased its content.")
    erased_at: datetime | None = Field(description="When its content was erased.")
    erased_by: uuid.UUID | None = Field(description="The manager who erased it.")
    erasure_reason: str | None = Field(description="Why it was erased; null when withheld.")
    content_url: str | None = Field(
        description="Where to download its content; null when erased or withheld."
    )
    version: int = Field(description="The record's version.")

    @classmethod
    def from_view(cls, view: DocumentView) -> DocumentRead:
        d = view.document
        shown = view.readable
        erasure = d.erasure
        return cls(
            id=d.id,
            owner_kind=d.owner_kind,
            owner_id=d.owner_id,
            family_id=d.family_id,
            episode_id=d.episode_id,
            title=d.title if shown else None,
            description=d.description if shown else None,
            filename=d.filename if shown else None,
            doc_type=d.content.doc_type if shown else None,
            media_type=d.content.doc_type.media_type if shown else None,
            size_bytes=d.content.size_bytes if shown else None,
            sha256=d.content.sha256 if shown else None,
            sensitive=d.sensitive,
            withheld=not shown,
            visible_to=sorted(d.visible_to, key=str) if shown else [],
            dated_on=d.dated_on,
            uploaded_at=d.uploaded_at,
            uploaded_by=d.uploaded_by,
            erased=erasure is not None,
            erased_at=erasure.erased_at if erasure else None,
            erased_by=erasure.erased_by if erasure else None,
            erasure_reason=erasure.reason if erasure and shown else None,
            content_url=f"/api/v1/documents/{d.id}/content" if shown and not erasure else None,
            version=d.version,
        )


class DocumentPage(PageOf[DocumentRead]):
    """One page of a record's documents."""


class ErasureIn(Schema):
    """Why a document is erased (a manager's decision, kept with the fact of the erasure)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"reason": "Uploaded to the wrong family's record by mistake."}
        )
    )

    reason: str = Field(
        min_length=1,
        max_length=2000,
        description=f"Why, in words ({MIN_ERASURE_REASON}+ characters besides spaces).",
    )
