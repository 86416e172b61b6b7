"""What a document is, judged from its bytes alone; its safe name; the rules on its fields."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.documents import (
    CHUNK_BYTES,
    Content,
    ContentSniffer,
    Document,
    DocumentType,
    OwnerKind,
    check_size,
    check_title,
    safe_filename,
)
from app.domain.errors import Conflict, InvalidValue, TooLarge
from tests import document_samples as samples


def judged(content: bytes, chunk: int = CHUNK_BYTES) -> DocumentType:
    sniffer = ContentSniffer()
    for at in range(0, len(content), chunk):
        sniffer.feed(content[at : at + chunk])
    return sniffer.finish()


def refused_code(content: bytes) -> str:
    with pytest.raises(InvalidValue) as refused:
        judged(content)
    assert refused.value.field == "file"
    return refused.value.code


class TestTheTypeIsJudgedFromTheContent:
    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (samples.PDF, DocumentType.PDF),
            (samples.png(), DocumentType.PNG),
            (samples.JPEG, DocumentType.JPEG),
            (samples.docx(), DocumentType.DOCX),
            (samples.odt(), DocumentType.ODT),
            (samples.TEXT, DocumentType.TEXT),
        ],
        ids=["pdf", "png", "jpeg", "docx", "odt", "text"],
    )
    def test_each_accepted_type_is_recognised_by_its_magic_bytes(
        self, content: bytes, expected: DocumentType
    ) -> None:
        assert judged(content) is expected

    @pytest.mark.parametrize(
        "content",
        [samples.EXECUTABLE, samples.plain_zip(), samples.HTML_AS_LATIN1, b"abc\x00def"],
        ids=["executable", "zip-not-office", "latin1-not-utf8", "text-with-nul"],
    )
    def test_anything_else_is_refused_naming_the_file_field(self, content: bytes) -> None:
        assert refused_code(content) == "document_type_not_allowed"

    def test_an_empty_file_is_refused(self) -> None:
        assert refused_code(b"") == "document_empty"

    def test_a_word_document_larger_than_the_tail_kept_is_still_recognised(self) -> None:
        content = samples.docx(padding=3 * CHUNK_BYTES)
        assert judged(content) is DocumentType.DOCX

    def test_a_pdf_signature_on_an_executable_name_is_still_a_pdf_and_a_renamed_exe_is_not(
        self,
    ) -> None:
        # The name plays no part: only the bytes do.
        assert judged(samples.PDF) is DocumentType.PDF
        assert refused_code(samples.EXECUTABLE) == "document_type_not_allowed"

    @given(text=st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1))
    def test_utf8_text_is_text_however_the_chunks_split_its_characters(self, text: str) -> None:
        content = text.encode()
        if content.startswith((b"%PDF-", b"PK\x03\x04", b"\xff\xd8\xff", b"\x89PNG")):
            return
        assert judged(content, chunk=1) is DocumentType.TEXT
        assert judged(content, chunk=3) is DocumentType.TEXT

    def test_a_multibyte_character_cut_off_at_the_end_is_not_text(self) -> None:
        assert refused_code("caf\u00e9".encode()[:-1]) == "document_type_not_allowed"


class TestSize:
    def test_the_limit_itself_is_allowed_one_byte_more_is_too_large(self) -> None:
        check_size(100, limit=100)
        with pytest.raises(TooLarge) as refused:
            check_size(101, limit=100)
        assert refused.value.code == "document_too_large"


class TestSafeFilename:
    @pytest.mark.parametrize(
        ("given", "doc_type", "expected"),
        [
            ("consent form.pdf", DocumentType.PDF, "consent form.pdf"),
            ("../../etc/passwd", DocumentType.TEXT, "passwd.txt"),
            ("C:\\Users\\x\\letter.docx", DocumentType.DOCX, "letter.docx"),
            ('a"b;c\r\nd.pdf', DocumentType.PDF, "a_b_c_d.pdf"),
            ("report.exe", DocumentType.PDF, "report.pdf"),
            (".htaccess", DocumentType.TEXT, "htaccess.txt"),
            ("Zoë's letter.odt", DocumentType.ODT, "Zoe_s letter.odt"),
            ("", DocumentType.PNG, "document.png"),
            (None, DocumentType.JPEG, "document.jpg"),
        ],
    )
    def test_the_download_name_is_plain_ascii_without_a_path_and_ends_with_the_judged_type(
        self, given: str | None, doc_type: DocumentType, expected: str
    ) -> None:
        assert safe_filename(given, doc_type) == expected

    @given(name=st.text(max_size=300))
    def test_no_name_can_break_a_header_or_leave_the_folder(self, name: str) -> None:
        safe = safe_filename(name, DocumentType.PDF)
        assert safe.endswith(".pdf")
        assert all(c.isascii() and (c.isalnum() or c in "._ -") for c in safe)
        assert "/" not in safe
        assert not safe.startswith(".")
        assert len(safe) <= 104


class TestFields:
    def test_a_title_is_required_and_spaces_are_tidied(self) -> None:
        assert check_title("  Signed   consent ") == "Signed consent"
        with pytest.raises(InvalidValue) as refused:
            check_title("   ")
        assert refused.value.field == "title"

    def test_erasure_needs_a_reason_in_words_and_happens_once(self) -> None:
        document = Document(
            id=uuid.uuid4(),
            family_id=uuid.uuid4(),
            owner_kind=OwnerKind.FAMILY,
            owner_id=uuid.uuid4(),
            title="Letter",
            description=None,
            filename="letter.pdf",
            content=Content(DocumentType.PDF, 10, "0" * 64, 1),
            sensitive=False,
            dated_on=date(2025, 3, 3),
            uploaded_at=datetime(2025, 3, 3, tzinfo=UTC),
            uploaded_by=uuid.uuid4(),
        )
        manager, at = uuid.uuid4(), datetime(2025, 3, 4, tzinfo=UTC)
        with pytest.raises(InvalidValue) as short:
            document.erase(by=manager, at=at, reason="1234567890")
        assert short.value.field == "reason"
        document.erase(by=manager, at=at, reason="Uploaded to the wrong family")
        assert document.erasure is not None
        assert document.erasure.reason == "Uploaded to the wrong family"
        with pytest.raises(Conflict):
            document.erase(by=manager, at=at, reason="Uploaded twice by mistake")
