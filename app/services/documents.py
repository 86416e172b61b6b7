"""Use cases for documents: upload, list, read, download and erase (issue 19 §4).

A document follows the access rules of the record it is attached to: each owner kind maps, in
`HOLDERS`, to the record whose rules apply (a contact's to its episode; a request for support to
the request itself, judged by `decide_request`). Reading a document is reading that record,
uploading one is writing it, and both are audited as such. A sensitive document's content (and
its title, description and name) is for the lead, managers and the practitioners named on it
(`may_read_sensitive`); others who read the record see that it exists and when it is dated,
nothing more. Only a manager erases one, with a
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
from typing import Protocol

from app.domain.access import (
    Action,
    RecordFacts,
    RequestFacts,
    may_read_sensitive,
    may_read_sensitive_request_document,
)
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
from app.services.use_case import (
    Actor,
    IdempotentUpload,
    Replayed,
    Target,
    UseCase,
    hidden,
    run_idempotent_upload,
)


@dataclass(frozen=True)
class Reach:
    """What deciding on a document's record found: the family whose access log names the
    access, the family and episode the document is filed under, and whether this user opens a
    sensitive document there."""

    family_id: uuid.UUID | None
    document_family_id: uuid.UUID | None
    episode_id: uuid.UUID | None
    write: Action
    opens_sensitive: Callable[[Document], bool]

    def readable(self, document: Document) -> bool:
        return not document.sensitive or self.opens_sensitive(document)


class Holder(Protocol):
    """The record whose access rules a document follows, deciding a read or a write of it."""

    def reach(self, uc: UseCase, *, write: bool, resource_type: str) -> Reach: ...


@dataclass(frozen=True)
class RecordHolder:
    """A family or an episode: `decide`, on the family's record."""

    family_id: uuid.UUID | None
    episode_id: uuid.UUID | None

    def reach(self, uc: UseCase, *, write: bool, resource_type: str) -> Reach:
        if self.episode_id is not None:
            action = Action.WRITE_EPISODE if write else Action.READ_EPISODE
            target = Target.episode(self.episode_id, resource_type)
        else:
            assert self.family_id is not None
            action = Action.WRITE_FAMILY if write else Action.READ_FAMILY
            target = Target.family(self.family_id, resource_type)
        record = uc.require(action, target)
        assert record is not None
        return _record_reach(uc, record, self.episode_id, action)


def _record_reach(
    uc: UseCase, record: RecordFacts, episode_id: uuid.UUID | None, write: Action
) -> Reach:
    return Reach(
        family_id=record.family_id,
        document_family_id=record.family_id,
        episode_id=episode_id,
        write=write,
        opens_sensitive=lambda d: may_read_sensitive(
            uc.principal,
            record,
            episode_id=d.episode_id,
            named_practitioner_ids=d.visible_to,
            today=uc.today,
        ),
    )


@dataclass(frozen=True)
class RequestHolder:
    """A request for support: `decide_request`, the front door's rules, whatever the request
    became (its documents stay on it when screening opens an episode)."""

    request_id: uuid.UUID

    def reach(self, uc: UseCase, *, write: bool, resource_type: str) -> Reach:
        action = Action.ATTACH_REQUEST_DOCUMENT if write else Action.READ_REQUEST
        facts = uc.require_request(action, self.request_id, resource_type=resource_type)
        return _request_reach(uc, facts)


def _request_reach(uc: UseCase, facts: RequestFacts) -> Reach:
    return Reach(
        family_id=facts.family_id,
        document_family_id=None,
        episode_id=None,
        write=Action.ATTACH_REQUEST_DOCUMENT,
        opens_sensitive=lambda d: may_read_sensitive_request_document(
            uc.principal, facts, named_practitioner_ids=d.visible_to
        ),
    )


HOLDERS: Mapping[OwnerKind, Callable[[UnitOfWork, uuid.UUID], Holder]] = MappingProxyType(
    {
        OwnerKind.FAMILY: lambda _uow, owner_id: RecordHolder(family_id=owner_id, episode_id=None),
        OwnerKind.EPISODE: lambda _uow, owner_id: RecordHolder(family_id=None, episode_id=owner_id),
        OwnerKind.CONTACT: lambda uow, owner_id: _contact_holder(uow, owner_id),
        OwnerKind.REQUEST: lambda _uow, owner_id: RequestHolder(owner_id),
    }
)
"""Owner kind → the record whose rules apply. A contact's documents follow its episode's rules; a
request's follow the request's own (`decide_request`)."""


_NO_EPISODE = uuid.UUID(int=0)


def _contact_holder(uow: UnitOfWork, contact_id: uuid.UUID) -> Holder:
    """The contact's episode; for an unknown contact, an episode that does not exist, so the
    answer is the one for an unknown record, never a different one."""
    contact = uow.contacts.get(contact_id)
    return RecordHolder(family_id=None, episode_id=contact.episode_id if contact else _NO_EPISODE)


