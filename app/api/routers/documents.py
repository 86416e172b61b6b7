"""Documents on a family's record: upload (multipart/form-data), list, read, download, erase.

An upload is read from the parsed form's spooled file a chunk at a time and a download is sent a
chunk at a time: neither holds a whole file in memory (docs/documents.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, NewUowDep, SettingsDep, UowDep
from app.api.etags import etag
from app.api.idempotency import Created, Idempotency, IdempotencyKey
from app.api.openapi import versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import ContactId, EpisodeId, FamilyId, RequestId
from app.api.schemas.base import CaseDate
from app.api.schemas.documents import DocumentPage, DocumentRead, ErasureIn
from app.domain.access import Action
from app.domain.documents import CHUNK_BYTES, DocumentType, OwnerKind
from app.domain.errors import Conflict, Forbidden, InvalidValue, NotFound, TooLarge
from app.services import documents as service
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor
from app.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["documents"])

DocumentId = Annotated[uuid.UUID, Path(description="The document's id.")]

UploadedFile = Annotated[
    UploadFile,
    File(
        description="The file: PDF, PNG, JPEG, Word (.docx), OpenDocument text (.odt) or plain"
        " text in UTF-8, judged from its content (not its name or Content-Type)."
    ),
]
Title = Annotated[str, Form(min_length=1, max_length=200, description="The document's title.")]
Description = Annotated[
    str | None, Form(max_length=2000, description="What the document is, and why it is here.")
]
DatedOn = Annotated[
    CaseDate | None,
    Form(description="The date the document is dated (a letter's date); today by default."),
]
Sensitive = Annotated[
    bool,
    Form(
        description="Only the lead professional, managers and the practitioners named in"
        " `visible_to` (and the uploader) may open it; others see only that it exists."
    ),
]
VisibleTo = Annotated[
    list[uuid.UUID] | None,
    Form(description="For a sensitive document: the practitioners who may also open it."),
]

UPLOAD_RESPONSES = {
    **problems.responses(NotFound, Forbidden, InvalidValue, TooLarge),
    **versioned(201),
}

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
CONTENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document's bytes, as an attachment.",
        "content": {
            t.media_type.split(";")[0]: {**_BINARY, "example": f"(the {t.value} file's bytes)"}
            for t in DocumentType
        },
    },
    **problems.responses(NotFound, Forbidden, Conflict),
}


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


@dataclass(frozen=True)
class UploadForm:
    """An upload's multipart form, the same on every record a document may be attached to."""

    file: UploadFile
    title: str
    description: str | None
    dated_on: date | None
    sensitive: bool
    visible_to: list[uuid.UUID] | None

    def fields(self) -> dict[str, Any]:
        """What the form says besides the content (whose hash joins them once it streams in),
        for the Idempotency-Key's fingerprint."""
        return {
            "title": self.title,
            "description": self.description,
            "filename": self.file.filename,
            "dated_on": self.dated_on,
            "sensitive": self.sensitive,
            "visible_to": sorted(str(p) for p in self.visible_to or ()),
        }


def _upload_form(
    file: UploadedFile,
    title: Title,
    description: Description = None,
    dated_on: DatedOn = None,
    sensitive: Sensitive = False,
    visible_to: VisibleTo = None,
) -> UploadForm:
    return UploadForm(file, title, description, dated_on, sensitive, visible_to)


UploadFormDep = Annotated[UploadForm, Depends(_upload_form)]


def _created(view: service.DocumentView) -> Created:
    return Created(
        body=DocumentRead.from_view(view),
        location=f"/api/v1/documents/{view.document.id}",
        etag=etag(view.document.version),
    )


@dataclass(frozen=True)
class _Uploading:
    """Everything an upload route is given besides its record: one body serves them all."""

    form: UploadForm
    uow: UnitOfWork
    clock: Clock
    settings: Settings
    idempotency: Idempotency


def _uploading(
    form: UploadFormDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency: IdempotencyKey,
) -> _Uploading:
    return _Uploading(form, uow, clock, settings, idempotency)


UploadingDep = Annotated[_Uploading, Depends(_uploading)]


def _upload(
    owner_kind: OwnerKind,
    owner_id: uuid.UUID,
    given: _Uploading,
    actor: Actor,
    *,
    under_episode: uuid.UUID | None = None,
) -> Response:
    form = given.form
    result = service.upload_document(
        given.uow,
        given.clock,
        actor,
        service.NewDocument(
            owner_kind=owner_kind,
            owner_id=owner_id,
            title=form.title,
            description=form.description,
            filename=form.file.filename,
            sensitive=form.sensitive,
            visible_to=frozenset(form.visible_to or ()),
            dated_on=form.dated_on,
            under_episode=under_episode,
        ),
        _chunks(form.file.file),
        max_bytes=given.settings.document_max_bytes,
        idempotency=given.idempotency.upload(actor, form.fields(), _created),
    )
    return given.idempotency.respond(result, _created)


@dataclass(frozen=True)
class _Listing:
    """Everything a list route is given besides its record."""

    request: Request
    response: Response
    uow: UnitOfWork
    clock: Clock
    limit: int
    cursor: str | None


