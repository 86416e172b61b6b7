"""Documents' use cases on the in-memory unit of work: a file stored a chunk at a time and only
when whole and allowed; who may list, open and erase it; every decision in the audit trail."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from app.domain.documents import CHUNK_BYTES, DocumentType, OwnerKind
from app.domain.errors import (
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    TooLarge,
)
from app.domain.paging import PageRequest
from app.services import documents
from app.services.documents import DocumentView, NewDocument
from app.services.ports import StoredResponse
from app.services.use_case import IdempotentUpload, Replayed
from tests import document_samples as samples
from tests.unit.services.builders import Journey, World, given_journey, given_world, outcomes
from tests.unit.services.builders import one_use_case as use_case


@pytest.fixture
def world() -> World:
    return given_world()


@pytest.fixture
def journey(world: World) -> Journey:
    return given_journey(world).open()


def chunks(content: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    for at in range(0, len(content), size):
        yield content[at : at + size]


def upload(
    journey: Journey,
    content: bytes = samples.PDF,
    *,
    who: str = "lead",
    owner_kind: OwnerKind = OwnerKind.EPISODE,
    max_bytes: int = 20 * 1024 * 1024,
    **fields: object,
) -> DocumentView:
    new: dict[str, object] = {
        "owner_kind": owner_kind,
        "owner_id": journey.episode_id if owner_kind is OwnerKind.EPISODE else journey.family_id,
        "title": "Signed consent form",
        "description": None,
        "filename": "consent.pdf",
        "sensitive": False,
        "visible_to": frozenset(),
        "dated_on": None,
    }
    new.update(fields)
    view = documents.upload_document(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        NewDocument(**new),  # type: ignore[arg-type]
        chunks(content),
        max_bytes=max_bytes,
    )
    assert isinstance(view, DocumentView)
    return view


def download(journey: Journey, document_id: uuid.UUID, who: str = "lead") -> bytes:
    world = journey.world
    got = documents.download_document(
        world.uow, lambda: world.uow, world.clock, journey.as_(who), document_id
    )
    return b"".join(got.chunks)


def listed(
    journey: Journey, who: str, owner_kind: OwnerKind = OwnerKind.EPISODE
) -> list[DocumentView]:
    owner_id = journey.episode_id if owner_kind is OwnerKind.EPISODE else journey.family_id
    return documents.list_documents(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        owner_kind,
        owner_id,
        PageRequest(limit=50),
    ).items


class TestUpload:
    def test_a_file_is_stored_in_chunks_with_its_type_size_and_hash_and_comes_back_whole(
        self, journey: Journey
    ) -> None:
        content = samples.large_pdf(3 * CHUNK_BYTES + 17)
        with use_case(journey.world) as entries:
            view = upload(journey, content, filename="../letter.exe")
        document = view.document
        assert document.content.doc_type is DocumentType.PDF
        assert document.content.size_bytes == len(content)
        assert document.content.chunk_count == 4
        assert document.content.sha256 == hashlib.sha256(content).hexdigest()
        assert document.filename == "letter.pdf"
        assert document.dated_on == journey.world.today
        assert document.family_id == journey.family_id
        assert outcomes(entries) == [("write_episode", "allowed", None)]
        assert entries[0].resource_id == str(document.id)
        assert download(journey, document.id) == content

    def test_too_large_is_refused_while_streaming_and_nothing_is_kept(
        self, journey: Journey
    ) -> None:
        def endless() -> Iterator[bytes]:
            yield samples.PDF
            while True:
                yield bytes(CHUNK_BYTES)

        with use_case(journey.world) as entries, pytest.raises(TooLarge) as refused:
            documents.upload_document(
                journey.world.uow,
                journey.world.clock,
                journey.as_("lead"),
                NewDocument(
                    OwnerKind.EPISODE,
                    journey.episode_id,
                    "Big",
                    None,
                    "big.pdf",
                    False,
                    frozenset(),
                    None,
                ),
                endless(),
                max_bytes=CHUNK_BYTES * 2,
            )
        assert refused.value.code == "document_too_large"
        assert journey.world.uow.committed.documents == {}
        assert journey.world.uow.committed.document_chunks == {}
        assert outcomes(entries) == [("write_episode", "refused", "document_too_large")]

    def test_a_file_of_another_type_is_refused_and_nothing_is_kept(self, journey: Journey) -> None:
        with pytest.raises(InvalidValue) as refused:
            upload(journey, samples.EXECUTABLE, filename="notes.pdf")
        assert refused.value.field == "file"
        assert journey.world.uow.committed.document_chunks == {}

    def test_a_document_cannot_be_dated_after_today(self, journey: Journey) -> None:
        with pytest.raises(InvalidValue) as refused:
            upload(journey, dated_on=journey.world.today + timedelta(days=1))
        assert refused.value.field == "dated_on"

    def test_a_taf_member_may_not_add_to_the_episode_and_a_stranger_cannot_find_it(
        self, journey: Journey
    ) -> None:
        journey.join("school")
        with pytest.raises(Forbidden):
            upload(journey, who="school")
        with pytest.raises(NotFound):
            upload(journey, who="stranger")

    def test_named_readers_must_be_known_practitioners_on_a_sensitive_document(
        self, journey: Journey
    ) -> None:
        with pytest.raises(InvalidValue) as unknown:
            upload(journey, sensitive=True, visible_to=frozenset({uuid.uuid4()}))
        assert unknown.value.code == "practitioner_unknown"
        with pytest.raises(InvalidValue) as not_sensitive:
            upload(journey, visible_to=frozenset({journey.world.people["school"].id}))
        assert not_sensitive.value.code == "document_readers_not_sensitive"


class TestReading:
    def test_a_taf_member_under_consent_lists_and_opens_the_episodes_documents(
        self, journey: Journey
    ) -> None:
        document = upload(journey).document
        journey.join("school")
        assert [v.document.id for v in listed(journey, "school")] == [document.id]
        assert download(journey, document.id, "school") == samples.PDF

    def test_a_stranger_gets_the_unknown_id_answer_for_a_document_and_its_content(
        self, journey: Journey
    ) -> None:
        document = upload(journey).document
        world = journey.world
        for action in (
            lambda: documents.get_document(
                world.uow, world.clock, journey.as_("stranger"), document.id
            ),
            lambda: download(journey, document.id, "stranger"),
        ):
            with pytest.raises(NotFound) as refused:
                action()
            assert str(refused.value) == "There is no document with this id."
        with pytest.raises(NotFound) as unknown:
            documents.get_document(world.uow, world.clock, journey.as_("lead"), uuid.uuid4())
        assert str(unknown.value) == "There is no document with this id."

    def test_a_sensitive_document_is_listed_withheld_and_refused_to_a_taf_member(
        self, journey: Journey
    ) -> None:
        document = upload(journey, sensitive=True).document
        journey.join("school")
        (seen,) = listed(journey, "school")
        assert seen.readable is False
        with use_case(journey.world) as entries, pytest.raises(Forbidden) as refused:
            download(journey, document.id, "school")
        assert refused.value.code == "document_sensitive"
        assert ("read_sensitive_document", "denied", None) in outcomes(entries)
        assert download(journey, document.id, "manager") == samples.PDF

    def test_a_named_taf_member_opens_a_sensitive_document(self, journey: Journey) -> None:
        school = journey.world.people["school"].id
        document = upload(journey, sensitive=True, visible_to=frozenset({school})).document
        journey.join("school")
        assert listed(journey, "school")[0].readable
        assert download(journey, document.id, "school") == samples.PDF

    def test_a_familys_documents_are_listed_latest_dated_first_and_paged(
        self, journey: Journey
    ) -> None:
        today = journey.world.today
        ids = [
            upload(
                journey, owner_kind=OwnerKind.FAMILY, dated_on=today - timedelta(days=n)
            ).document.id
            for n in (3, 1, 2)
        ]
        world = journey.world
        first = documents.list_documents(
            world.uow,
            world.clock,
            journey.as_("lead"),
            OwnerKind.FAMILY,
            journey.family_id,
            PageRequest(limit=2),
        )
        assert first.next_cursor is not None
        rest = documents.list_documents(
            world.uow,
            world.clock,
            journey.as_("lead"),
            OwnerKind.FAMILY,
            journey.family_id,
            PageRequest.parse(2, first.next_cursor),
        )
        assert [v.document.id for v in first.items + rest.items] == [ids[1], ids[2], ids[0]]
        assert rest.next_cursor is None


class TestErasure:
    def erase(
        self, journey: Journey, document_id: uuid.UUID, who: str, reason: str
    ) -> DocumentView:
        world = journey.world
        return documents.erase_document(
            world.uow, world.clock, journey.as_(who), document_id, reason=reason
        )

    def test_a_manager_erases_the_content_and_the_fact_stays_listed(self, journey: Journey) -> None:
        document = upload(journey, samples.large_pdf(2 * CHUNK_BYTES)).document
        with use_case(journey.world) as entries:
            self.erase(journey, document.id, "manager", "Uploaded to the wrong family")
        assert journey.world.uow.committed.document_chunks == {}
        (seen,) = listed(journey, "lead")
        assert seen.document.erasure is not None
        assert seen.document.erasure.reason == "Uploaded to the wrong family"
        assert seen.document.title == "Signed consent form"
        assert ("erase_document", "allowed", None) in outcomes(entries)
        with pytest.raises(Conflict) as gone:
            download(journey, document.id)
        assert gone.value.code == "document_erased"

    def test_the_lead_may_not_erase_and_a_stranger_cannot_find_it(self, journey: Journey) -> None:
        document = upload(journey).document
        with pytest.raises(Forbidden):
            self.erase(journey, document.id, "lead", "I uploaded the wrong file")
        with pytest.raises(NotFound):
            self.erase(journey, document.id, "stranger", "I uploaded the wrong file")
        assert len(journey.world.uow.committed.document_chunks) == 1

    def test_erasure_needs_a_reason(self, journey: Journey) -> None:
        document = upload(journey).document
        with pytest.raises(InvalidValue) as refused:
            self.erase(journey, document.id, "manager", "   ")
        assert refused.value.field == "reason"


class TestRetriedUpload:
    @staticmethod
    def keyed(journey: Journey, content: bytes, key: IdempotentUpload[DocumentView]) -> object:
        return documents.upload_document(
            journey.world.uow,
            journey.world.clock,
            journey.as_("lead"),
            NewDocument(
                OwnerKind.EPISODE,
                journey.episode_id,
                "Signed consent form",
                None,
                "consent.pdf",
                False,
                frozenset(),
                None,
            ),
            chunks(content),
            max_bytes=20 * 1024 * 1024,
            idempotency=key,
        )

    @staticmethod
    def key(fields: str = "the form") -> IdempotentUpload[DocumentView]:
        return IdempotentUpload(
            scope="lead POST /episodes/1/documents",
            key="scan-1",
            fields_fingerprint=fields,
            render=lambda view: StoredResponse("", 201, {"id": str(view.document.id)}, {}),
        )

    def test_a_retry_hashes_the_content_as_it_streams_past_and_stores_nothing(
        self, journey: Journey
    ) -> None:
        content = samples.large_pdf(2 * CHUNK_BYTES + 5)
        first = self.keyed(journey, content, self.key())
        assert isinstance(first, DocumentView)
        stored_chunks = dict(journey.world.uow.committed.document_chunks)
        with use_case(journey.world):
            again = self.keyed(journey, content, self.key())
        assert isinstance(again, Replayed)
        assert again.response.body == {"id": str(first.document.id)}
        assert journey.world.uow.committed.document_chunks == stored_chunks
        assert [v.document.id for v in listed(journey, "lead")] == [first.document.id]

    @pytest.mark.parametrize(
        ("content", "fields"),
        [(samples.large_pdf(CHUNK_BYTES), "the form"), (samples.PDF, "another form")],
        ids=["other-content", "other-fields"],
    )
    def test_the_same_key_for_another_upload_is_refused(
        self, journey: Journey, content: bytes, fields: str
    ) -> None:
        self.keyed(journey, samples.PDF, self.key())
        with use_case(journey.world), pytest.raises(IdempotencyKeyReused):
            self.keyed(journey, content, self.key(fields))
        assert len(listed(journey, "lead")) == 1