def _holder(
    uow: UnitOfWork, kind: OwnerKind, owner_id: uuid.UUID, under_episode: uuid.UUID | None
) -> Holder:
    """The holder of `owner_id`; one named under an episode it is not part of (a contact of
    another episode) is answered like an unknown record."""
    holder = HOLDERS[kind](uow, owner_id)
    if under_episode is not None and (
        not isinstance(holder, RecordHolder) or holder.episode_id != under_episode
    ):
        return RecordHolder(family_id=None, episode_id=_NO_EPISODE)
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


def upload_document(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    new: NewDocument,
    content: Iterable[bytes],
    *,
    max_bytes: int,
    idempotency: IdempotentUpload[DocumentView] | None = None,
) -> DocumentView | Replayed:
    """Store a file on the record: judged from its bytes, measured and hashed as it streams in;
    nothing is kept if it is too large (413) or not of an accepted type (422). A retry with the
    same Idempotency-Key and the same form and content stores nothing and gets the first answer."""
    with UseCase(uow, clock, actor) as uc:
        holder = _holder(uow, new.owner_kind, new.owner_id, new.under_episode)
        reach = holder.reach(uc, write=True, resource_type="document")
        return run_idempotent_upload(
            uc, idempotency, content, lambda chunks: _store(uc, reach, new, chunks, max_bytes)
        )


def _store(
    uc: UseCase, reach: Reach, new: NewDocument, content: Iterable[bytes], max_bytes: int
) -> tuple[DocumentView, str]:
    actor = uc.actor
    title = check_title(new.title)
    description = check_description(new.description)
    dated_on = happened_on(new.dated_on, today=uc.today, field="dated_on")
    named = _named_practitioners(uc.uow, new.visible_to, sensitive=new.sensitive)
    document_id = uuid.uuid4()
    stored = _store_content(uc.uow, document_id, content, max_bytes=max_bytes)
    document = Document(
        id=document_id,
        family_id=reach.document_family_id,
        episode_id=reach.episode_id,
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
    uc.uow.documents.add(document, at=uc.now)
    uc.identify(reach.write, document.id, reach.family_id)
    return DocumentView(document, readable=True), stored.sha256


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


def _open(uc: UseCase, document_id: uuid.UUID, resource_type: str) -> tuple[Document, Reach]:
    """The document and what this user reaches of it; one answer (404 "no document") for an
    unknown id and for a document on a record the user may not read.

    A family's, episode's or contact's document: the family is decided first (the routes declare
    READ_FAMILY: every reader of an episode reads its family), then the episode a document of one
    follows. A request's: the request's own rule, in place of the family's. All audited.
    """
    document = uc.uow.documents.get(document_id)
    if document is None:
        # The declared decision is still taken and audited, against no record: hidden.
        uc.decide(Action.READ_FAMILY, Target.council(resource_type, document_id))
        raise hidden("document")
    if document.owner_kind is OwnerKind.REQUEST:
        decision, facts = uc.decide_request(
            Action.READ_REQUEST,
            document.owner_id,
            resource_type=resource_type,
            resource_id=document_id,
            standing_for=Action.READ_FAMILY,
        )
        if not decision.allowed:
            raise hidden("document")
        assert facts is not None
        return document, _request_reach(uc, facts)
    assert document.family_id is not None
    decision, record = uc.decide(
        Action.READ_FAMILY, Target.family(document.family_id, resource_type, document_id)
    )
    if decision.allowed and document.episode_id is not None:
        decision, record = uc.decide(
            Action.READ_EPISODE, Target.episode(document.episode_id, resource_type, document_id)
        )
    if not decision.allowed:
        raise hidden("document")
    assert record is not None
    return document, _record_reach(uc, record, document.episode_id, Action.WRITE_FAMILY)


def get_document(
    uow: UnitOfWork, clock: Clock, actor: Actor, document_id: uuid.UUID
) -> DocumentView:
    """A document's details (what a user may not open of a sensitive one is withheld)."""
    with UseCase(uow, clock, actor) as uc:
        document, reach = _open(uc, document_id, "document")
        uc.commit()
        return DocumentView(document, reach.readable(document))


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
        reach = holder.reach(uc, write=False, resource_type="document")
        found = uow.documents.for_owner(owner_kind, owner_id, page)
        uc.commit()
        return Page(
            items=[DocumentView(d, reach.readable(d)) for d in found.items],
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
        document, reach = _open(uc, document_id, "document_content")
        if not reach.readable(document):
            uc.record(
                "read_sensitive_document",
                Target("document_content", str(document_id), family_id=reach.family_id),
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
        document, _reach = _open(uc, document_id, "document")
        if document.owner_kind is OwnerKind.REQUEST:
            uc.require_request(
                Action.ERASE_DOCUMENT,
                document.owner_id,
                resource_type="document",
                resource_id=document_id,
            )
        else:
            assert document.family_id is not None
            uc.require(
                Action.ERASE_DOCUMENT, Target.family(document.family_id, "document", document_id)
            )
        document.erase(by=actor.principal.practitioner_id, at=uc.now, reason=reason)
        uow.documents.erase(document, at=uc.now)
        uc.commit()
        return DocumentView(document, readable=True)
