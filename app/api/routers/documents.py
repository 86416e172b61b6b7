"""Documents on a family's record: upload (multipart/form-data), list, read, download, erase.

An upload is read from the parsed form's spooled file a chunk at a time and a download is sent a
chunk at a time: neither holds a whole file in memory (docs/documents.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, NewUowDep, SettingsDep, UowDep
from app.api.etags import etag
from app.api.openapi import versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import ContactId, EpisodeId, FamilyId
from app.api.schemas.base import CaseDate
from app.api.schemas.documents import DocumentPage, DocumentRead, ErasureIn
from app.domain.access import Action
from app.domain.documents import CHUNK_BYTES, DocumentType, OwnerKind
from app.domain.errors import Conflict, Forbidden, InvalidValue, NotFound, TooLarge
from app.services import documents as service
from app.services.use_case import Actor

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


def _created(view: service.DocumentView, response: Response) -> DocumentRead:
    response.headers["Location"] = f"/api/v1/documents/{view.document.id}"
    response.headers["ETag"] = etag(view.document.version)
    return DocumentRead.from_view(view)


def _upload(
    owner_kind: OwnerKind,
    owner_id: uuid.UUID,
    file: UploadFile,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Actor,
    *,
    title: str,
    description: str | None,
    dated_on: Any,
    sensitive: bool,
    visible_to: list[uuid.UUID] | None,
    under_episode: uuid.UUID | None = None,
) -> service.DocumentView:
    return service.upload_document(
        uow,
        clock,
        actor,
        service.NewDocument(
            owner_kind=owner_kind,
            owner_id=owner_id,
            title=title,
            description=description,
            filename=file.filename,
            sensitive=sensitive,
            visible_to=frozenset(visible_to or ()),
            dated_on=dated_on,
            under_episode=under_episode,
        ),
        _chunks(file.file),
        max_bytes=settings.document_max_bytes,
    )


@router.post(
    "/families/{family_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=UPLOAD_RESPONSES,
    operation_id="uploadFamilyDocument",
)
def upload_family_document(
    family_id: FamilyId,
    file: UploadedFile,
    title: Title,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    description: Description = None,
    dated_on: DatedOn = None,
    sensitive: Sensitive = False,
    visible_to: VisibleTo = None,
) -> DocumentRead:
    """Attach a file to the family's record (multipart/form-data)."""
    view = _upload(
        OwnerKind.FAMILY,
        family_id,
        file,
        uow,
        clock,
        settings,
        actor,
        title=title,
        description=description,
        dated_on=dated_on,
        sensitive=sensitive,
        visible_to=visible_to,
    )
    return _created(view, response)


@router.post(
    "/episodes/{episode_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=UPLOAD_RESPONSES,
    operation_id="uploadEpisodeDocument",
)
def upload_episode_document(
    episode_id: EpisodeId,
    file: UploadedFile,
    title: Title,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    description: Description = None,
    dated_on: DatedOn = None,
    sensitive: Sensitive = False,
    visible_to: VisibleTo = None,
) -> DocumentRead:
    """Attach a file to an episode (multipart/form-data)."""
    view = _upload(
        OwnerKind.EPISODE,
        episode_id,
        file,
        uow,
        clock,
        settings,
        actor,
        title=title,
        description=description,
        dated_on=dated_on,
        sensitive=sensitive,
        visible_to=visible_to,
    )
    return _created(view, response)


def _page(
    owner_kind: OwnerKind,
    owner_id: uuid.UUID,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Actor,
    limit: int,
    cursor: str | None,
    under_episode: uuid.UUID | None = None,
) -> DocumentPage:
    page = service.list_documents(
        uow,
        clock,
        actor,
        owner_kind,
        owner_id,
        page_request(limit, cursor),
        under_episode=under_episode,
    )
    link_next(request, response, page.next_cursor)
    return DocumentPage(
        items=[DocumentRead.from_view(v) for v in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/families/{family_id}/documents",
    response_model=DocumentPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listFamilyDocuments",
)
def list_family_documents(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DocumentPage:
    """The family's own documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.FAMILY, family_id, request, response, uow, clock, actor, limit, cursor)


@router.get(
    "/episodes/{episode_id}/documents",
    response_model=DocumentPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listEpisodeDocuments",
)
def list_episode_documents(
    episode_id: EpisodeId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DocumentPage:
    """The episode's documents, latest dated first (erased ones included, as facts)."""
    return _page(OwnerKind.EPISODE, episode_id, request, response, uow, clock, actor, limit, cursor)


@router.post(
    "/episodes/{episode_id}/contacts/{contact_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=UPLOAD_RESPONSES,
    operation_id="uploadContactDocument",
)
def upload_contact_document(
    episode_id: EpisodeId,
    contact_id: ContactId,
    file: UploadedFile,
    title: Title,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    description: Description = None,
    dated_on: DatedOn = None,
    sensitive: Sensitive = False,
    visible_to: VisibleTo = None,
) -> DocumentRead:
    """Attach a file to a contact (a signed form photographed on a visit): it follows the
    episode's rules (multipart/form-data)."""
    view = _upload(
        OwnerKind.CONTACT,
        contact_id,
        file,
        uow,
        clock,
        settings,
        actor,
        title=title,
        description=description,
        dated_on=dated_on,
        sensitive=sensitive,
        visible_to=visible_to,
        under_episode=episode_id,
    )
    return _created(view, response)


@router.get(
    "/episodes/{episode_id}/contacts/{contact_id}/documents",
    response_model=DocumentPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listContactDocuments",
)
def list_contact_documents(
    episode_id: EpisodeId,
    contact_id: ContactId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DocumentPage:
    """The contact's documents, latest dated first (erased ones included, as facts)."""
    return _page(
        OwnerKind.CONTACT,
        contact_id,
        request,
        response,
        uow,
        clock,
        actor,
        limit,
        cursor,
        under_episode=episode_id,
    )


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
