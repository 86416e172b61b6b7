"""Documents attached to a family's record: what a file is, judged from its bytes, and its rules.

Issue 19 §4. A document belongs to one record (`OwnerKind`: a family, an episode, a contact or a
request for support) and is kept in the database with its SHA-256. Its type is judged
from the content's magic bytes against an allow-list, never from the name or the Content-Type the
client sends: `ContentSniffer` reads the content once, as it streams in, keeping only its first
bytes and a bounded tail (a ZIP's central directory), so a 20 MB upload is judged in constant
memory. A manager may erase a document with a reason: the content goes, the fact stays.

Nothing here reads the clock: "today" and "now" are passed in.
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.domain.errors import Conflict, InvalidValue, TooLarge

CHUNK_BYTES = 256 * 1024
"""The size of one stored chunk: the unit content is read, hashed, written and sent in."""

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""The default upload limit (FAMILYHUB_DOCUMENT_MAX_BYTES), issue 19 §4."""

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
FILENAME_STEM_MAX = 100
MIN_ERASURE_REASON = 10
"""Non-space characters an erasure reason needs, some of them letters (as a break-glass reason)."""

_HEAD_BYTES = 512
_TAIL_BYTES = 256 * 1024
"""A ZIP's end record and central directory are looked for here: an Office or OpenDocument
file's directory is a few kilobytes."""


class OwnerKind(StrEnum):
    """The record a document is attached to. Each kind maps to the family or episode whose
    access rules it follows (app/services/documents.py, `HOLDERS`)."""

    FAMILY = "family"
    EPISODE = "episode"
    CONTACT = "contact"
    """A contact on an episode: it follows the episode's rules."""
    REQUEST = "request"
    """A request for support at the front door: it follows the request's rules (`decide_request`),
    before and after screening, whatever episode the request became."""


class DocumentType(StrEnum):
    """The allow-list: what a family's record may hold (issue 19 §4)."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    DOCX = "docx"
    ODT = "odt"
    TEXT = "text"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]


_MEDIA_TYPES = {
    DocumentType.PDF: "application/pdf",
    DocumentType.PNG: "image/png",
    DocumentType.JPEG: "image/jpeg",
    DocumentType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentType.ODT: "application/vnd.oasis.opendocument.text",
    DocumentType.TEXT: "text/plain; charset=utf-8",
}
_EXTENSIONS = {
    DocumentType.PDF: ".pdf",
    DocumentType.PNG: ".png",
    DocumentType.JPEG: ".jpg",
    DocumentType.DOCX: ".docx",
    DocumentType.ODT: ".odt",
    DocumentType.TEXT: ".txt",
}

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP_END = b"PK\x05\x06"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Text may hold tabs, line ends and form feeds; any other control character means binary.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _unsupported(detail: str) -> InvalidValue:
    return InvalidValue(
        f"{detail} Accepted: PDF, PNG, JPEG, Word (.docx), OpenDocument text (.odt) and plain "
        "text in UTF-8.",
        field="file",
        code="document_type_not_allowed",
    )


class ContentSniffer:
    """Judges a file's type from its bytes as they stream past, in bounded memory.

    PDF, PNG and JPEG by their signatures; a ZIP is Word only if its central directory lists
    `[Content_Types].xml` and `word/document.xml`, OpenDocument text only if its first entry is
    the uncompressed `mimetype` naming it (the ODF packaging rule); anything else is text only
    if every byte is UTF-8 without control characters. Feed the chunks in order, then `finish`.
    """

    def __init__(self) -> None:
        self._head = bytearray()
        self._tail = bytearray()
        self._size = 0
        self._text = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._could_be_text = True

    @property
    def size(self) -> int:
        return self._size

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if len(self._head) < _HEAD_BYTES:
            self._head += chunk[: _HEAD_BYTES - len(self._head)]
        self._tail += chunk[-_TAIL_BYTES:]
        del self._tail[:-_TAIL_BYTES]
        if self._could_be_text:
            try:
                self._could_be_text = not _CONTROL.search(self._text.decode(chunk))
            except UnicodeDecodeError:
                self._could_be_text = False

    def finish(self) -> DocumentType:
        """The type, or InvalidValue naming the `file` field (422) for anything else."""
        head = bytes(self._head)
        if not head:
            raise InvalidValue("The file is empty.", field="file", code="document_empty")
        if head.startswith(_PDF):
            return DocumentType.PDF
        if head.startswith(_PNG):
            return DocumentType.PNG
        if head.startswith(_JPEG):
            return DocumentType.JPEG
        if head.startswith(_ZIP_LOCAL):
            return self._zip_type(head)
        if self._could_be_text:
            try:
                self._could_be_text = not _CONTROL.search(self._text.decode(b"", final=True))
            except UnicodeDecodeError:
                self._could_be_text = False
        if self._could_be_text:
            return DocumentType.TEXT
        raise _unsupported("The file's content is not of a type the record accepts.")

    def _zip_type(self, head: bytes) -> DocumentType:
        if _first_entry_is_odt_mimetype(head):
            return DocumentType.ODT
        names = _central_directory_names(bytes(self._tail), self._size)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DocumentType.DOCX
        raise _unsupported("The file is a ZIP archive, but not a Word or OpenDocument text.")


def _first_entry_is_odt_mimetype(head: bytes) -> bool:
    if len(head) < 30:
        return False
    method, name_length, extra_length = (
        struct.unpack_from("<H", head, 8)[0],
        *struct.unpack_from("<HH", head, 26),
    )
    start = 30 + name_length + extra_length
    return (
        method == 0
        and head[30 : 30 + name_length] == b"mimetype"
        and head[start : start + len(_ODT_MIMETYPE)] == _ODT_MIMETYPE
    )


def _central_directory_names(tail: bytes, size: int) -> set[str]:
    """The entry names of a ZIP's central directory, if it lies within the tail kept."""
    end = tail.rfind(_ZIP_END)
    if end < 0 or len(tail) - end < 22:
        return set()
    entries, directory_size, directory_offset = struct.unpack_from("<HII", tail, end + 10)
    start = directory_offset - (size - len(tail))
    if start < 0 or start + directory_size > end:
        return set()
    names: set[str] = set()
    at = start
    for _ in range(entries):
        if tail[at : at + 4] != _ZIP_CENTRAL or at + 46 > end:
            return set()
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", tail, at + 28)
        names.add(tail[at + 46 : at + 46 + name_length].decode("utf-8", errors="replace"))
        at += 46 + name_length + extra_length + comment_length
    return names