def _listing(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> _Listing:
    return _Listing(request, response, uow, clock, limit, cursor)


ListingDep = Annotated[_Listing, Depends(_listing)]


def _page(
    owner_kind: OwnerKind,
    owner_id: uuid.UUID,
    given: _Listing,
    actor: Actor,
    *,
    under_episode: uuid.UUID | None = None,
) -> DocumentPage:
    page = service.list_documents(
        given.uow,
        given.clock,
        actor,
        owner_kind,
        owner_id,
        page_request(given.limit, given.cursor),
        under_episode=under_episode,
    )
    link_next(given.request, given.response, page.next_cursor)
    return DocumentPage(
        items=[DocumentRead.from_view(v) for v in page.items], next_cursor=page.next_cursor
    )


def _uploads(path: str, operation_id: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        path,
        status_code=201,
        response_model=DocumentRead,
        responses=UPLOAD_RESPONSES,
        operation_id=operation_id,
    )


def _lists(path: str, operation_id: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.get(
        path,
        response_model=DocumentPage,
        responses=problems.responses(NotFound, InvalidValue),
        operation_id=operation_id,
    )


@_uploads("/families/{family_id}/documents", "uploadFamilyDocument")
def upload_family_document(
    family_id: FamilyId,
    given: UploadingDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Attach a file to the family's record (multipart/form-data)."""
    return _upload(OwnerKind.FAMILY, family_id, given, actor)


@_lists("/families/{family_id}/documents", "listFamilyDocuments")
def list_family_documents(
    family_id: FamilyId,
    given: ListingDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> DocumentPage:
    """The family's own documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.FAMILY, family_id, given, actor)


@_uploads("/episodes/{episode_id}/documents", "uploadEpisodeDocument")
def upload_episode_document(
    episode_id: EpisodeId,
    given: UploadingDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Attach a file to an episode (multipart/form-data)."""
    return _upload(OwnerKind.EPISODE, episode_id, given, actor)


@_lists("/episodes/{episode_id}/documents", "listEpisodeDocuments")
def list_episode_documents(
    episode_id: EpisodeId,
    given: ListingDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> DocumentPage:
    """The episode's documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.EPISODE, episode_id, given, actor)


@_uploads("/episodes/{episode_id}/contacts/{contact_id}/documents", "uploadContactDocument")
def upload_contact_document(
    episode_id: EpisodeId,
    contact_id: ContactId,
    given: UploadingDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Attach a file to a contact (a signed form photographed on a visit): it follows the
    episode's rules (multipart/form-data)."""
    return _upload(OwnerKind.CONTACT, contact_id, given, actor, under_episode=episode_id)


@_lists("/episodes/{episode_id}/contacts/{contact_id}/documents", "listContactDocuments")
def list_contact_documents(
    episode_id: EpisodeId,
    contact_id: ContactId,
    given: ListingDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> DocumentPage:
    """The contact's documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.CONTACT, contact_id, given, actor, under_episode=episode_id)


@_uploads("/requests/{request_id}/documents", "uploadRequestDocument")
def upload_request_document(
    request_id: RequestId,
    given: UploadingDep,
    actor: Annotated[Actor, acting(Action.ATTACH_REQUEST_DOCUMENT)],
) -> Response:
    """Attach a file to a request for support (the referral letter): the front door and the
    referrer may; it follows the request's rules, before and after screening
    (multipart/form-data)."""
    return _upload(OwnerKind.REQUEST, request_id, given, actor)


@_lists("/requests/{request_id}/documents", "listRequestDocuments")
def list_request_documents(
    request_id: RequestId,
    given: ListingDep,
    actor: Annotated[Actor, acting(Action.READ_REQUEST)],
) -> DocumentPage:
    """The request's documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.REQUEST, request_id, given, actor)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentRead,
    responses=problems.responses(NotFound),
    operation_id="getDocument",
)
def get_document(
    document_id: DocumentId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> DocumentRead:
    """A document's details (a sensitive one's are withheld from those who may not open it)."""
    return DocumentRead.from_view(service.get_document(uow, clock, actor, document_id))


@router.get(
    "/documents/{document_id}/content",
    response_class=StreamingResponse,
    responses=CONTENT_RESPONSES,
    operation_id="downloadDocument",
)
def download_document(
    document_id: DocumentId,
    uow: UowDep,
    new_uow: NewUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> StreamingResponse:
    """The document's content, always as an attachment, streamed a chunk at a time."""
    download = service.download_document(uow, new_uow, clock, actor, document_id)
    document = download.document
    return StreamingResponse(
        download.chunks,
        media_type=document.content.doc_type.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Content-Length": str(document.content.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.delete(
    "/documents/{document_id}",
    response_model=DocumentRead,
    responses=problems.responses(NotFound, Forbidden, Conflict, InvalidValue),
    operation_id="eraseDocument",
)
def erase_document(
    document_id: DocumentId,
    body: ErasureIn,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.ERASE_DOCUMENT)],
) -> DocumentRead:
    """Erase a document's content (managers, with a reason); the fact of it stays listed."""
    view = service.erase_document(uow, clock, actor, document_id, reason=body.reason)
    return DocumentRead.from_view(view)
