"""Use cases for documents: upload, list, read, download and erase (issue 19 §4).

A document follows the access rules of the record it is attached to: each owner kind maps, in
`HOLDERS`, to the family or episode whose rules apply (a request for support or a contact is one
more entry there). Reading a document is reading that record, uploading one is writing it, and
both are audited as such. A sensitive document's content (and its title, description and name) is
for the lead, managers and the practitioners named on it (`may_read_sensitive`); others who read
the record see that it exists and when it is dated, nothing more. Only a manager erases one, with a
reason; the content goes, the fact (who, when, why, title) stays.

Content streams both ways in chunks: an upload is judged, hashed, measured and written a chunk at a
time, and a download reads a chunk per short transaction after the use case has decided and
committed its audit entries.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.domain.access import Action, RecordFacts, may_read_sensitive
from app.domain.documents import (
    Content,
    ContentSniffer,
    Document,
    OwnerKind,
    check_description,
    check_size,
    check_title,
    safe_filename,
)
from app.domain.errors import Conflict, Forbidden, InvalidValue
from app.domain.paging import Page, PageRequest
from app.domain.step_dates import happened_on
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor, Target, UseCase, hidden


@dataclass(frozen=True)
class Holder:
    """The family or episode whose access rules a document follows."""

    family_id: uuid.UUID | None
    episode_id: uuid.UUID | None

    @property
    def read(self) -> Action:
        return Action.READ_EPISODE if self.episode_id is not None else Action.READ_FAMILY

    @property
    def write(self) -> Action:
        return Action.WRITE_EPISODE if self.episode_id is not None else Action.WRITE_FAMILY

    def target(self, resource_type: str, resource_id: object = None) -> Target:
        if self.episode_id is not None:
            return Target.episode(self.episode_id, resource_type, resource_id)
        assert self.family_id is not None
        return Target.family(self.family_id, resource_type, resource_id)


HOLDERS: Mapping[OwnerKind, Callable[[UnitOfWork, uuid.UUID], Holder]] = MappingProxyType(
    {
        OwnerKind.FAMILY: lambda _uow, owner_id: Holder(family_id=owner_id, episode_id=None),
        OwnerKind.EPISODE: lambda _uow, owner_id: Holder(family_id=None, episode_id=owner_id),
        OwnerKind.CONTACT: lambda uow, owner_id: _contact_holder(uow, owner_id),
    }
)
"""Owner kind → the record whose rules apply. A contact's documents follow its episode's rules.
(A request for support's would follow the front door's rules, which are not a family's or an
episode's: requests take no documents.)"""


_NO_EPISODE = uuid.UUID(int=0)


def _contact_holder(uow: UnitOfWork, contact_id: uuid.UUID) -> Holder:
    """The contact's episode; for an unknown contact, an episode that does not exist, so the
    answer is the one for an unknown record, never a different one."""
    contact = uow.contacts.get(contact_id)
    return Holder(family_id=None, episode_id=contact.episode_id if contact else _NO_EPISODE)


def _holder(
    uow: UnitOfWork, kind: OwnerKind, owner_id: uuid.UUID, under_episode: uuid.UUID | None
) -> Holder:
    """The holder of `owner_id`; one named under an episode it is not part of (a contact of
    another episode) is answered like an unknown record."""
    holder = HOLDERS[kind](uow, owner_id)
    if under_episode is not None and holder.episode_id != under_episode:
        return Holder(family_id=None, episode_id=_NO_EPISODE)
    return holder


@dataclass(frozen=True)
class NewDocument:
    owner_kind: OwnerKind
    owner_id: uuid.UUID
    title: str
    description: str | None
    filename: str | None
    sensitive: bool
    visible_to: frozenset[uuid.UUID]
    dated_on: date | None
    under_episode: uuid.UUID | None = None
    """The episode the request named the owner under (a contact's), checked against it."""


@dataclass(frozen=True)
class DocumentView:
    """A document as one user may see it: `readable` is False for a sensitive document they may
    not open (its title, description, name and erasure reason are then withheld)."""

    document: Document
    readable: bool


@dataclass(frozen=True)
class Download:
    document: Document
    chunks: Iterator[bytes]


def _readable(uc: UseCase, record: RecordFacts | None, document: Document) -> bool:
    if not document.sensitive:
        return True
    assert record is not None
    return may_read_sensitive(
        uc.principal,
        record,
        episode_id=document.episode_id,
        named_practitioner_ids=document.visible_to,
        today=uc.today,
    )


def upload_document(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    new: NewDocument,
    content: Iterable[bytes],
    *,
    max_bytes: int,
) -> DocumentView:
    """Store a file on the record: judged from its bytes, measured and hashed as it streams in;
    nothing is kept if it is too large (413) or not of an accepted type (422)."""
    with UseCase(uow, clock, actor) as uc:
        holder = _holder(uow, new.owner_kind, new.owner_id, new.under_episode)
        record = uc.require(holder.write, holder.target("document"))
        assert record is not None
        title = check_title(new.title)
        description = check_description(new.description)
        dated_on = happened_on(new.dated_on, today=uc.today, field="dated_on")
        named = _named_practitioners(uow, new.visible_to, sensitive=new.sensitive)
        document_id = uuid.uuid4()
        stored = _store_content(uow, document_id, content, max_bytes=max_bytes)
        document = Document(
            id=document_id,
            family_id=record.family_id,
            episode_id=holder.episode_id,
            owner_kind=new.owner_kind,
            owner_id=new.owner_id,
            title=title,
            description=description,
            filename=safe_filename(new.filename, stored.doc_type),
            content=stored,
            sensitive=new.sensitive,
            # The uploader reads what they stored (while they read the record at all).
            visible_to=named | {actor.principal.practitioner_id} if new.sensitive else frozenset(),
            dated_on=dated_on,
            uploaded_at=uc.now,
            uploaded_by=actor.principal.practitioner_id,
        )
        uow.documents.add(document, at=uc.now)
        uc.identify(holder.write, document.id, record.family_id)
        uc.commit()
        return DocumentView(document, readable=True)


def _named_practitioners(
    uow: UnitOfWork, ids: frozenset[uuid.UUID], *, sensitive: bool
) -> frozenset[uuid.UUID]:
    if not ids:
        return frozenset()
    if not sensitive:
        raise InvalidValue(
            "Name readers only on a sensitive document: anyone who reads the record reads the"
            " others.",
            field="visible_to",
            code="document_readers_not_sensitive",
        )
    known = uow.practitioners.names(sorted(ids))
    if set(ids) - known.keys():
        raise InvalidValue(
            "There is no active practitioner with this id.",
            field="visible_to",
            code="practitioner_unknown",
        )
    return ids


def _store_content(
    uow: UnitOfWork, document_id: uuid.UUID, content: Iterable[bytes], *, max_bytes: int
) -> Content:
    sniffer = ContentSniffer()
    sha = hashlib.sha256()
    seq = 0
    for chunk in content:
        if not chunk:
            continue
        sniffer.feed(chunk)
        check_size(sniffer.size, limit=max_bytes)
        sha.update(chunk)
        uow.documents.add_chunk(document_id, seq, chunk)
        seq += 1
    doc_type = sniffer.finish()
    return Content(
        doc_type=doc_type, size_bytes=sniffer.size, sha256=sha.hexdigest(), chunk_count=seq
    )


def _open(uc: UseCase, document_id: uuid.UUID, resource_type: str) -> tuple[Document, bool]:
    """The document and whether this user may open its content; one answer (404 "no document")
    for an unknown id and for a document on a record the user may not read.

    The family is decided first (the routes declare READ_FAMILY: every reader of an episode reads
    its family), then the episode a document of one follows; both are audited.
    """
    document = uc.uow.documents.get(document_id)
    if document is None:
        # The declared decision is still taken and audited, against no record: hidden.
        uc.decide(Action.READ_FAMILY, Target.council(resource_type, document_id))
        raise hidden("document")
    decision, record = uc.decide(
        Action.READ_FAMILY, Target.family(document.family_id, resource_type, document_id)
    )
    if decision.allowed and document.episode_id is not None:
        decision, record = uc.decide(
            Action.READ_EPISODE, Target.episode(document.episode_id, resource_type, document_id)
        )
    if not decision.allowed:
        raise hidden("document")
    return document, _readable(uc, record, document)


def get_document(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: uuid.UUID
) -> DocumentView:
    """A document's details (what a user may not open of a sensitive one is withheld)."""
    with UseCase(uow, clock, actor) as uc:
        document, readable = _open(uc, document_id, "document")
        uc.commit()
        return DocumentView(document, readable)


def list_documents(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    owner_kind: OwnerKind,
    owner_id: uuid.UUID,
    page: PageRequest,
    *,
    under_episode: uuid.UUID | None = None,
) -> Page[DocumentView]:
    """The record's documents, latest dated first, erased ones included (as facts)."""
    with UseCase(uow, clock, actor) as uc:
        holder = _holder(uow, owner_kind, owner_id, under_episode)
        record = uc.require(holder.read, holder.target("document"))
        found = uow.documents.for_owner(owner_kind, owner_id, page)
        uc.commit()
        return Page(
            items=[DocumentView(d, _readable(uc, record, d)) for d in found.items],
            next_cursor=found.next_cursor,
        )


def download_document(
    uow: UnitOfWork,
    new_uow: Callable[[], UnitOfWork],
    clock: Clock,
    actor: Actor,
    document_id: uuid.UUID,
) -> Download:
    """Decide and audit the download, then hand back the content to stream a chunk at a time.

    The refusals come before the first byte: 404 for a document the user may not know of, 403
    (`document_sensitive`) for a sensitive one they see listed but may not open, 409 for one
    erased. The content is read after the decision is committed, a chunk per short transaction
    (`new_uow`), so a slow client holds no connection and no lock.
    """
    with UseCase(uow, clock, actor) as uc:
        document, readable = _open(uc, document_id, "document_content")
        if not readable:
            uc.record(
                "read_sensitive_document",
                Target.family(document.family_id, "document_content", document_id),
                allowed=False,
            )
            raise Forbidden(
                "This document is sensitive: only the lead professional, practitioners allocated"
                " to work the case, managers and the practitioners named on it may open it.",
                code="document_sensitive",
            )
        if document.erased:
            raise Conflict(
                "This document's content was erased; its record stays.",
                code="document_erased",
            )
        uc.commit()
    return Download(document, _chunks(new_uow, document))


class ContentVanished(RuntimeError):
    """The content was erased while it was being sent: the response is cut short (its length
    was promised), so the client cannot mistake a part for the whole."""


def _chunks(new_uow: Callable[[], UnitOfWork], document: Document) -> Iterator[bytes]:
    for seq in range(document.content.chunk_count):
        with new_uow() as uow:
            data = uow.documents.chunk(document.id, seq)
        if data is None:
            raise ContentVanished(str(document.id))
        yield data


def erase_document(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: uuid.UUID, *, reason: str
) -> DocumentView:
    """A manager erases a document's content, saying why; its record (who, when, why, title)
    stays. Someone who may read the document but is not a manager is refused (403); someone who
    may not read it gets the unknown-id answer."""
    with UseCase(uow, clock, actor) as uc:
        document, _readable_content = _open(uc, document_id, "document")
        uc.require(
            Action.ERASE_DOCUMENT, Target.family(document.family_id, "document", document_id)
        )
        document.erase(by=actor.principal.practitioner_id, at=uc.now, reason=reason)
        uow.documents.erase(document, at=uc.now)
        uc.commit()
        return DocumentView(document, readable=True)