def check_size(size: int, *, limit: int) -> None:
    """A document may not be larger than the council's limit (issue 19 §4: 413 above it)."""
    if size > limit:
        raise TooLarge(
            f"The file is larger than {limit} bytes, the most a document may be.",
            field="file",
            code="document_too_large",
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(given: str | None, doc_type: DocumentType) -> str:
    """The name a download is offered under: ASCII letters, digits, dot, dash, underscore and
    space only, no path, no leading dot, and the extension of the type the content was judged to
    be (never the one the uploader chose), so a header cannot be broken and a saved file never
    opens as anything else."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip(" ._-")[:FILENAME_STEM_MAX].strip(" ._-")
    return (stem or "document") + doc_type.extension


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > TITLE_MAX:
        raise InvalidValue(
            f"Give the document a title of 1 to {TITLE_MAX} characters.",
            field="title",
            code="document_title_length",
        )
    return cleaned


def check_description(description: str | None) -> str | None:
    if description is None or not description.strip():
        return None
    if len(description) > DESCRIPTION_MAX:
        raise InvalidValue(
            f"A document's description is at most {DESCRIPTION_MAX} characters.",
            field="description",
            code="document_description_length",
        )
    return description.strip()


def check_erasure_reason(reason: str) -> str:
    """Erasure is final: the reason must say why, in words."""
    meaningful = "".join(reason.split())
    if len(meaningful) < MIN_ERASURE_REASON or not any(c.isalpha() for c in meaningful):
        raise InvalidValue(
            f"Say why the document is erased, in words ({MIN_ERASURE_REASON}+ characters "
            "besides spaces).",
            field="reason",
            code="erasure_reason_too_short",
        )
    return reason.strip()


@dataclass(frozen=True)
class Content:
    """What was stored: the type judged from the bytes, their size, hash and chunk count."""

    doc_type: DocumentType
    size_bytes: int
    sha256: str
    chunk_count: int


@dataclass(frozen=True)
class Erasure:
    """The fact of an erasure, kept for the chronology after the content has gone."""

    erased_at: datetime
    erased_by: uuid.UUID
    reason: str


@dataclass
class Document:
    """A file on a family's record. `family_id` is the family whose record the owner is part of
    (kept on every family's, episode's and contact's document, so a family's documents are found in
    one indexed query). A request's document has none: the request's own rules apply, and its
    household may be registered only when the request is screened."""

    id: uuid.UUID
    family_id: uuid.UUID | None
    owner_kind: OwnerKind
    owner_id: uuid.UUID
    title: str
    description: str | None
    filename: str
    content: Content
    sensitive: bool
    dated_on: date
    uploaded_at: datetime
    uploaded_by: uuid.UUID
    visible_to: frozenset[uuid.UUID] = frozenset()
    """For a sensitive document: the practitioners named as its readers, besides the lead and
    managers (they must still read the record by the ordinary rules)."""
    erasure: Erasure | None = None
    version: int = 0
    episode_id: uuid.UUID | None = field(default=None)
    """The episode whose rules the document follows, when it belongs to one."""

    @property
    def erased(self) -> bool:
        return self.erasure is not None

    def erase(self, *, by: uuid.UUID, at: datetime, reason: str) -> None:
        """Erase once; the second attempt is refused so the first reason is never overwritten."""
        if self.erasure is not None:
            raise Conflict(
                "This document was already erased.",
                code="document_already_erased",
            )
        self.erasure = Erasure(erased_at=at, erased_by=by, reason=check_erasure_reason(reason))
